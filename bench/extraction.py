"""Score article extraction on the Zyte benchmark (181 pages) and two real Arabic pages.

    python bench/extraction.py

Zyte: precision, recall and F1 of word tokens (multiset overlap) between the
extracted text and the human gold body, averaged over pages, for briefbot's
extract_article beside plain trafilatura.extract with its defaults. Arabic: CNN
Arabic against its expected text (F1), Assabah against snippets that must and
must not appear plus its gold title and date.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura

from bot.errors import BriefError
from bot.web.decode import decode_bytes
from bot.web.extract import extract_article

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "extraction"
_TOKEN = re.compile(r"\w+", re.UNICODE)


def token_scores(extracted: str, gold: str) -> tuple[float, float, float]:
    got, want = Counter(_TOKEN.findall(extracted.lower())), Counter(_TOKEN.findall(gold.lower()))
    overlap = sum((got & want).values())
    precision = overlap / sum(got.values()) if got else 0.0
    recall = overlap / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def briefbot_text(html: str, url: str) -> str:
    try:
        page = extract_article(html, url)
    except BriefError:
        return ""
    return page.text


def trafilatura_text(html: str, url: str) -> str:
    return trafilatura.extract(html, url=url) or ""


def score_zyte(extract: Callable[[str, str], str]) -> tuple[float, float, float]:
    gold = json.loads((DATA / "zyte" / "ground-truth.json").read_text())
    rows = []
    for page_id, record in gold.items():
        raw = gzip.decompress((DATA / "zyte" / "html" / f"{page_id}.html.gz").read_bytes())
        html, _ = decode_bytes(raw, None)
        rows.append(token_scores(extract(html, record.get("url", "")), record["articleBody"]))
    return tuple(statistics.mean(column) for column in zip(*rows, strict=True))  # type: ignore[return-value]


def score_arabic() -> list[str]:
    lines = []
    arabic = DATA / "arabic"
    html, _ = decode_bytes((arabic / "cnn-arabic.html").read_bytes(), None)
    expected = (arabic / "cnn-arabic.expected.txt").read_text(encoding="utf-8")
    meta = json.loads((arabic / "cnn-arabic.metadata.json").read_text(encoding="utf-8"))
    page = extract_article(html, meta.get("url"))
    p, r, f = token_scores(page.text, expected)
    lines.append(f"| CNN Arabic | F1 {f:.3f} (P {p:.3f}, R {r:.3f}) | title {'ok' if page.title == meta.get('title') else repr(page.title)} |")
    evaldata = json.loads((arabic / "assabah.evaldata.json").read_text(encoding="utf-8"))
    url, record = next(iter(evaldata.items()))
    html, _ = decode_bytes((arabic / "assabah.html").read_bytes(), None)
    page = extract_article(html, url)
    present = sum(s in page.text for s in record["with"])
    absent = sum(s not in page.text for s in record["without"])
    title_ok = " ".join((page.title or "").split()) == " ".join(record.get("title", "").split())
    date = f"date {page.published} (gold: {record.get('date') or 'none given'})"
    lines.append(f"| Assabah | {present}/{len(record['with'])} required snippets, {absent}/{len(record['without'])} "
                 f"furniture snippets kept out | title {'ok' if title_ok else 'differs'}, {date} |")
    return lines


def main() -> int:
    print("| extractor (Zyte, 181 pages) | precision | recall | F1 |")
    print("| --- | --- | --- | --- |")
    for name, extract in (("trafilatura.extract, defaults", trafilatura_text), ("briefbot extract_article", briefbot_text)):
        p, r, f = score_zyte(extract)
        print(f"| {name} | {p:.3f} | {r:.3f} | {f:.3f} |")
    print()
    print("| Arabic page | text | metadata |")
    print("| --- | --- | --- |")
    for line in score_arabic():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
