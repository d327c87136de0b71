"""Bytes of a page to text: charset from the header, then the page's meta tag, then detection."""

from __future__ import annotations

import codecs
import re

import charset_normalizer

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)


def decode_page(body: bytes, header_charset: str | None) -> tuple[str, str]:
    """(text, charset used). Windows-1256 Arabic pages without a declared charset are common."""
    for candidate in (header_charset, _meta_charset(body)):
        codec = _known_codec(candidate)
        if codec:
            try:
                return body.decode(codec), codec
            except UnicodeDecodeError:
                continue
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(body).best()
    if best is not None:
        return str(best), best.encoding
    return body.decode("utf-8", errors="replace"), "utf-8"


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
