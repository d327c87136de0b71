"""Telegram HTML: render a Brief, and split any HTML into messages within the limit.

Telegram counts a message's length after entity parsing, in UTF-16 code units
(an emoji is 2), and rejects a message whose tags do not balance, so the splitter
counts only visible text, breaks at a line, then a sentence, then a word, and
closes and re-opens the tags that are open at the break.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.core.brief import Brief, KeyFigure
from bot.core.render.labels import ENGLISH, RenderLabels
from bot.core.render.plain import figure_credit
from bot.core.text.normalize import is_rtl

MESSAGE_LIMIT = 4096
_RLM = "\u200f"  # keeps a right-to-left line right-to-left when it opens with a digit or Latin name


_SURROGATE = re.compile("[\ud800-\udfff]")


def escape(text: str) -> str:
    """HTML-escaped, and without surrogate code points: one alone is no character, and Telegram
    (like any UTF-8 reader) cannot take it; it becomes U+FFFD."""
    return html.escape(_SURROGATE.sub("\ufffd", text), quote=False)


def render_html(brief: Brief, *, show_original: bool = False, labels: RenderLabels = ENGLISH) -> str:
    """`show_original` adds the untranslated sentences in a collapsed quote; `labels` are the
    headings in the brief's language (`bot.i18n.render_labels`)."""
    lines = [_headline(brief)]
    lines += [f"• {escape(point)}" for point in brief.points]
    if show_original and brief.original:
        original = [escape(brief.original.headline), *(f"• {escape(p)}" for p in brief.original.points)]
        lines.append("<blockquote expandable>" + "\n".join(original) + "</blockquote>")
    if brief.figures:
        lines.append(f"<b>{escape(labels.key_figures)}:</b> " + " · ".join(figure_html(f) for f in brief.figures))
    if len(brief.sources) > 1 or (brief.sources and not brief.source.url):
        lines.append(f"<b>{escape(labels.sources)}:</b> " + " · ".join(escape(c.name) for c in brief.sources))
    lines += [f"<i>{escape(warning)}</i>" for warning in brief.warnings]
    if is_rtl(brief.language):
        lines = [_RLM + line for line in lines]
    return "\n".join(lines)


def _headline(brief: Brief) -> str:
    title = f"<b>{escape(brief.headline)}</b>"
    outlet = next((c.name for c in brief.sources if c.role == "outlet"), None)
    if brief.source.url:
        link = html.escape(brief.source.url, quote=True)
        return f'{title} — <a href="{link}">{escape(outlet or "source")}</a>'
    return f"{title} — {escape(outlet)}" if outlet else title


def figure_html(figure: KeyFigure) -> str:
    """'<b>over 140</b> individuals (ISNA)': the value bold, then its label and source."""
    label = figure_credit(figure)
    at = label.find(figure.value)  # the label may open with words before the value ("Lucy, 32")
    if at < 0:
        return f"<b>{escape(figure.value)}</b> {escape(label)}"
    end = at + len(figure.value)
    return f"{escape(label[:at])}<b>{escape(figure.value)}</b>{escape(label[end:])}"


# ---- splitting -------------------------------------------------------------------

_TOKEN = re.compile(r"<[^>]*>|&(?:#\d+|#x[0-9a-fA-F]+|\w+);|[^<&]|&")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9-]+)")


@dataclass(frozen=True)
class _Atom:
    raw: str
    units: int                    # visible UTF-16 units (0 for a tag)
    stack: tuple[str, ...]        # open tags (as written) after this atom


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2  # a stray surrogate counts, never crashes


def visible_text(markup: str) -> str:
    """The text Telegram shows for `markup`: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]*>", "", markup))


def split_html(markup: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Chunks of `markup`, each balanced and within `limit` visible UTF-16 units."""
    atoms = _atoms(markup)
    chunks: list[str] = []
    start = 0
    opened: tuple[str, ...] = ()
    while start < len(atoms):
        end = _chunk_end(atoms, start, limit)
        closing = atoms[end - 1].stack
        body = "".join(a.raw for a in atoms[start:end])
        chunks.append("".join(opened) + body + "".join(_closing_tag(t) for t in reversed(closing)))
        opened, start = closing, end
    return [c for c in chunks if visible_text(c)]


def _atoms(markup: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    stack: list[str] = []
    for m in _TOKEN.finditer(markup):
        raw = m.group(0)
        if raw.startswith("<"):
            _apply_tag(stack, raw)
            atoms.append(_Atom(raw, 0, tuple(stack)))
        else:
            atoms.append(_Atom(raw, utf16_length(html.unescape(raw)), tuple(stack)))
    return atoms


def _apply_tag(stack: list[str], tag: str) -> None:
    name = _tag_name(tag)
    if tag.startswith("</"):
        for i in range(len(stack) - 1, -1, -1):
            if _tag_name(stack[i]) == name:
                del stack[i:]
                break
    elif not tag.endswith("/>"):
        stack.append(tag)


def _tag_name(tag: str) -> str:
    m = _TAG_NAME.match(tag)
    return m.group(1).lower() if m else ""


def _closing_tag(open_tag: str) -> str:
    return f"</{_tag_name(open_tag)}>"


def _chunk_end(atoms: list[_Atom], start: int, limit: int) -> int:
    """Index just past the last atom of the chunk that begins at `start`."""
    used = 0
    end = start
    while end < len(atoms) and used + atoms[end].units <= limit:
        used += atoms[end].units
        end += 1
    if end == len(atoms):
        return end
    if end == start:
        return start + 1  # one atom wider than the limit: send it alone rather than loop
    return _best_break(atoms, start, end)


def _best_break(atoms: list[_Atom], start: int, end: int) -> int:
    """Break after a newline, else after a sentence, else after a space, else at `end`."""
    for wanted in (_after_newline, _after_sentence, _after_space):
        for i in range(end - 1, start, -1):
            if wanted(atoms, i):
                return i + 1
    return end


def _after_newline(atoms: list[_Atom], i: int) -> bool:
    return atoms[i].raw == "\n"


def _after_sentence(atoms: list[_Atom], i: int) -> bool:
    return atoms[i].raw == " " and i > 0 and atoms[i - 1].raw in (".", "!", "?", "؟", "…")


def _after_space(atoms: list[_Atom], i: int) -> bool:
    return atoms[i].raw.isspace()
