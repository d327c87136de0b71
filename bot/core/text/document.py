"""The structure of a plain-text article: title, prose paragraphs, page furniture, link.

Pasted articles and `.txt` files carry the same furniture as web pages (share bars,
bare dates, bylines, photo captions, the outlet's name, datelines). Only prose may
supply sentences or figures; the title is a leading line that reads as one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.core.facts.dates import AR_MONTHS, EN_MONTHS
from bot.core.text.sentences import count_words, split_sentences

# A closing quote may stand after a space ("… we will pay on April 9. '", as Daily Mail text has it).
_SENTENCE_END = re.compile(r"[.!?؟。！？…۔।:](?:\s*[\"'»”’)\]])*$")
_TERMINATOR_IN_TEXT = re.compile(r"[.!?؟。！？۔।](?:\s|$|[\u0621-\u064a])")
_URL_LINE = re.compile(r"^(https?://\S+)$")
_MIN_PROSE_WORDS = 25  # a line this long is prose even without final punctuation
_SOFT_WRAP_WORDS = 8   # a line at least this long, without final punctuation, wraps on
_TITLE_WORDS = (3, 30)
_OUTLET_WORDS = 4
_SHARE_BAR_WORDS = 12
_CAPTION_WORDS = 30

# Words a title or heading cannot end on: a line ending on one was cut mid-sentence.
_DANGLING = frozenset("""a an the of to in on at by for with from and or but as than that
is are was were be has have had its their his her this these de la le el في من على إلى الى عن مع
و أو او ثم أن ان""".split())
_DATE_PREPOSITIONS = frozenset({"on", "from", "until", "till", "by", "since", "before", "after", "في", "يوم", "منذ"})
_SOCIAL = re.compile(r"share|facebook|twitter|whatsapp|telegram|linkedin|pinterest|messenger|"
                     r"e-?mail|copy (?:this )?link|print|شارك|فيسبوك|فيس بوك|تويتر|واتساب|تلغرام",
                     re.IGNORECASE)
_BYLINE = re.compile(r"^(?:by|written by|posted by|reporting by|words by|بقلم|كتب|كتبت|إعداد)\s",
                     re.IGNORECASE)
_CAPTION = re.compile(r"^(?:photo|image|picture|file photo|صورة)\b|\((?:archive|file|file photo|"
                      r"afp|reuters|ap|getty images|أرشيفية|ارشيفية|أرشيف)\)\s*$", re.IGNORECASE)
_DATE_WORDS = frozenset(w.casefold() for w in [
    *EN_MONTHS, *(part for name in AR_MONTHS for part in name.split()),
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "wed", "thu", "fri", "sat", "sun", "ago", "min", "mins", "minute", "minutes",
    "hour", "hours", "day", "days", "week", "weeks", "month", "months", "year", "years", "read",
    "updated", "published", "last", "am", "pm", "gmt", "utc", "at", "on", "the", "of",
    "الاثنين", "الثلاثاء", "الأربعاء", "الاربعاء", "الخميس", "الجمعة", "السبت", "الأحد", "الاحد",
    "منذ", "دقيقة", "دقائق", "ساعة", "ساعات", "يوم", "أيام", "آخر", "تحديث", "نشر", "في", "م", "هـ",
])
_DATE_TOKEN = re.compile(r"\d{1,4}(?:st|nd|rd|th)?|\d{1,2}[:.]\d{2}|\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}")

# Datelines that open a story: "Syria – ", "NOVA MARINA – ", "(CNN) -- ",
# "LONDON (Reuters) - ", "МОСКВА, 14 марта. ", "नई दिल्ली। ", "دمشق - ".
_DATELINES = [
    re.compile(r"^(?P<place>\(\w[\w .]{0,30}\))\s*(?:--|[–—-])\s*"),
    re.compile(r"^(?P<place>[A-ZÀ-ÞА-ЯЁ][A-ZÀ-ÞА-ЯЁ .'’-]{1,40}?(?:,\s*[\w .]{1,25}?)?"
               r"(?:\s*\([\w .]{1,30}\))?)\s*(?:--|[–—-])\s+"),
    re.compile(r"^(?P<place>[A-Z][\w'’.]*(?: [A-Z][\w'’.]*){0,2})\s+(?:--|[–—])\s+(?=[A-Z])"),
    re.compile(r"^(?P<place>[A-ZА-ЯЁ][A-ZА-ЯЁ -]{2,40},\s*\d{1,2}\s+\w+)\.\s*"),
    re.compile(r"^(?P<place>[\u0900-\u097f]+(?: [\u0900-\u097f]+){0,2})\s*।\s*"),
    re.compile(r"^(?P<place>[\u0621-\u064a]+(?: [\u0621-\u064a]+){0,2})\s*[-–—]\s*"
               r"(?:\([^)]{1,30}\)\s*[-–—:]?\s*)?"),
]


@dataclass
class Document:
    """An article reduced to what a brief may draw on. `furniture` keeps the lines that are
    not prose, in reading order (an outlet's name on its own line among them); `datelines`
    the places cut from the start of paragraphs."""

    title: str | None
    sentences: list[str]
    url: str | None = None
    furniture: list[str] = field(default_factory=list)
    datelines: list[str] = field(default_factory=list)
    original: str = ""  # the text as given, title included: the numbers a brief may show

    @property
    def text(self) -> str:
        return " ".join(self.sentences)

    @property
    def outlet_line(self) -> str | None:
        """A furniture line that reads as a name (one to four words, no digits): pasted
        articles often carry their outlet so ("Barran Press")."""
        return next((line for line in self.furniture if _reads_as_name(line)), None)


def parse_plain_text(text: str, language: str | None, title: str | None = None) -> Document:
    """Split pasted text into title, prose sentences and furniture."""
    text = _without_title_line(text, title)
    unpunctuated = len(_TERMINATOR_IN_TEXT.findall(text)) < 2
    blocks = _lines(text) if unpunctuated else _blocks(text)
    url = None
    if blocks and _URL_LINE.match(blocks[-1]):
        url = blocks.pop()
    is_prose = _is_line_prose if unpunctuated else _is_prose
    document = Document(title=title, sentences=[], url=url, original=f"{title or ''}\n{text}")
    for index, block in enumerate(blocks):
        leading = not document.sentences
        if document.title is None and leading and index < len(blocks) - 1 and reads_as_title(block) \
                and (unpunctuated or not is_prose(block)):
            document.title = block
        elif is_prose(block) and not is_furniture(block):
            document.sentences.extend(_without_dateline(split_sentences(block, language), document))
        else:
            document.furniture.append(block)
    return document


def reads_as_title(line: str) -> bool:
    """A line that can stand as a headline: a few words, not furniture, not cut mid-phrase."""
    low, high = _TITLE_WORDS
    return (low <= count_words(line) <= high and not is_furniture(line)
            and not _is_fragment(line) and not _URL_LINE.match(line) and not line[:1].islower())


def is_furniture(line: str) -> bool:
    """Share bars, bare dates, bylines and photo captions: page matter, never news."""
    return (_is_share_bar(line) or _is_bare_date(line) or _is_byline(line)
            or count_words(line) <= _CAPTION_WORDS and bool(_CAPTION.search(line)))


def strip_dateline(sentence: str) -> tuple[str | None, str]:
    """('Syria', 'On Thursday …') for 'Syria – On Thursday …'; (None, sentence) without one."""
    for pattern in _DATELINES:
        m = pattern.match(sentence)
        if m and (m.end() == len(sentence) or _starts_a_sentence(sentence[m.end():])):
            return m.group("place").strip(" ,()"), sentence[m.end():].strip()
    return None, sentence


def _starts_a_sentence(rest: str) -> bool:
    first = rest.lstrip("\"'“«(")[:1]
    return bool(first) and not first.islower() and len(rest.split()) >= 3


def _without_dateline(sentences: list[str], document: Document) -> list[str]:
    """A paragraph's first sentence loses its dateline; a sentence that is nothing but one
    ("नई दिल्ली।") goes to the furniture."""
    if not sentences:
        return sentences
    place, rest = strip_dateline(sentences[0])
    if place is None:
        return sentences
    document.datelines.append(place)
    if rest:
        return [rest, *sentences[1:]]
    document.furniture.append(sentences[0])
    return sentences[1:]


def _is_share_bar(line: str) -> bool:
    """'Share this withEmailFacebookMessenger…': a short line of sharing words; an article
    about sharing ("المشاركة في المسابقة") is long."""
    words = count_words(line)
    hits = len(_SOCIAL.findall(line))
    return words <= _SHARE_BAR_WORDS and (hits >= 2 or hits == 1 and words <= 4
                                          and line.lower().startswith(("share", "شارك")))


def _is_bare_date(line: str) -> bool:
    tokens = [t for t in re.split(r"[\s|,·•/()\-–—]+", line.casefold()) if t]
    return (any(c.isdigit() for c in line) and len(tokens) <= 10
            and all(t in _DATE_WORDS or _DATE_TOKEN.fullmatch(t) for t in tokens))


def _is_byline(line: str) -> bool:
    return bool(_BYLINE.match(line)) and count_words(line) <= 8 and not _SENTENCE_END.search(line)


def _is_fragment(line: str) -> bool:
    """'The event on 27': a line cut mid-sentence, ending on a dangling word or on a day of
    the month with its month on the next line ('iPhone 16' is a whole title)."""
    words = [w.casefold() for w in line.rstrip(" ,;:-–—").split()[-2:]]
    if not words:
        return False
    cut_date = (len(words) == 2 and words[0] in _DATE_PREPOSITIONS and words[1].isdigit()
                and 1 <= int(words[1]) <= 31)
    return words[-1] in _DANGLING or cut_date


def _reads_as_name(line: str) -> bool:
    words = line.split()
    return (0 < len(words) <= _OUTLET_WORDS and not any(c.isdigit() for c in line)
            and not is_furniture(line) and not _SENTENCE_END.search(line)
            and all(not w[:1].isalpha() or not w[:1].islower() for w in words))


def _without_title_line(text: str, title: str | None) -> str:
    """Extracted pages often repeat the title as the first line of the text."""
    first, _, rest = text.strip().partition("\n")
    return rest if title and first.strip().casefold() == title.strip().casefold() else text


def _clean(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\ufeff", "")


def _lines(text: str) -> list[str]:
    """Text with no sentence punctuation: its line breaks are its only sentence breaks."""
    return [line.strip() for line in _clean(text).split("\n") if line.strip()]


def _blocks(text: str) -> list[str]:
    """Paragraphs with wrapped lines joined; short unpunctuated lines (headings,
    captions, datelines) stand alone so that they never glue onto a sentence, unless
    they end mid-phrase ("The event on 27")."""
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", _clean(text)):
        current: list[str] = []
        for line in (line.strip() for line in paragraph.split("\n")):
            if not line:
                continue
            if _is_heading_like(line) and not (current and _is_fragment(current[-1])):
                blocks.extend(filter(None, [" ".join(current), line]))
                current = []
            else:
                current.append(line)
        if current:
            blocks.append(" ".join(current))
    return blocks


def _is_heading_like(line: str) -> bool:
    return (not _SENTENCE_END.search(line) and count_words(line) < _SOFT_WRAP_WORDS
            and not _is_fragment(line))


def _is_prose(block: str) -> bool:
    return bool(_SENTENCE_END.search(block)) or count_words(block) >= _MIN_PROSE_WORDS


def _is_line_prose(line: str) -> bool:
    return count_words(line) >= _SOFT_WRAP_WORDS
