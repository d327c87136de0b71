"""Time the default (extractive) brief of an ~800-word article, once loaded.

    python bench/brief_speed.py [--runs 20]

The article is the bundled example repeated to about 800 words, in English and in
Arabic. 'first' includes building the language detector; 'median' is a warm brief.
Whether worker processes help the bot's extractive stage (issue 14, item 4) is
bench/cpu_pool.py's question.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from bot.pipeline import Briefer

EXAMPLES = Path(__file__).resolve().parents[1] / "bot" / "examples"


def article_of(words: int, path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    title, _, body = text.partition("\n\n")
    paragraphs = [p for p in body.split("\n\n") if len(p.split()) > 12]
    out, count = [], 0
    while count < words:
        for paragraph in paragraphs:
            out.append(paragraph)
            count += len(paragraph.split())
    return title + "\n\n" + "\n\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    briefer = Briefer()
    print("| article | words | first brief (s) | median warm brief (ms) |")
    print("| --- | --- | --- | --- |")
    for name in ("desalination.en.txt", "desalination.ar.txt"):
        text = article_of(800, EXAMPLES / name)
        started = time.perf_counter()
        briefer.brief_text(text)
        first = time.perf_counter() - started
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            briefer.brief_text(text)
            times.append(time.perf_counter() - started)
        print(f"| {name} | {len(text.split())} | {first:.2f} | {1000 * statistics.median(times):.0f} |")


if __name__ == "__main__":
    main()
