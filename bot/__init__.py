"""briefbot: briefs of news articles in any language, with exact figures and named sources.

    from bot import Briefer
    brief = Briefer().brief_file("article.txt")

`Briefer` is loaded on first use, so that `import bot.core…` and `briefbot --version`
stay light: the pipeline pulls in extraction, language detection and HTTP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Briefer", "__version__"]

if TYPE_CHECKING:
    from bot.pipeline import Briefer


def __getattr__(name: str) -> Any:
    if name == "Briefer":
        from bot.pipeline import Briefer

        return Briefer
    raise AttributeError(f"module 'bot' has no attribute {name!r}")
