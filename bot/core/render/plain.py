"""Plain-text and JSON renderings of a Brief (Telegram HTML lives in telegram_html)."""

from __future__ import annotations

import json

from bot.core.brief import Brief, KeyFigure
from bot.core.render.labels import ENGLISH, RenderLabels


def figure_label(figure: KeyFigure) -> str:
    """The figure's label, verbatim text: its context from the figure on when words follow it
    there ('over 140 individuals'), else the whole context ('Lucy, 32'); the bare value only
    when the context does not hold it. Never words joined from elsewhere."""
    at = figure.context.find(figure.value)
    if at < 0:
        return figure.value
    tail = figure.context[at:]
    return tail if any(c.isalpha() for c in tail[len(figure.value):]) else figure.context


def figure_credit(figure: KeyFigure) -> str:
    """The label with whom the article credits for it: 'over 140 individuals (ISNA)'."""
    label = figure_label(figure)
    return f"{label} ({short_source(figure.source)})" if figure.source else label


def short_source(name: str) -> str:
    """'Iranian Student News Agency (ISNA)' → 'ISNA'; other names whole."""
    if name.endswith(")") and "(" in name:
        return name[name.rindex("(") + 1:-1]
    return name


def outlet_name(brief: Brief) -> str | None:
    return next((c.name for c in brief.sources if c.role == "outlet"), None)


def render_text(brief: Brief, labels: RenderLabels = ENGLISH) -> str:
    """`labels` are the headings in the brief's language (`bot.i18n.render_labels`)."""
    outlet = next((c.name for c in brief.sources if c.role == "outlet"), None)
    lines = [f"{brief.headline} — {outlet}" if outlet else brief.headline]
    lines += [f"• {point}" for point in brief.points]
    if brief.figures:
        lines.append(f"{labels.key_figures}: " + " · ".join(figure_credit(f) for f in brief.figures))
    if brief.sources:
        lines.append(f"{labels.sources}: " + " · ".join(c.name for c in brief.sources))
    if brief.source.url:
        lines.append(f"{labels.link}: {brief.source.url}")
    lines += [f"{labels.note}: {warning}" for warning in brief.warnings]
    return "\n".join(lines)


def render_json(brief: Brief) -> str:
    """One line of JSON: the contract in DESIGN.md (JSON Lines when there are several)."""
    return json.dumps(brief.to_dict(), ensure_ascii=False, separators=(",", ":"))
