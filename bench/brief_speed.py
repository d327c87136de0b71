"""Time the default (extractive) brief of an ~800-word article, once loaded.

    python bench/brief_speed.py [--runs 20] [--workers 2]

The article is the bundled example repeated to about 800 words, in English and in
Arabic. 'first' includes building the language detector; 'median' is a warm brief.

Then (issue 14, item 4) whether a second worker helps the extractive stage: the same
briefs one after the other, on `--workers` threads (as the bot's workers run them:
Python's GIL lets one run at a time) and on `--workers` processes (a process pool).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
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
    parser.add_argument("--workers", type=int, default=2)
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
    workers_table(args.workers, 4 * args.runs)


_briefer: Briefer | None = None


def _brief(text: str) -> int:
    """One brief in this process (a pool's worker builds its own Briefer once)."""
    global _briefer
    _briefer = _briefer or Briefer()
    return len(_briefer.brief_text(text).points)


def workers_table(workers: int, briefs: int) -> None:
    text = article_of(800, EXAMPLES / "desalination.en.txt")
    print(f"\nEnglish extractive briefs a minute, {briefs} briefs of {len(text.split())} words, "
          f"load average {os.getloadavg()[0]:.2f}")
    print("| how | briefs/min |")
    print("| --- | --- |")
    _brief(text)
    started = time.perf_counter()
    for _ in range(briefs):
        _brief(text)
    print(f"| one after the other | {60 * briefs / (time.perf_counter() - started):,.0f} |")
    pools: list[tuple[str, Executor]] = [(f"{workers} threads", ThreadPoolExecutor(workers)),
                                         (f"{workers} processes", ProcessPoolExecutor(workers))]
    for how, pool in pools:
        with pool:
            list(pool.map(_brief, [text] * workers))  # each worker loaded, as in a running bot
            started = time.perf_counter()
            list(pool.map(_brief, [text] * briefs))
            print(f"| {how} | {60 * briefs / (time.perf_counter() - started):,.0f} |")


if __name__ == "__main__":
    main()
