"""briefbot: briefs of news articles in any language, with exact figures and named sources.

    from bot import Briefer
    brief = Briefer().brief_file("article.txt")
"""

__version__ = "0.1.0"

from bot.pipeline import Briefer  # noqa: E402  (the public API)

__all__ = ["Briefer", "__version__"]
