"""Issue 12 ("Build and show"): time per KB of the core text functions that bench/figures_speed.py
does not cover (sentences, parse_plain_text, attributions, selection, HTML splitting) on
adversarial text from 10 KB to 1 MB. Linear code keeps ms/KB flat (within 2x) as the text grows.

    python bench/core_speed.py            # 10 KB, 100 KB, 1 MB
    python bench/core_speed.py --max-kb 100 --only attributions
"""

from __future__ import annotations

import argparse
import html
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.facts.attributions import find_attributions  # noqa: E402
from bot.core.render.telegram_html import split_html  # noqa: E402
from bot.core.select import select_sentences  # noqa: E402
from bot.core.text.document import parse_plain_text  # noqa: E402
from bot.core.text.sentences import split_sentences  # noqa: E402

# (language, unit repeated to the size). Units without a full stop make one endless sentence.
PATTERNS: dict[str, tuple[str, str]] = {
    "'1 ' repeated": ("en", "1 "),
    "one endless number": ("en", "1"),
    "'March ' repeated": ("en", "March "),
    "'Mr. ' repeated": ("en", "Mr. "),
    "'Mr. Smith said ' repeated, one endless line": ("en", "Mr. Smith said "),
    "news sentences, one endless line": ("en", "Officials said more than 140 people died on March 5, 2020. "
                                               "\"It is a disaster,\" Mr. John Smith, the mayor, told Reuters. "),
    "news paragraphs": ("en", "The ministry said 1,200 homes were hit on Monday, according to the U.N.\n\n"),
    "Arabic news, one endless line": ("ar", "قال المتحدث باسم الوزارة أحمد علي إن 140 شخصا قتلوا في 5 مارس. "),
    "Arabic 'قال ' repeated": ("ar", "قال "),
}

_SENTENCES_PER_SELECTION = 4


def sized(unit: str, kb: int) -> str:
    """`unit` repeated to `kb` KB of UTF-8."""
    copies = kb * 1024 // len(unit.encode()) + 1
    return unit * copies


def as_html(text: str) -> str:
    """Telegram HTML of `text`: every tenth line bold, a link now and then, entities escaped."""
    lines = text.split("\n") if "\n" in text else [text]
    out = []
    for n, line in enumerate(lines):
        escaped = html.escape(line, quote=False)
        out.append(f"<b>{escaped}</b>" if n % 10 == 0 else f'<a href="https://x.example/{n}">{escaped}</a>'
                   if n % 10 == 5 else escaped)
    return "\n".join(out)


def per_kb(function: Callable[[str, str], object], text: str, language: str) -> float:
    """The best of three runs below 1 MB (one at 1 MB): the 10 KB figure is a few ms, and one
    stray pause would double it."""
    best = float("inf")
    for _ in range(1 if len(text) > 500_000 else 3):
        started = time.perf_counter()
        function(text, language)
        best = min(best, time.perf_counter() - started)
    return 1000 * best / (len(text.encode()) / 1024)


def _attributions(text: str, language: str) -> object:
    return find_attributions(split_sentences(text, language), language)


def _selection(text: str, language: str) -> object:
    sentences = split_sentences(text, language)
    return select_sentences(sentences, _SENTENCES_PER_SELECTION, language, "Officials said people died")


FUNCTIONS: dict[str, Callable[[str, str], object]] = {
    "sentences": lambda text, language: split_sentences(text, language),
    "parse_plain_text": lambda text, language: parse_plain_text(text, language),
    # attributions and selection take sentences: the timing includes splitting them, as a pasted
    # article pays it (the "sentences" row shows that part alone)
    "attributions": _attributions,
    "selection": _selection,
    "split_html": lambda text, language: split_html(as_html(text)),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-kb", type=int, default=1024)
    parser.add_argument("--only", choices=sorted(FUNCTIONS), action="append")
    args = parser.parse_args(argv)
    sizes = [kb for kb in (10, 100, 1024) if kb <= args.max_kb]
    functions = {n: f for n, f in FUNCTIONS.items() if not args.only or n in args.only}
    print("| text | function | " + " | ".join(f"ms/KB at {kb} KB" for kb in sizes) + " | largest / smallest |")
    print("| --- | --- |" + " --- |" * (len(sizes) + 1))
    worst = 0.0
    for name, (language, unit) in PATTERNS.items():
        for function_name, function in functions.items():
            function(unit * 3, language)  # loads models and compiles patterns outside the timing
            costs = [per_kb(function, sized(unit, kb), language) for kb in sizes]
            ratio = max(costs) / min(costs) if min(costs) else 0.0
            worst = max(worst, ratio)
            print(f"| {name} | {function_name} | " + " | ".join(f"{c:.3f}" for c in costs)
                  + f" | {ratio:.1f}x |", flush=True)
    print(f"\nworst largest/smallest ratio: {worst:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
