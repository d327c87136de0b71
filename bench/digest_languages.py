"""What briefing once for several digest languages saves (issue 16, item 3).

    python bench/digest_languages.py [--pages 30] [--languages en,ar,fr,de,es] [--runs 3]

Real English news pages (the Zyte benchmark, ../shared/data/extraction/zyte) are briefed in
N languages two ways: as a digest in several languages now does it (`Briefer.briefs_html`: the
page extracted, detected and selected once, the brief translated into each language), and as
N separate briefs (`brief_html(page, to=language)` for each language, what a digest made per
language would cost). The translator is a stand-in that marks each text and costs nothing, so
the figures are the CPU work a digest no longer repeats; a real model's translation costs the
same either way (the same texts are translated into each language) and comes on top of both.
Best of `--runs` runs, each the whole set, one after the other in this process.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.errors import BriefError  # noqa: E402
from bot.pipeline import Briefer  # noqa: E402
from bot.web.decode import decode_bytes  # noqa: E402

ZYTE = ROOT.parent / "shared" / "data" / "extraction" / "zyte"


class MarkingTranslator:
    """Translates nothing: marks each text with its target, at no cost (a provider and a translator)."""

    name = signature = "marking"

    def __init__(self, source: str = "", target: str = "") -> None:
        self.source, self.target = source, target

    def translator_for(self, source: str, target: str) -> MarkingTranslator:
        return MarkingTranslator(source, target)

    def install_hint(self, source: str, target: str) -> str | None:
        return None

    def translate(self, texts: list[str], beam_size: int | None = None) -> list[str]:
        return [f"[{self.target}] {text}" for text in texts]


def english_pages(briefer: Briefer, count: int) -> list[tuple[str, str]]:
    """The first `count` Zyte pages that give an English brief."""
    gold = json.loads((ZYTE / "ground-truth.json").read_text())
    pages = []
    for page_id, record in gold.items():
        html, _ = decode_bytes(gzip.decompress((ZYTE / "html" / f"{page_id}.html.gz").read_bytes()))
        try:
            if briefer.brief_html(html, url=record.get("url", ""), to="en").language == "en":
                pages.append((html, record.get("url", "")))
        except BriefError:
            continue
        if len(pages) == count:
            break
    return pages


def best_seconds(runs: int, work: Callable[[], None]) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--languages", default="en,ar,fr,de,es")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    languages = args.languages.split(",")
    briefer = Briefer(Settings(), translators=MarkingTranslator())
    pages = english_pages(briefer, args.pages)

    def once() -> None:
        for html, url in pages:
            briefer.briefs_html(html, languages, url=url)

    def apart() -> None:
        for html, url in pages:
            for language in languages:
                briefer.brief_html(html, url=url, to=language)

    together, separately = best_seconds(args.runs, once), best_seconds(args.runs, apart)
    print(f"{len(pages)} pages in {len(languages)} languages ({args.languages}), best of {args.runs}:")
    print("| how | seconds | ms per page |")
    print("| --- | --- | --- |")
    print(f"| briefed once, translated per language (briefs_html) | {together:.2f} | {1000 * together / len(pages):.0f} |")
    print(f"| one brief per language (brief_html each) | {separately:.2f} | {1000 * separately / len(pages):.0f} |")
    print(f"saved: {1 - together / separately:.0%}")


if __name__ == "__main__":
    main()
