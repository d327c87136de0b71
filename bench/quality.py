"""Score the extractive selector against LEAD and sumy on EASC, CNN/DM-FRANK and XSum-FRANK.

    python bench/quality.py                      # held-out parts of every set, markdown table
    python bench/quality.py --part tune          # the part the selector's weights were tuned on
    python bench/quality.py --set easc --limit 20
    python bench/quality.py --set xsum --points 4   # 4 sentences instead of each set's k

The selector's weights were tuned on the even-numbered articles of EASC and CNN/DM-FRANK
(`--part tune`); `--part test` (the default) reports the odd-numbered ones, and XSum-FRANK,
never tuned on, is reported whole whatever the part. "same as lead" is the share of
articles where the selector picked exactly LEAD's sentences.

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
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from rouge_score import rouge_scorer
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.luhn import LuhnSummarizer

from bot.core.compose import point_candidates
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


def load_frank(path: Path, k: int) -> list[Article]:
    articles = []
    for line in path.open(encoding="utf-8"):
        record = json.loads(line)
        lines = record["article_lines"]
        if isinstance(lines, str):
            lines = ast.literal_eval(lines)
        articles.append(Article([line for line in lines if line.strip()], [record["reference"]], k, "en"))
    return articles


Selector = Callable[[Article], list[int]]


def lead(article: Article) -> list[int]:
    return list(range(min(article.k, len(article.sentences))))


def briefbot_selector(weights: SelectorWeights | None = None) -> Selector:
    """The selector as compose_brief calls it: figure counts, no questions or furniture."""
    def choose(article: Article) -> list[int]:
        counts = [len([f for f in extract_figures(s, article.language) if f.kind != "code"])
                  for s in article.sentences]
        return select_sentences(article.sentences, article.k, article.language, figure_counts=counts,
                                weights=weights or SelectorWeights(),
                                eligible=point_candidates(article.sentences)).chosen
    return choose


class _SumyTokenizer:
    """sumy's own tokenizers need NLTK data; briefbot's sentences and words stand in."""

    def __init__(self, language: str) -> None:
        self.language = language

    def to_sentences(self, paragraph: str) -> list[str]:
        return [paragraph]

    def to_words(self, sentence: str) -> list[str]:
        return words(sentence)


def sumy_selector(summarizer_class: type) -> Selector:
    def choose(article: Article) -> list[int]:
        tokenizer = _SumyTokenizer(article.language)
        sentences = [Sentence(s, tokenizer) for s in article.sentences]
        picked = summarizer_class()(ObjectDocumentModel([Paragraph(sentences)]), article.k)
        return sorted(next(i for i, s in enumerate(sentences) if s is p) for p in picked)
    return choose


SYSTEMS: dict[str, Selector] = {
    "lead": lead,
    "sumy Luhn": sumy_selector(LuhnSummarizer),
    "sumy LexRank": sumy_selector(LexRankSummarizer),
    "briefbot": briefbot_selector(),
}


def evaluate(articles: list[Article], selector: Selector) -> dict[str, float]:
    arabic = articles[0].language == "ar"
    scorer = rouge_scorer.RougeScorer(
        list(METRICS), use_stemmer=not arabic, tokenizer=KeepArabicTokenizer() if arabic else None
    )
    totals: dict[str, list[float]] = {m: [] for m in METRICS}
    fidelity, recall, as_lead = [], [], []
    for article in articles:
        indices = selector(article)
        as_lead.append(float(indices == lead(article)))
        chosen = [article.sentences[i] for i in indices]
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
    result["as_lead"] = 100 * statistics.mean(as_lead)
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
    "cnndm": (lambda: load_frank(DATA / "cnndm" / "cnndm_frank.jsonl", 3), "CNN/DM-FRANK (en), k = 3"),
    "xsum": (lambda: load_frank(DATA / "cnndm" / "xsum_frank.jsonl", 1), "XSum-FRANK (en), k = 1"),
}
HELD_OUT = frozenset({"xsum"})  # never tuned on: reported whole


def part(articles: list[Article], name: str, which: str) -> list[Article]:
    """Even-numbered articles are the tuning part, odd-numbered the held-out part."""
    if name in HELD_OUT or which == "all":
        return articles
    return articles[0 if which == "tune" else 1::2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=[*SETS, "all"], default="all")
    parser.add_argument("--part", choices=["test", "tune", "all"], default="test",
                        help="held-out odd articles (default), the even ones tuned on, or all")
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument("--points", type=int, default=None, help="pick N sentences instead of each set's k")
    args = parser.parse_args(argv)
    names = list(SETS) if args.set == "all" else [args.set]
    print("| set | part | system | R1 | R2 | RLsum | number fidelity | number recall | same as lead |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name in names:
        loader, label = SETS[name]
        articles = part(loader(), name, args.part)[: args.limit]
        if args.points:
            articles = [replace(a, k=args.points) for a in articles]
            label = f"{label.split(',')[0]}, k = {args.points}"
        shown = "all (held out)" if name in HELD_OUT else f"{args.part} ({len(articles)})"
        for system, selector in SYSTEMS.items():
            r = evaluate(articles, selector)
            print(f"| {label} | {shown} | {system} | {r['rouge1']:.1f} | {r['rouge2']:.1f} | {r['rougeLsum']:.1f} "
                  f"| {r['fidelity']:.1f}% | {r['recall']:.1f}% | {r['as_lead']:.0f}% |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
