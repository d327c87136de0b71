"""Article text and metadata from a PDF's text layer with pypdf: a pure function over bytes.

A PDF is untrusted input that can be built to tie up a worker: streams that inflate to
gigabytes, thousands of pages, page trees that loop, millions of text operators. pypdf's own
limits (a per-call `Configuration`, local to this thread's context) bound each stream's size
and parsing work; briefbot adds a page cap, a cap on the text kept and a deadline checked at
every text operator, so no single page can run past it either.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from pypdf import Configuration, DocumentInformation, PdfReader, apply_configuration, get_configuration
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError

from bot.errors import InputError, NotAnArticle

# pypdf logs what it repairs in a malformed file ("EOF marker not found"); the reader gets one
# clear message from here instead, and the command line's stderr stays one line per source.
logging.getLogger("pypdf").setLevel(logging.ERROR)

_MEGABYTE = 1024 * 1024
_WORD_BROKEN_AT_LINE_END = re.compile(r"(\w)-\n(?=[a-z])")
# Word processors put the file's name where the title belongs ("Microsoft Word - report.docx").
_APP_PREFIX = re.compile(r"^(microsoft \w+ - )", re.IGNORECASE)
_FILE_NAME = re.compile(r"\.(docx?|odt|rtf|pdf|indd|tex|pages|txt)$", re.IGNORECASE)
_OCR_HINT = "Run it through OCR first (for example `ocrmypdf scan.pdf text.pdf`), or send the article's text or link."


@dataclass(frozen=True)
class PdfLimits:
    """How much of a PDF briefbot reads before it gives up; an article is a few pages."""

    max_pages: int = 60                    # more pages are a report or a book, not an article
    max_stream_bytes: int = 16 * _MEGABYTE  # one stream, decompressed
    max_text_chars: int = 400_000          # text kept in all (20,000 words is about 130,000 characters)
    max_seconds: float = 10.0              # for the whole reading (60 pages of the test article: 0.2 s)
    max_operations: int = 200_000          # operators and operands in one content stream: each shown
                                           # line or word of a page is a few of them


@dataclass(frozen=True)
class ExtractedPdf:
    text: str                   # the text layer, page after page
    title: str | None
    author: str | None
    published: str | None       # YYYY-MM-DD, from the creation date
    pages: int


def extract_pdf(data: bytes, limits: PdfLimits = PdfLimits()) -> ExtractedPdf:
    """The text layer and metadata of a PDF; InputError (or NotAnArticle) with a reason otherwise."""
    deadline = time.monotonic() + limits.max_seconds
    with apply_configuration(_pypdf_limits(limits)):
        try:
            return _read(data, limits, deadline)
        except (InputError, NotAnArticle):
            raise
        except (FileNotDecryptedError, DependencyError):
            raise _protected() from None
        except LimitReachedError:
            raise InputError(f"This PDF holds more data than briefbot reads (over {limits.max_stream_bytes // _MEGABYTE} MB "
                             "in one part, or too many parts).",
                             "Send the article's text or a link to it instead.") from None
        except Exception:  # noqa: BLE001 - pypdf raises many kinds on hostile bytes; none may reach a user
            raise _damaged() from None


def _pypdf_limits(limits: PdfLimits) -> Configuration:
    cap = limits.max_stream_bytes
    return get_configuration().with_overwrites(**{
        "maximum_declared_stream_length": cap, "zlib_maximum_output_length": cap,
        "lzw_maximum_output_length": cap, "run_length_maximum_output_length": cap,
        "brotli_maximum_output_length": cap, "array_based_stream_maximum_output_length": cap,
        "stream_decoding_work_maximum_length": 4 * cap, "page_tree_maximum_entries": 10 * limits.max_pages,
        "stream_parsing_work_maximum_count": limits.max_operations,
    })


def _read(data: bytes, limits: PdfLimits, deadline: float) -> ExtractedPdf:
    reader = PdfReader(BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):  # an owner password only still opens with ""
        raise _protected()
    count = len(reader.pages)
    if count == 0:
        raise InputError("This PDF has no pages.", "Send the article's text or a link to it instead.")
    if count > limits.max_pages:
        raise InputError(f"This PDF has {count:,} pages; briefbot briefs articles of up to {limits.max_pages} pages.",
                         "Send the pages of one article, or its text or link.")
    pages: list[str] = []
    kept = 0
    def on_time(*_: object) -> None:  # pypdf calls it before each operator of a page's text
        if time.monotonic() > deadline:
            raise InputError(f"Reading this PDF took longer than {limits.max_seconds:g} s.",
                             "Send the article's text or a link to it instead.")

    for page in reader.pages:
        on_time()
        text = page.extract_text(visitor_operand_before=on_time) or ""
        kept += len(text)
        if kept > limits.max_text_chars:
            raise InputError("This PDF holds more text than one article.", "Send one article at a time.")
        pages.append(text)
    text = _WORD_BROKEN_AT_LINE_END.sub(r"\1", "\n\n".join(pages)).strip()
    if not any(character.isalpha() for character in text):
        raise NotAnArticle("This PDF has no text layer (a scan?), so there is no text to brief.", _OCR_HINT)
    title, author, published = _metadata(reader)
    return ExtractedPdf(text=text, title=title, author=author, published=published, pages=count)


def _metadata(reader: PdfReader) -> tuple[str | None, str | None, str | None]:
    """(title, author, YYYY-MM-DD); a malformed entry is left out, never a failure."""
    try:
        info = reader.metadata
    except Exception:  # noqa: BLE001 - a broken Info dictionary must not cost the text
        return None, None, None
    if info is None:
        return None, None, None
    return _title(_text(info, "/Title")), _text(info, "/Author"), _date(info)


def _text(info: DocumentInformation, key: str) -> str | None:
    try:
        value = info.get(key)
    except Exception:  # noqa: BLE001 - see _metadata
        return None
    cleaned = " ".join(str(value).split()) if value is not None else ""
    return cleaned or None


def _title(title: str | None) -> str | None:
    """A title, unless it is only the name of the file the PDF was made from."""
    if title is None:
        return None
    title = _APP_PREFIX.sub("", title).strip()
    return None if not title or _FILE_NAME.search(title) else title


def _date(info: DocumentInformation) -> str | None:
    try:
        created = info.creation_date
    except Exception:  # noqa: BLE001 - see _metadata
        return None
    return created.date().isoformat() if isinstance(created, datetime) else None


def _protected() -> InputError:
    return InputError("This PDF is protected by a password, so its text cannot be read.",
                      "Save a copy without a password (print it to PDF) and send that.")


def _damaged() -> InputError:
    return InputError("This PDF is damaged and cannot be read.",
                      "Save it again from the program that made it, or send the article's text or link.")
