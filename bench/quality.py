"""Score the extractive selector against LEAD on EASC (Arabic) and CNN/DM-FRANK (English).

    python bench/quality.py                      # both sets, markdown table
    python bench/quality.py --set easc --limit 20

ROUGE is rouge-score's F1 x100. Arabic needs a tokenizer that keeps Arabic letters
(rouge-score's default drops them) and alef/hamza folding on both sides, because
EASC's summaries were alef-normalised. Number fidelity: share of the figures in a
summary that its article supports (must be 100). Number recall: share of the
reference summaries' figures that the summary keeps.
"""

from __future__ import annotations

import argparse
import ast
import json
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from rouge_score import rouge_scorer

from bot.core.facts.figures import extract_figures, figures_match
from bot.core.select import SelectorWeights, select_sentences
from bot.core.text.document import parse_plain_text
from bot.core.text.normalize import words

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
METRICS = ("rouge1", "rouge2", "rougeLsum")


class KeepArabicTokenizer:
    """rouge-score tokenizer that keeps any letter and folds Arabic alef/hamza forms."""

    def tokenize(self, text: str) -> list[str]:
        return words(text)


@dataclass
class Article:
    sentences: list[str]
    references: list[str]  # one or more reference summaries
    k: int
    language: str


def load_easc(path: Path) -> list[Article]:
    articles = []
    for line in path.open(encoding="utf-8"):
        record = json.loads(line)
        summaries = record["summaries"]
        if isinstance(summaries, str):
            summaries = ast.literal_eval(summaries)
        document = parse_plain_text(record["article"], "ar")
        lengths = [len(parse_plain_text(s, "ar").sentences) for s in summaries]
        k = max(1, round(statistics.mean(lengths)))
        articles.append(Article(document.sentences, summaries, k, "ar"))
    return articles


def load_cnndm(path: Path) -> list[Article]:
    articles = []
    for line in path.open(encoding="utf-8"):
        record = json.loads(line)
        lines = record["article_lines"]
        if isinstance(lines, str):
            lines = ast.literal_eval(lines)
        articles.append(Article([l for l in lines if l.strip()], [record["reference"]], 3, "en"))
    return articles


Selector = Callable[[Article], list[int]]


def lead(article: Article) -> list[int]:
    return list(range(min(article.k, len(article.sentences))))


def briefbot_selector(weights: SelectorWeights = SelectorWeights()) -> Selector:
    def choose(article: Article) -> list[int]:
        has_figures = [bool(extract_figures(s, article.language)) for s in article.sentences]
        return select_sentences(article.sentences, article.k, article.language,
                                has_figures=has_figures, weights=weights).chosen
    return choose


def evaluate(articles: list[Article], selector: Selector) -> dict[str, float]:
    arabic = articles[0].language == "ar"
    scorer = rouge_scorer.RougeScorer(
        list(METRICS), use_stemmer=not arabic, tokenizer=KeepArabicTokenizer() if arabic else None
    )
    totals = {m: [] for m in METRICS}
    fidelity, recall = [], []
    for article in articles:
        chosen = [article.sentences[i] for i in selector(article)]
        summary = "\n".join(chosen)
        per_reference = [scorer.score("\n".join(_reference_lines(r, article.language)), summary)
                         for r in article.references]
        for metric in METRICS:
            totals[metric].append(statistics.mean(s[metric].fmeasure for s in per_reference))
        fidelity.extend(_fidelity(article, summary))
        recall.extend(_recall(article, summary))
    result = {m: 100 * statistics.mean(v) for m, v in totals.items()}
    result["fidelity"] = 100 * statistics.mean(fidelity) if fidelity else 100.0
    result["recall"] = 100 * statistics.mean(recall) if recall else 0.0
    return result


def _reference_lines(reference: str, language: str) -> list[str]:
    return parse_plain_text(reference, language).sentences or [reference]


def _fidelity(article: Article, summary: str) -> list[float]:
    source = extract_figures(" ".join(article.sentences), article.language)
    return [float(any(figures_match(f, s) for s in source))
            for f in extract_figures(summary, article.language) if f.kind != "code"]


def _recall(article: Article, summary: str) -> list[float]:
    kept = extract_figures(summary, article.language)
    return [float(any(figures_match(f, k) for k in kept))
            for reference in article.references
            for f in extract_figures(reference, article.language) if f.kind != "code"]


SETS = {
    "easc": (lambda: load_easc(DATA / "easc" / "easc.jsonl"), "EASC (ar), k = mean human length"),
    "cnndm": (lambda: load_cnndm(DATA / "cnndm" / "cnndm_frank.jsonl"), "CNN/DM-FRANK (en), k = 3"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=[*SETS, "all"], default="all")
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    args = parser.parse_args(argv)
    names = list(SETS) if args.set == "all" else [args.set]
    print("| set | system | R1 | R2 | RLsum | number fidelity | number recall |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name in names:
        loader, label = SETS[name]
        articles = loader()[: args.limit]
        for system, selector in (("lead", lead), ("briefbot", briefbot_selector())):
            r = evaluate(articles, selector)
            print(f"| {label} | {system} | {r['rouge1']:.1f} | {r['rouge2']:.1f} | {r['rougeLsum']:.1f} "
                  f"| {r['fidelity']:.1f}% | {r['recall']:.1f}% |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
