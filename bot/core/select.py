"""Extractive selection that needs no model weights and works in any language.

A sentence's score mixes how central it is to the article (TF-IDF cosine to the
whole text), where it stands (news puts the essentials first), how much it shares
with the title, and whether it carries figures; sentences are then picked greedily
with a redundancy penalty (MMR) and returned in reading order. The weights were
tuned on half of EASC and CNN/DM-FRANK (bench/tune_selector.py); bench/quality.py
reports the other half and XSum-FRANK, never tuned on.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace

from bot.core.text.sentences import count_words
from bot.core.text.terms import content_terms


@dataclass(frozen=True)
class SelectorWeights:
    """Tuned by bench/tune_selector.py on the even-numbered articles of EASC and CNN/DM-FRANK:
    the most reference figures kept with ROUGE-1 no lower than LEAD's."""

    centrality: float = 2.0
    position: float = 2.0
    position_decay: float = 1.0   # score of sentence i is 1 / (1 + i) ** decay
    title: float = 0.3
    figures: float = 0.15          # per figure the sentence holds, up to figures_cap of them
    figures_cap: int = 4
    redundancy: float = 0.8       # how much similarity to a chosen sentence costs
    ideal_words: int = 15         # sentences far from this length lose a little
    length: float = 0.0



@dataclass(frozen=True)
class Selection:
    chosen: list[int]     # indices kept, in reading order
    scores: list[float]   # every sentence's score before the redundancy penalty
    # The same without the figure bonus: which of the other sentences' figures matter most
    # is not decided by how many numbers a sentence crowds together.
    relevance: list[float]

    def by_score(self) -> list[int]:
        return sorted(range(len(self.relevance)), key=lambda i: -self.relevance[i])


@dataclass(frozen=True)
class SentenceFeatures:
    """What the score is made of, computed once per article (bench/tune_selector.py scores
    the same features under many weights)."""

    vectors: list[dict[str, float]]
    centrality: list[float]   # TF-IDF cosine to the rest of the article (not to itself: an aside
                              # would look central in a short article)
    title: list[float]        # cosine to the title's terms
    figures: list[int]        # figures the sentence holds
    words: list[int]


def sentence_features(
    sentences: list[str], language: str | None, title: str | None = None, figure_counts: list[int] | None = None,
) -> SentenceFeatures:
    vectors = _tfidf_vectors([content_terms(s, language) for s in sentences])
    centroid = _sum_vectors(vectors)
    title_vector = _tfidf_like(content_terms(title, language)) if title else {}
    return SentenceFeatures(
        vectors=vectors,
        centrality=[_cosine(v, _minus(centroid, v)) for v in vectors],
        title=[_cosine(v, title_vector) for v in vectors],
        figures=list(figure_counts) if figure_counts else [0] * len(sentences),
        words=[count_words(s) for s in sentences],
    )


def select_sentences(
    sentences: list[str],
    count: int,
    language: str | None,
    title: str | None = None,
    figure_counts: list[int] | None = None,
    weights: SelectorWeights = SelectorWeights(),
    eligible: list[bool] | None = None,
) -> Selection:
    """Pick `count` of the `eligible` sentences (all by default)."""
    return select_by_features(sentence_features(sentences, language, title, figure_counts), count, weights, eligible)


def select_by_features(
    features: SentenceFeatures, count: int, weights: SelectorWeights, eligible: list[bool] | None = None,
) -> Selection:
    """The best-scoring sentence first, each next one penalised for repeating what is
    already chosen (MMR); returned in reading order."""
    base = score_sentences(features, weights)
    vectors = features.vectors
    candidates = [i for i in range(len(base)) if eligible is None or eligible[i]]
    chosen: list[int] = []
    while len(chosen) < min(count, len(candidates)):
        best = max(
            (i for i in candidates if i not in chosen),
            key=lambda i: base[i] - weights.redundancy * max((_cosine(vectors[i], vectors[j]) for j in chosen), default=0.0),
        )
        chosen.append(best)
    return Selection(sorted(chosen), base, score_sentences(features, replace(weights, figures=0.0)))


def score_sentences(features: SentenceFeatures, weights: SelectorWeights) -> list[float]:
    scores = []
    for i, length in enumerate(features.words):
        length_fit = -abs(math.log((length + 1) / (weights.ideal_words + 1)))
        scores.append(
            weights.centrality * features.centrality[i]
            + weights.position / (1 + i) ** weights.position_decay
            + weights.title * features.title[i]
            + weights.figures * min(features.figures[i], weights.figures_cap)
            + weights.length * length_fit
        )
    return scores


def _tfidf_vectors(documents: list[list[str]]) -> list[dict[str, float]]:
    frequency = Counter(term for doc in documents for term in set(doc))
    n = len(documents)
    vectors = []
    for doc in documents:
        counts = Counter(doc)
        vectors.append({t: (1 + math.log(c)) * math.log((n + 1) / frequency[t]) for t, c in counts.items()})
    return vectors


def _tfidf_like(terms: list[str]) -> dict[str, float]:
    return {t: 1.0 for t in terms}


def _sum_vectors(vectors: list[dict[str, float]]) -> dict[str, float]:
    total: Counter[str] = Counter()
    for v in vectors:
        total.update(v)
    return dict(total)


def _minus(total: dict[str, float], part: dict[str, float]) -> dict[str, float]:
    return {t: w - part.get(t, 0.0) for t, w in total.items() if w - part.get(t, 0.0) > 1e-12}


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(t, 0.0) for t, w in a.items())
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0
