"""Bytes to text, for pages, files and standard input alike: one decoder, one set of rules.

A declared charset (the HTTP header, then the page's meta tag) wins when it decodes;
then UTF-8 (with or without a BOM); then the most likely legacy encoding, since
windows-1256 Arabic pages and files without a declared charset are common.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from bot.errors import InputError

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Documents that a charset detector would happily read as text (a PDF renamed .txt):
# their first bytes say what they are.
_DOCUMENT_SIGNATURES = {b"%PDF-": "a PDF document", b"PK\x03\x04": "a ZIP archive (such as .docx or .epub)",
                        b"{\\rtf": "an RTF document", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
                        b"GIF8": "a GIF image"}


def decode_bytes(body: bytes, declared_charset: str | None = None) -> tuple[str, str]:
    """(text, charset used). Raises InputError for binary data, which no charset makes text."""
    if body.startswith(_UTF16_BOMS):
        return body.decode("utf-16"), "utf-16"
    kind = next((kind for signature, kind in _DOCUMENT_SIGNATURES.items() if body.startswith(signature)), None)
    if kind:
        raise InputError(f"This is {kind}, not text.", "Give the article as text, HTML or a link.")
    if b"\x00" in body[:4096]:
        raise InputError("This looks like a binary file, not text.",
                         "Give the article as text, HTML or a link.")
    for candidate in (declared_charset, _meta_charset(body)):
        codec = _known_codec(candidate)
        if codec:
            try:
                return body.decode(codec), codec
            except UnicodeDecodeError:
                continue
    try:
        return body.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(body).best()
    if best is None:
        raise InputError("Could not decode the text.", "Save it as UTF-8 and try again.")
    return str(best), best.encoding


_PDF_HEADER_WINDOW = 1024  # readers accept the %PDF- header anywhere in the first kilobyte


def is_pdf(data: bytes, filename: str | None = None) -> bool:
    """True for a PDF whatever its name: by its %PDF- header (anywhere in the first
    kilobyte when the name says .pdf, as readers allow; at the start otherwise)."""
    head = data[:_PDF_HEADER_WINDOW]
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-"):
        return True
    return bool(filename and filename.lower().endswith(".pdf") and b"%PDF-" in head)


def decode_text(data: bytes) -> str:
    """The text of a file or of standard input."""
    return decode_bytes(data)[0]


def _meta_charset(body: bytes) -> str | None:
    m = _META_CHARSET.search(body[:4096])
    return m.group(1).decode("ascii", "ignore") if m else None


def _known_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip()).name
    except LookupError:
        return None
