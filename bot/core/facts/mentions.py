"""A credit as a language's rules find it, before aliases are merged into sources."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mention:
    name: str      # as the article writes it
    sentence: int  # index of the sentence that gives the credit
    # "name": a proper name; "body": a known agency, outlet or international body (name shown);
    # "generic": an unnamed credit (police, مصادر أمنية); "backref": "the ministry", "المرصد",
    # resolved to a named source; "pronoun": "he said", credited to the source just named.
    kind: str
    canonical: str | None = None  # a known body's shown name, which aliases share ("ISNA", "إسنا")
