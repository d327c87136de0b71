"""The Brief: what every renderer, the CLI, the bot and digests exchange.

`Brief.to_dict()` is the JSON contract of DESIGN.md; keys are added, never renamed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

# What a key figure counts; the values are the JSON's `kind`.
FigureKind = Literal["number", "percent", "money", "quantity", "ratio", "date", "year", "score", "age"]
# Who a credit is: the publisher, a source the article names, or a generic one (police, officials).
CreditRole = Literal["outlet", "cited", "generic"]


@dataclass
class SourceInfo:
    url: str | None = None
    site: str | None = None
    title: str | None = None
    author: str | None = None
    published: str | None = None  # YYYY-MM-DD
    language: str | None = None


@dataclass
class KeyFigure:
    value: str        # as it reads in the brief
    context: str      # the words around it, so the figure means something alone
    kind: FigureKind
    normalized: str   # the value compared by the guard ("140", "2024-11-28")
    qualifier: str | None = None
    unit: str | None = None
    source: str | None = None  # whom the article credits for it (a name in `sources`)


@dataclass
class Credit:
    name: str
    role: CreditRole
    url: str | None = None


@dataclass
class OriginalText:
    """The brief's sentences before translation, for readers who want to check them."""

    language: str
    headline: str
    points: list[str]


@dataclass
class Brief:
    source: SourceInfo
    language: str
    headline: str
    points: list[str]
    figures: list[KeyFigure] = field(default_factory=list)
    sources: list[Credit] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    engine: dict[str, Any] = field(default_factory=dict)
    original: OriginalText | None = None  # set when the brief was translated

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Brief:
        """The inverse of `to_dict`, for briefs kept in a cache."""
        original = data.get("original")
        return cls(
            source=SourceInfo(**data["source"]),
            language=data["language"],
            headline=data["headline"],
            points=list(data["points"]),
            figures=[KeyFigure(**figure) for figure in data.get("figures", [])],
            sources=[Credit(**credit) for credit in data.get("sources", [])],
            warnings=list(data.get("warnings", [])),
            engine=dict(data.get("engine", {})),
            original=OriginalText(**original) if original else None,
        )
