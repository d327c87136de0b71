"""A channel's digest template: which parts each entry shows, a header and a footer line.

Pure. Stored as JSON in `channels.template` ("" is the default template, which gives the
digest as it always was). Admins change it word by word (`points 3 figures off`), so
validation errors are UI texts with placeholders, translated where they are shown.
Header and footer may hold `{date}` and `{channel}`; those two are replaced explicitly
and nothing else in them is interpreted: an admin's text is never a format string.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import N_

log = logging.getLogger(__name__)
MAX_POINTS = 5        # points an entry may show; 0 shows the headline alone
MAX_LINE = 200        # characters in a header or a footer
MAX_HASHTAGS = 10     # hashtags a feed may carry
MAX_HASHTAG = 50      # characters in one hashtag, '#' included
SWITCHES = ("figures", "sources", "original", "link")
ON, OFF = ("on", "yes", "true", "1"), ("off", "no", "false", "0")

_PLACEHOLDER = re.compile(r"\{(date|channel)\}")
_HASHTAG = re.compile(r"#\w*[^\W\d]\w*")  # Telegram's: letters, digits, _, not digits alone
_QUOTES = "\"'“”«»„‘’"


class TemplateError(ValueError):
    """A template or hashtag that cannot be used: a UI text and its values, translated when shown."""

    def __init__(self, text: str, **values: object) -> None:
        super().__init__(text.format(**values) if values else text)
        self.text = text
        self.values = values


@dataclass(frozen=True)
class DigestTemplate:
    points: int = 2
    figures: bool = True
    sources: bool = True
    original: bool = False    # the headline in the article's language, under a translated one
    link: bool = True         # the headline and the outlets link to the articles
    header: str = ""          # replaces the "Digest: <channel>" title; empty: that title
    footer: str = ""          # a line after the last entry; empty: none

    def __post_init__(self) -> None:
        if not 0 <= self.points <= MAX_POINTS:
            raise TemplateError(N_("Points must be a number from 0 to {n}."), n=MAX_POINTS)
        for line in (self.header, self.footer):
            if len(line) > MAX_LINE:
                raise TemplateError(N_("A header or footer may have at most {n} characters."), n=MAX_LINE)

    # ---- storage ---------------------------------------------------------------------

    @classmethod
    def parse(cls, raw: str) -> DigestTemplate:
        """The template stored as `raw` (JSON); "" is the default. TemplateError if it is not one."""
        if not raw.strip():
            return cls()
        try:
            data = json.loads(raw)
        except ValueError:
            raise TemplateError(N_("This template is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise TemplateError(N_("This template is not valid JSON."))
        values: dict[str, Any] = {f.name: _typed(f.name, data[f.name]) for f in fields(cls) if f.name in data}
        return cls(**values)

    @classmethod
    def stored(cls, raw: str) -> DigestTemplate:
        """The template a channel stored; the default (and a warning in the log) if it is broken,
        so that a hand-edited row never stops the channel's digests."""
        try:
            return cls.parse(raw)
        except TemplateError as error:
            log.warning("a stored digest template is broken (%s); the default is used", error)
            return cls()

    def serialize(self) -> str:
        """JSON, or "" for the default template (so a reset channel stores nothing special)."""
        return "" if self == DigestTemplate() else json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    # ---- changes, as an admin types them ------------------------------------------------

    def with_parts(self, words: list[str]) -> DigestTemplate:
        """`["points", "3", "figures", "off", "link", "on"]` applied in order."""
        if not words or len(words) % 2:
            raise TemplateError(N_("Give each part a value: points 2 figures off sources on original off link on"))
        changes: dict[str, Any] = {}
        for key, value in zip(words[::2], words[1::2], strict=True):
            key, value = key.lower(), value.lower()
            if key == "points":
                if not value.isdecimal():
                    raise TemplateError(N_("Points must be a number from 0 to {n}."), n=MAX_POINTS)
                changes["points"] = int(value)
            elif key in SWITCHES:
                changes[key] = _switch(key, value)
            else:
                raise TemplateError(N_("'{part}' is not a part of a template. The parts are: points, {parts}."),
                                    part=key, parts=", ".join(SWITCHES))
        return replace(self, **changes)

    def with_line(self, which: str, text: str) -> DigestTemplate:
        """The header or footer set to `text` (one line, quotes around it dropped); "" clears it."""
        if which == "header":
            return replace(self, header=one_line(text))
        return replace(self, footer=one_line(text))

    # ---- rendering ----------------------------------------------------------------------

    def heading(self, default: str, channel: str, day: str) -> str:
        """The first line of the digest: the header with its placeholders filled, or `default`."""
        return fill(self.header, channel, day) if self.header else default

    def closing(self, channel: str, day: str) -> str:
        return fill(self.footer, channel, day)


def one_line(text: str) -> str:
    """Whitespace (newlines included) collapsed, control characters dropped, and one pair of
    surrounding quotes dropped."""
    text = " ".join("".join(c for c in text if unicodedata.category(c) != "Cc" or c.isspace()).split())
    if len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    return text


def fill(text: str, channel: str, day: str) -> str:
    """`{channel}` and `{date}` replaced in one pass, so a channel named "{date}" stays as named."""
    values = {"channel": channel, "date": day}
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def local_day(now: float, timezone: str) -> str:
    """'2026-11-26': the day it is at `now` in the channel's time zone (UTC's if the stored zone
    is no longer one: a digest never fails for its date line)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return datetime.fromtimestamp(now, zone).date().isoformat()


def parse_hashtags(words: list[str]) -> str:
    """'#economy #gulf' from what an admin typed ('economy' gets its '#'); "" for none."""
    tags = list(dict.fromkeys(word if word.startswith("#") else f"#{word}" for word in words))
    if len(tags) > MAX_HASHTAGS:
        raise TemplateError(N_("A feed can have at most {n} hashtags."), n=MAX_HASHTAGS)
    for tag in tags:
        if len(tag) > MAX_HASHTAG or not _HASHTAG.fullmatch(tag):
            raise TemplateError(N_("{tag} is not a hashtag: use letters, digits and _, at most {n} characters."),
                                tag=tag, n=MAX_HASHTAG)
    return " ".join(tags)


def _switch(part: str, value: str) -> bool:
    if value in ON:
        return True
    if value in OFF:
        return False
    raise TemplateError(N_("'{part}' takes on or off."), part=part)


def _typed(name: str, value: object) -> object:
    """A stored value of the type its field needs, or TemplateError."""
    wanted: type = int if name == "points" else str if name in ("header", "footer") else bool
    if type(value) is not wanted:
        raise TemplateError(N_("This template is not valid JSON."))
    return value
