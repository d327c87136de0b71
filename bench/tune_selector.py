"""Grid-search the selector's weights on the tuning part of EASC and CNN/DM-FRANK.

    python bench/tune_selector.py            # coarse grid: prints the best weights and the runners-up
    python bench/tune_selector.py --fine     # finer grid around the coarse grid's best

The tuning part is the even-numbered articles (bench/quality.py --part tune); the held-out
odd ones and XSum-FRANK are never read here. The objective is the share of the reference
summaries' figures that the selection keeps (number recall), on condition that unigram F1
(a fast stand-in for ROUGE-1) stays at least LEAD's on both sets: key facts first, without
paying for them in overlap with what people wrote.
"""

from __future__ import annotations

import itertools
import sys
from collections import Counter
from dataclasses import dataclass, replace

from bench.quality import SETS, Article, lead, part
from bot.core.compose import point_candidates
from bot.core.facts.figures import extract_figures, figures_match
from bot.core.select import SelectorWeights, SentenceFeatures, select_by_features, sentence_features
from bot.core.text.normalize import words

GRID = {
    "position": [0.5, 1.0, 1.5, 2.0],
    "position_decay": [0.5, 1.0],
    "figures": [0.0, 0.1, 0.2, 0.4],
    "figures_cap": [1, 2],
    "centrality": [0.5, 1.0, 2.0],
    "length": [0.0, 0.2, 0.5],
    "ideal_words": [15, 25],
}
# Round two, around round one's best (centrality 0.5, position 1.5, decay 1.0, figures 0.1,
# cap 2, length 0), once centrality became the cosine to the rest of the article.
FINE_GRID = {
    "position_decay": [1.0],
    "length": [0.0],
    "centrality": [0.5, 1.0, 2.0],
    "position": [1.5, 2.0],
    "figures": [0.1, 0.15],
    "figures_cap": [2, 4],
    "redundancy": [0.5, 0.8],
}


@dataclass
class Prepared:
    article: Article
    features: SentenceFeatures
    eligible: list[bool]
    tokens: list[Counter[str]]
    references: list[Counter[str]]
    reference_figures: list[list]
    sentence_figures: list[list]


def prepare(article: Article) -> Prepared:
    figures = [[f for f in extract_figures(s, article.language) if f.kind != "code"] for s in article.sentences]
    return Prepared(
        article, sentence_features(article.sentences, article.language, figure_counts=[len(f) for f in figures]),
        point_candidates(article.sentences),
        [Counter(words(s)) for s in article.sentences], [Counter(words(r)) for r in article.references],
        [[f for f in extract_figures(r, article.language) if f.kind != "code"] for r in article.references],
        figures,
    )


def unigram_f1(summary: Counter[str], reference: Counter[str]) -> float:
    overlap = sum((summary & reference).values())
    if not overlap:
        return 0.0
    p, r = overlap / sum(summary.values()), overlap / sum(reference.values())
    return 2 * p * r / (p + r)


def measure(prepared: list[Prepared], choose) -> tuple[float, float]:
    f1, kept, total = 0.0, 0, 0
    for item in prepared:
        chosen = choose(item)
        summary = sum((item.tokens[i] for i in chosen), Counter())
        f1 += sum(unigram_f1(summary, r) for r in item.references) / len(item.references)
        figures = [f for i in chosen for f in item.sentence_figures[i]]
        for reference in item.reference_figures:
            total += len(reference)
            kept += sum(any(figures_match(f, k) for k in figures) for f in reference)
    return 100 * f1 / len(prepared), 100 * kept / max(total, 1)


def selector(weights: SelectorWeights):
    def choose(item: Prepared) -> list[int]:
        return select_by_features(item.features, item.article.k, weights, item.eligible).chosen
    return choose


def main() -> int:
    grid = FINE_GRID if "--fine" in sys.argv[1:] else GRID
    sets = {name: [prepare(a) for a in part(SETS[name][0](), name, "tune")] for name in ("easc", "cnndm")}
    floors = {name: measure(items, lambda item: lead(item.article)) for name, items in sets.items()}
    print("LEAD (unigram F1, number recall):", floors)
    results = []
    for values in itertools.product(*grid.values()):
        weights = replace(SelectorWeights(), **dict(zip(grid, values, strict=True)))
        scores = {name: measure(items, selector(weights)) for name, items in sets.items()}
        if all(scores[n][0] >= floors[n][0] for n in sets):
            results.append((sum(s[1] for s in scores.values()), scores, weights))
    results.sort(key=lambda r: -r[0])
    for total, scores, weights in results[:5]:
        print(f"{total:.1f}", scores, weights)
    return 0


if __name__ == "__main__":
    sys.exit(main())
