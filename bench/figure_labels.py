"""Key figures on articles nobody labelled: are the labels text of the article, do they hold
their figure, does a brief show only numbers its source has, and what kinds are listed?

    python bench/figure_labels.py                 # CNN/DM-FRANK (250, en) and EASC (153, ar), less facts/dev.jsonl
    python bench/figure_labels.py --show 5        # also print the figures of 5 articles per set

No gold is needed, so these sets are out of sample for the figure work (facts/dev.jsonl holds
41 of their articles; they are skipped here). A label is verbatim when it is a span of the
article (whitespace collapsed) that holds the figure's value as written; a number is
unsupported when its digits are not a number of the article (bench/facts.py's rule).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bot import Briefer

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SETS = {"cnndm": (SHARED / "cnndm" / "cnndm_frank.jsonl", "en"), "easc": (SHARED / "easc" / "easc.jsonl", "ar")}
DEV = SHARED / "facts" / "dev.jsonl"
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_NUMBER = re.compile(r"\d+(?:[.,٫٬]\d+)*")


def collapse(text: str) -> str:
    return " ".join(text.split())


def digit_numbers(text: str) -> set[str]:
    return {re.sub(r"\D", "", n) for n in _NUMBER.findall(text.translate(_DIGITS))}


def dev_lines() -> set[tuple[str, int]]:
    """(file name, line index from 0) of each article in facts/dev.jsonl, from its `origin`."""
    if not DEV.is_file():
        return set()
    origins = (json.loads(line)["origin"] for line in DEV.open(encoding="utf-8") if line.strip())
    return {(Path(file).name, int(number)) for *_, file, number in (o.split(":") for o in origins)}


def article_text(record: dict[str, Any]) -> str:
    return "\n\n".join(record["article_lines"]) if "article_lines" in record else record["article"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=0, help="print the figures of N articles per set")
    args = parser.parse_args(argv)
    dev = dev_lines()
    briefer = Briefer()
    print("| set | articles | refused | figures | labels verbatim | unsupported numbers (briefs) | ms/brief |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    shown: list[str] = []
    for name, (path, language) in SETS.items():
        if not path.is_file():
            print(f"figure_labels.py: no data at {path}", file=sys.stderr)
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for number, line in enumerate(lines)
                   if line.strip() and (path.name, number) not in dev]
        kinds: Counter[str] = Counter()
        refused = figures = verbatim = unfaithful = 0
        started = time.perf_counter()
        for index, record in enumerate(records):
            text = article_text(record)
            try:
                brief = briefer.brief_text(text, to=language)
            except Exception:  # noqa: BLE001 (a refusal is counted, not fatal)
                refused += 1
                continue
            article = collapse(text)
            for figure in brief.figures:
                figures += 1
                kinds[figure.kind] += 1
                context = collapse(figure.context)
                verbatim += bool(context) and figure.value in context and context in article
            shown_numbers = digit_numbers(" ".join([brief.headline, *brief.points, *(f.value for f in brief.figures)]))
            unfaithful += bool(shown_numbers - digit_numbers(text))
            if index < args.show:
                shown.append(f"{name} {record['id']}: " + " · ".join(
                    f"{f.value} [{f.kind} {f.normalized}] «{f.context}»" for f in brief.figures))
        briefed = len(records) - refused
        ms = 1000 * (time.perf_counter() - started) / max(1, len(records))
        print(f"| {name} ({language}) | {len(records)} | {refused} | {figures} | "
              f"{100 * verbatim / max(1, figures):.1f}% ({verbatim}/{figures}) | {unfaithful}/{briefed} | {ms:.0f} |")
        print(f"|  kinds | {', '.join(f'{k} {n}' for k, n in kinds.most_common())} | | | | | |")
    if shown:
        print("\n" + "\n".join(shown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
