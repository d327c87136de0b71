"""Plain-text and JSON renderings of a Brief (Telegram HTML lives in telegram_html)."""

from __future__ import annotations

import json

from bot.core.brief import Brief, KeyFigure

_LABEL_WORDS = 4


def figure_label(figure: KeyFigure) -> str:
    """The figure and the few words after it: 'over 140 individuals'."""
    at = figure.context.find(figure.value)
    if at < 0:
        return figure.value
    tail = figure.context[at + len(figure.value):].split()[:_LABEL_WORDS]
    return " ".join([figure.value, *tail])


def render_text(brief: Brief) -> str:
    outlet = next((c.name for c in brief.sources if c.role == "outlet"), None)
    lines = [f"{brief.headline} — {outlet}" if outlet else brief.headline]
    lines += [f"• {point}" for point in brief.points]
    if brief.figures:
        lines.append("Key figures: " + " · ".join(figure_label(f) for f in brief.figures))
    if brief.sources:
        lines.append("Sources: " + " · ".join(c.name for c in brief.sources))
    if brief.source.url:
        lines.append(f"Link: {brief.source.url}")
    lines += [f"Note: {warning}" for warning in brief.warnings]
    return "\n".join(lines)


def render_json(brief: Brief) -> str:
    """One line of JSON: the contract in DESIGN.md (JSON Lines when there are several)."""
    return json.dumps(brief.to_dict(), ensure_ascii=False, separators=(",", ":"))
