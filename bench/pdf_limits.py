"""How long briefbot spends on PDFs, ordinary and hostile: `python bench/pdf_limits.py`.

Each row is one PDF made here (tests/pdfs.py), read by `bot.web.pdf.extract_pdf` with its
limits, and, for the hostile ones, with pypdf's own defaults only (`--pypdf-defaults` adds
those rows: they take about a minute).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.web.pdf import extract_pdf  # noqa: E402 - after the checkout is on the path
from tests.conftest import EXAMPLES  # noqa: E402
from tests.pdfs import article_pdf, bomb_pdf, make_pdf  # noqa: E402

ARTICLE = (EXAMPLES / "desalination.en.txt").read_text()


def cases() -> dict[str, bytes]:
    return {
        "article, 2 pages": article_pdf(ARTICLE, pages=2),
        "60 articles, 60 pages": article_pdf("\n\n".join([ARTICLE] * 60), pages=60),
        "bomb: 24 MB stream of spaces": bomb_pdf(),
        "operator flood: 600,000 Tj on one page": make_pdf([b"BT /F1 10 Tf " + b"(ab) Tj " * 600_000 + b"ET"]),
        "slow pages: 60 x 99,000 empty Tj": make_pdf([b"BT /F1 10 Tf " + b"() Tj " * 99_000 + b"ET"] * 60,
                                                     compress=True),
    }


def timed(read: Callable[[bytes], object], data: bytes) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        read(data)
        outcome = "read"
    except Exception as error:  # noqa: BLE001 - the outcome is what this bench reports
        outcome = str(error)[:70]
    return time.perf_counter() - started, outcome


def pypdf_only(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pypdf-defaults", action="store_true", help="also time pypdf without briefbot's limits")
    args = parser.parse_args()
    print("| PDF | size | briefbot s | outcome |" + (" pypdf defaults s |" if args.pypdf_defaults else ""))
    print("| --- | --- | --- | --- |" + (" --- |" if args.pypdf_defaults else ""))
    for name, data in cases().items():
        seconds, outcome = timed(extract_pdf, data)
        row = f"| {name} | {len(data) / 1e6:.2f} MB | {seconds:.2f} | {outcome} |"
        if args.pypdf_defaults and not name.startswith(("article", "60 articles")):
            row += f" {timed(pypdf_only, data)[0]:.1f} |"
        print(row)


if __name__ == "__main__":
    main()
