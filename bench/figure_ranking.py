"""Which key figures does a brief list first? Recall of the reference summaries' numbers among
a brief's figures, at several list lengths, on articles nobody labelled for figures.

    python bench/figure_ranking.py                    # held-out (odd) halves, at 4 6 8 10 12 figures
    python bench/figure_ranking.py --part tune --at 8 10

A reference summary says which numbers people who summarised the article kept; a good ranking
lists those early. Only reference figures that the brief's own full list holds (with no limit)
count, so the score measures ranking, not extraction. Articles of facts/dev.jsonl are left out,
like bench/figure_labels.py; even articles are the tuning part, odd ones held out, as in
bench/quality.py. Each figure of a reference is matched by normalised value
(bench/facts.py's rule). "longest message" is the longest brief's Telegram HTML, in UTF-16
units (Telegram allows 4,096), with the default max_figures.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from facts import value_equal  # noqa: E402 (bench/ modules, run as scripts)
from figure_labels import DEV, SHARED, article_text, dev_lines  # noqa: E402

from bot import Briefer  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.core.facts.figures import extract_figures  # noqa: E402
from bot.core.render.telegram_html import render_html, utf16_length  # noqa: E402

SETS = {"cnndm": (SHARED / "cnndm" / "cnndm_frank.jsonl", "en"), "easc": (SHARED / "easc" / "easc.jsonl", "ar")}
ALL_FIGURES = 1000


def references(record: dict[str, Any]) -> list[str]:
    if "reference" in record:
        return [record["reference"]]
    summaries = record["summaries"]
    return list(ast.literal_eval(summaries) if isinstance(summaries, str) else summaries)


def reference_values(record: dict[str, Any], language: str) -> list[str]:
    return [f.normalized for text in references(record) for f in extract_figures(text, language)
            if f.kind != "code" and f.normalized]


def ranks(listed: list[str], wanted: list[str]) -> list[int]:
    """Where in the brief's full list each reachable reference figure first appears."""
    found = (next((i for i, value in enumerate(listed) if value_equal(w, value)), None) for w in wanted)
    return [i for i in found if i is not None]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["test", "tune", "all"], default="test")
    parser.add_argument("--at", type=int, nargs="+", default=[4, 6, 8, 10, 12])
    args = parser.parse_args(argv)
    dev = dev_lines() if DEV.is_file() else set()
    briefer = Briefer(Settings().with_values({"max_figures": ALL_FIGURES}))
    default = Settings().max_figures
    print("| set | part | articles | reachable | " + " | ".join(f"at {n}" for n in args.at)
          + f" | longest message (at {default}) |")
    print("| --- | --- | --- | --- |" + " --- |" * (len(args.at) + 1))
    for name, (path, language) in SETS.items():
        if not path.is_file():
            print(f"figure_ranking.py: no data at {path}", file=sys.stderr)
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        numbered = [(n, line) for n, line in enumerate(lines) if line.strip() and (path.name, n) not in dev]
        start = {"tune": 0, "test": 1}.get(args.part)
        chosen = numbered if start is None else numbered[start::2]
        found: list[int] = []
        longest = 0
        for _, line in chosen:
            record = json.loads(line)
            try:
                brief = briefer.brief_text(article_text(record), to=language)
            except Exception:  # noqa: BLE001 (a refused article lists nothing; bench/refusals.py counts them)
                continue
            found.extend(ranks([f.normalized for f in brief.figures], reference_values(record, language)))
            shown = dataclasses.replace(brief, figures=brief.figures[:default])
            longest = max(longest, utf16_length(render_html(shown)))
        cells = [f"{100 * sum(r < n for r in found) / max(1, len(found)):.1f}%" for n in args.at]
        print(f"| {name} ({language}) | {args.part} | {len(chosen)} | {len(found)} | " + " | ".join(cells) + f" | {longest} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
