"""The languages a channel's digest is posted in, each perhaps in a forum topic of its own.

An admin writes `lang en,ar` (one post per language) or `lang en:12,ar:34` (each language's
post in that forum topic: Telegram's message_thread_id). The channel keeps the entries as
written ("en", "ar:34"); none means the channel's one `language`, posted as a single digest.
Pure functions: which codes a model can translate into is the caller's question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.store.channels import Channel

MAX_LANGUAGES = 5  # a post each: five languages of a long digest are already a minute of Telegram's 20 posts/min
_ENTRY = re.compile(r"([A-Za-z]{2})(?::(\d{1,18}))?")


@dataclass(frozen=True)
class DigestLanguage:
    code: str
    topic: int | None = None  # the forum topic its posts go to; None: where the channel's digests go

    def __str__(self) -> str:
        return self.code if self.topic is None else f"{self.code}:{self.topic}"


def parse_languages(text: str) -> list[DigestLanguage]:
    """'en, ar:34' (or 'en ar:34') → English, and Arabic in topic 34. ValueError when it is not
    such a list, names a language twice or more than MAX_LANGUAGES of them."""
    languages: list[DigestLanguage] = []
    for entry in filter(None, re.split(r"[,\s]+", text)):
        match = _ENTRY.fullmatch(entry)
        topic = int(match.group(2)) if match and match.group(2) else None
        if match is None or topic == 0:
            raise ValueError(f"'{entry}' is neither a language code nor code:topic")
        languages.append(DigestLanguage(match.group(1).lower(), topic))
    codes = [language.code for language in languages]
    if not codes or len(set(codes)) != len(codes) or len(codes) > MAX_LANGUAGES:
        raise ValueError(f"give 1 to {MAX_LANGUAGES} different languages")
    return languages


def digest_languages(channel: Channel, default: str) -> list[DigestLanguage]:
    """The channel's digest languages in posting order; its one `language` (or `default`) when
    it has no list, or a stored list that no longer parses (digests go on rather than stop)."""
    if channel.languages:
        try:
            return parse_languages(",".join(channel.languages))
        except ValueError:
            pass
    return [DigestLanguage(channel.language or default)]
