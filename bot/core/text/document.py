"""The structure of a plain-text article: title, prose paragraphs, page furniture, link.

Pasted articles and `.txt` files carry the same furniture as web pages (datelines,
photo captions, the outlet's name). Only prose may supply sentences or figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.text.sentences import split_sentences

_SENTENCE_END = re.compile(r"[.!?؟。！？…۔:][\"'»”’)\]]*$")
_URL_LINE = re.compile(r"^(https?://\S+)$")
_MIN_PROSE_WORDS = 25  # a line this long is prose even without final punctuation
_SOFT_WRAP_WORDS = 8   # a line at least this long, without final punctuation, wraps on


@dataclass
class Document:
    """An article reduced to what a brief may draw on."""

    title: str | None
    sentences: list[str]
    url: str | None = None
    furniture: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def parse_plain_text(text: str, language: str | None, title: str | None = None) -> Document:
    """Split pasted text into title, prose sentences and furniture."""
    blocks = _blocks(_without_title_line(text, title))
    url = None
    if blocks and _URL_LINE.match(blocks[-1]):
        url = blocks.pop()
    if title is None and len(blocks) > 1 and not _is_prose(blocks[0]):
        title = blocks.pop(0)

    document = Document(title=title, sentences=[], url=url)
    for block in blocks:
        if _is_prose(block):
            document.sentences.extend(split_sentences(block, language))
        else:
            document.furniture.append(block)
    return document


def _without_title_line(text: str, title: str | None) -> str:
    """Extracted pages often repeat the title as the first line of the text."""
    first, _, rest = text.strip().partition("\n")
    return rest if title and first.strip().casefold() == title.strip().casefold() else text


def _blocks(text: str) -> list[str]:
    """Paragraphs with wrapped lines joined; short unpunctuated lines (headings,
    captions, datelines) stand alone so that they never glue onto a sentence."""
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\ufeff", "")):
        current: list[str] = []
        for line in (line.strip() for line in paragraph.split("\n")):
            if not line:
                continue
            if _is_heading_like(line):
                blocks.extend(filter(None, [" ".join(current), line]))
                current = []
            else:
                current.append(line)
        if current:
            blocks.append(" ".join(current))
    return blocks


def _is_heading_like(line: str) -> bool:
    return not _SENTENCE_END.search(line) and len(line.split()) < _SOFT_WRAP_WORDS


def _is_prose(block: str) -> bool:
    return bool(_SENTENCE_END.search(block)) or len(block.split()) >= _MIN_PROSE_WORDS
