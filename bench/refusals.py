"""Brief every article of EASC and CNN/DM-FRANK and count the refusals (issue 11: none).

    python bench/refusals.py                 # both sets; prints each refusal and its message
    python bench/refusals.py --set easc

Articles are pasted text, as a user would paste them (CNN/DM's lines as paragraphs), briefed
by the extractive engine in their own language through the public Briefer.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from bot import Briefer
from bot.errors import BriefError

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def easc() -> Iterator[tuple[str, str]]:
    for line in (DATA / "easc" / "easc.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        yield str(record["id"]), record["article"]


def cnndm() -> Iterator[tuple[str, str]]:
    for line in (DATA / "cnndm" / "cnndm_frank.jsonl").open(encoding="utf-8"):
        record = json.loads(line)
        lines = record["article_lines"]
        if isinstance(lines, str):
            lines = ast.literal_eval(lines)
        yield str(record["id"]), "\n\n".join(lines)


SETS = {"easc": easc, "cnndm": cnndm}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=[*SETS, "all"], default="all")
    args = parser.parse_args(argv)
    briefer = Briefer()
    refused_any = False
    for name in SETS if args.set == "all" else [args.set]:
        total = refused = 0
        for article_id, text in SETS[name]():
            total += 1
            try:
                briefer.brief_text(text, keep=frozenset({"ar", "en"}))
            except BriefError as error:
                refused += 1
                print(f"  {name} {article_id}: {error}")
        print(f"{name}: {total - refused} of {total} briefed, {refused} refused")
        refused_any |= refused > 0
    return 1 if refused_any else 0


if __name__ == "__main__":
    sys.exit(main())
