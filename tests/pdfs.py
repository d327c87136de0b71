"""PDFs made by hand for the tests: pages of Helvetica text, a scan without text, a bomb.

Each object is written out with a correct cross-reference table, so pypdf reads them
as it reads any well-formed PDF; `encrypted` goes through pypdf's own writer.
"""

from __future__ import annotations

import textwrap
import zlib
from io import BytesIO

from pypdf import PdfReader, PdfWriter


def _escape(text: str) -> bytes:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("cp1252")


def text_stream(paragraphs: list[str]) -> bytes:
    """A content stream that shows each paragraph wrapped at 80 characters, a blank line between."""
    lines: list[str] = []
    for paragraph in paragraphs:
        lines.extend(textwrap.wrap(paragraph, 80))
        lines.append("")
    shown = b"".join(b"(" + _escape(line) + b") Tj T*\n" for line in lines)
    return b"BT /F1 10 Tf 12 TL 50 770 Td\n" + shown + b"ET"


def make_pdf(pages: list[bytes], info: dict[str, str] | None = None, compress: bool = False) -> bytes:
    """A PDF whose pages have the given content streams, Helvetica as /F1, and an Info dictionary."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"",
                            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    kids = []
    for content in pages:
        body = zlib.compress(content) if compress else content
        flate = b" /Filter /FlateDecode" if compress else b""
        objects.append(b"<< /Length %d%s >>\nstream\n" % (len(body), flate) + body + b"\nendstream")
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                       b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (len(objects)))
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % len(pages)
    trailer_info = b""
    if info:
        entries = b" ".join(b"/" + key.encode() + b" (" + _escape(value) + b")" for key, value in info.items())
        objects.append(b"<< " + entries + b" >>")
        trailer_info = b" /Info %d 0 R" % len(objects)
    out = BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer_info, xref))
    return out.getvalue()


def article_pdf(text: str, info: dict[str, str] | None = None, pages: int = 1) -> bytes:
    """An article's paragraphs (blank-line separated) spread over `pages` pages."""
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    per_page = -(-len(paragraphs) // pages)
    chunks = [paragraphs[i:i + per_page] for i in range(0, len(paragraphs), per_page)]
    return make_pdf([text_stream(chunk) for chunk in chunks], info)


def scanned_pdf() -> bytes:
    """A page that only paints (as a scan's image does): no text layer."""
    return make_pdf([b"0.2 g 50 50 500 700 re f"])


def bomb_pdf(inflated_bytes: int = 24 * 1024 * 1024) -> bytes:
    """A small file with a content stream that inflates to `inflated_bytes` of spaces."""
    return make_pdf([b" " * inflated_bytes], compress=True)


def encrypted_pdf(plain: bytes, user_password: str, owner_password: str = "owner") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(BytesIO(plain)))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-256")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
