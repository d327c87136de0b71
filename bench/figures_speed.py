"""Issue 12 item 4 for figures: time per KB of figure extraction, dates and the figure guard on
adversarial text from 10 KB to 1 MB. Linear code keeps ms/KB flat (within 2x) as the text grows.

    python bench/figures_speed.py            # 10 KB, 100 KB, 1 MB
    python bench/figures_speed.py --max-kb 100
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.facts.dates import find_dates  # noqa: E402
from bot.core.facts.figures import extract_figures  # noqa: E402
from bot.core.facts.labels import figure_context  # noqa: E402
from bot.core.guard import check_figures  # noqa: E402

PATTERNS = {
    "'1 ' repeated": "1 ",
    "one endless number": "1",
    "'1,000,' repeated": "1,000,",
    "'March ' repeated": "March ",
    "'March 5, 2020 ' repeated": "March 5, 2020 ",
    "Arabic words": "خمسة عشر ألفا و",
    "CJK": "一百二十万 12万 ",
    "news, one endless line": ("Officials said more than 140 people, 71 of them fighters, died on November 28, 2024 "
                               "at 05:30 about 10 km from Aleppo; call +44 20 7946 0958 or see page 4 and 12-15% "),
}


def per_kb(function: Callable[[str], object], text: str) -> float:
    started = time.perf_counter()
    function(text)
    return 1000 * (time.perf_counter() - started) / (len(text.encode()) / 1024)


def label_seconds(text: str) -> float:
    """Seconds for the labels of the first 2,000 figures: the cost must not grow with the text."""
    figures = extract_figures(text, "en")[:2000]
    started = time.perf_counter()
    for figure in figures:
        figure_context(text, figure.start, figure.end)
    return time.perf_counter() - started


FUNCTIONS: dict[str, Callable[[str], object]] = {
    "figures": lambda text: extract_figures(text, "en"),
    "dates": find_dates,
    "guard": lambda text: check_figures(text, "en", text, "en"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-kb", type=int, default=1024)
    args = parser.parse_args(argv)
    sizes = [kb for kb in (10, 100, 1024) if kb <= args.max_kb]
    print("| text | function | " + " | ".join(f"ms/KB at {kb} KB" for kb in sizes) + " | largest / smallest |")
    print("| --- | --- |" + " --- |" * (len(sizes) + 1))
    for name, unit in PATTERNS.items():
        for function_name, function in FUNCTIONS.items():
            costs = []
            for kb in sizes:
                text = (unit * (kb * 1024 // len(unit.encode()) + 1))[: kb * 1024 // max(1, len(unit.encode()) // len(unit))]
                costs.append(per_kb(function, text))
            ratio = costs[-1] / costs[0] if costs[0] else 0.0
            print(f"| {name} | {function_name} | " + " | ".join(f"{c:.2f}" for c in costs) + f" | {ratio:.1f}x |")
    line = PATTERNS["news, one endless line"]
    for copies in (50, 5000):
        print(f"\nlabels of 2,000 figures in a {len(line) * copies // 1024} KB line: "
              f"{label_seconds(line * copies):.2f} s", end="")
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
