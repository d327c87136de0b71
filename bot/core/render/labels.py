"""The words a rendered brief or digest shows around its content, in the reader's language.

Core stays free of catalogs: callers pick the labels for the brief's language
(`bot.i18n.render_labels`) and pass them in; English is the default.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RenderLabels:
    key_figures: str = "Key figures"
    sources: str = "Sources"
    link: str = "Link"
    note: str = "Note"
    digest: str = "Digest"
    sources_differ: str = "Sources differ"
    full_page: str = "Read in full: points, key figures, sources"  # the link to a Telegraph page
    trimmed: str = "Trimmed to fit the page; the source has the rest."


ENGLISH = RenderLabels()
