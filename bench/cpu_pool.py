"""Issue 14, item 4: would a process pool for the CPU-bound stages pay?

    python bench/cpu_pool.py [--pages 40] [--rounds 3] [--workers 2]

Real English news pages (the Zyte benchmark, ../shared/data/extraction/zyte, read at
run time) are briefed extractively, as the bot briefs a link once it is fetched:

1. what each stage costs per page: extraction (trafilatura), language detection,
   sentences and document (parse_plain_text), and composing the brief (selection,
   figures, attributions);
2. briefs a minute for the same pages: one after the other, on `--workers` threads (what
   the bot's workers are: asyncio.to_thread) with the stage in those threads
   (`cpu_workers = 0`), and on the same threads with a Briefer whose stage runs in
   `--workers` processes (`cpu_workers`, bot/cpu_stage.py: the page goes in and the Brief
   comes back pickled). The modes run in turn, `--rounds` times; the best round of each
   is reported, since the machine may be shared. The workers' resident memory and the
   time the pool takes to start and to close are given too.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.core.brief import Brief  # noqa: E402
from bot.errors import BriefError  # noqa: E402
from bot.pipeline import Briefer  # noqa: E402

ZYTE = ROOT.parent / "shared" / "data" / "extraction" / "zyte"

_briefer = Briefer(Settings())


def brief_page(page: str, url: str) -> Brief | None:
    try:
        return _briefer.brief_html(page, url=url, to="en")
    except BriefError:
        return None


def resident_mb(_: int = 0) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def english_pages(count: int) -> list[tuple[str, str]]:
    """The first `count` Zyte pages that give an English brief."""
    from bot.web.decode import decode_bytes

    gold = json.loads((ZYTE / "ground-truth.json").read_text())
    pages = []
    for page_id, record in gold.items():
        raw = gzip.decompress((ZYTE / "html" / f"{page_id}.html.gz").read_bytes())
        html, _ = decode_bytes(raw)
        brief = brief_page(html, record.get("url", ""))
        if brief is not None and (brief.original.language if brief.original else brief.language) == "en":
            pages.append((html, record.get("url", "")))
        if len(pages) == count:
            break
    return pages


def stage_times(pages: list[tuple[str, str]]) -> dict[str, list[float]]:
    """Milliseconds per page of each CPU stage, measured one after the other (each page twice: the second counts)."""
    from bot.core.brief import SourceInfo
    from bot.core.compose import BriefOptions, compose_brief
    from bot.core.text.document import parse_plain_text
    from bot.language import LanguageIdentifier
    from bot.web.extract import extract_article

    languages = LanguageIdentifier()
    times: dict[str, list[float]] = {"extract": [], "detect": [], "document": [], "compose": [], "brief_html": []}
    for html, url in pages:
        for _ in range(2):
            lap = time.perf_counter()
            article = extract_article(html, url)
            laps = {"extract": time.perf_counter() - lap}
            lap = time.perf_counter()
            language = languages.detect(article.text) or "en"
            laps["detect"] = time.perf_counter() - lap
            lap = time.perf_counter()
            document = parse_plain_text(article.text, language, title=article.title)
            laps["document"] = time.perf_counter() - lap
            lap = time.perf_counter()
            compose_brief(document, SourceInfo(url=url, title=article.title, language=language), BriefOptions())
            laps["compose"] = time.perf_counter() - lap
            lap = time.perf_counter()
            brief_page(html, url)
            laps["brief_html"] = time.perf_counter() - lap
        for stage, seconds in laps.items():
            times[stage].append(1000 * seconds)
    return times


def per_minute(run: Callable[[], object], briefs: int) -> float:
    started = time.perf_counter()
    run()
    return 60 * briefs / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores, {args.workers} workers")
    pages = english_pages(args.pages)
    times = stage_times(pages)
    total = statistics.fmean(times["brief_html"])
    print(f"\n{len(pages)} English Zyte pages, ms per page (warm, one after the other)")
    print("| stage | median | p90 | mean | share of the brief |")
    print("| --- | --- | --- | --- | --- |")
    for stage, values in times.items():
        ordered = sorted(values)
        print(f"| {stage} | {statistics.median(values):.1f} | {ordered[int(0.9 * (len(values) - 1))]:.1f} | "
              f"{statistics.fmean(values):.1f} | {100 * statistics.fmean(values) / total:.0f}% |")

    in_process = Briefer(Settings(cpu_workers=0))
    started = time.perf_counter()
    pooled = Briefer(Settings(cpu_workers=args.workers))  # starts and warms its worker processes
    list(pooled.cpu._pool.map(resident_mb, range(args.workers)))  # type: ignore[union-attr]  # wait for the warm-up
    warmup = time.perf_counter() - started
    threads = ThreadPoolExecutor(args.workers)  # the bot's workers: asyncio.to_thread

    def on_threads(briefer: Briefer) -> Callable[[], object]:
        return lambda: list(threads.map(lambda page: briefer.brief_html(page[0], url=page[1], to="en"), pages))

    modes: dict[str, Callable[[], object]] = {
        "one after the other, cpu_workers = 0": lambda: [in_process.brief_html(h, url=u, to="en") for h, u in pages],
        f"{args.workers} threads, cpu_workers = 0 (the bot's workers today)": on_threads(in_process),
        f"{args.workers} threads, cpu_workers = {args.workers}": on_threads(pooled),
    }
    for run in modes.values():
        run()  # every page once in each mode before the clock starts
    rates: dict[str, list[float]] = {mode: [] for mode in modes}
    loads = [os.getloadavg()[0]]
    for _ in range(args.rounds):
        for mode, run in modes.items():
            rates[mode].append(per_minute(run, len(pages)))
        loads.append(os.getloadavg()[0])
    worker_mb = list(pooled.cpu._pool.map(resident_mb, range(args.workers)))  # type: ignore[union-attr]
    threads.shutdown()
    started = time.perf_counter()
    pooled.cpu.close()
    closing = time.perf_counter() - started
    base = max(rates["one after the other, cpu_workers = 0"])
    print(f"\nbriefs a minute, {len(pages)} pages, best of {args.rounds} rounds (load average "
          f"{' → '.join(f'{x:.1f}' for x in loads)}); pool start and warm-up {warmup:.1f} s, "
          f"{statistics.fmean(worker_mb):.0f} MB resident per worker (this process {resident_mb():.0f} MB), "
          f"closed in {closing:.2f} s")
    print("| how | best | all rounds | against one after the other |")
    print("| --- | --- | --- | --- |")
    for mode, values in rates.items():
        print(f"| {mode} | {max(values):,.0f} | {', '.join(f'{v:,.0f}' for v in values)} | {max(values) / base:.2f}x |")


if __name__ == "__main__":
    main()
