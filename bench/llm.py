"""Score an OpenAI-compatible LLM server as briefbot's `llm` engine, before and after the checks.

    python -m bench.llm http://localhost:11434/v1 qwen2.5:7b-instruct --set cnndm --limit 50
    python -m bench.llm --fake --set cnndm        # the fake server of the tests, as a careless model

Each article goes through the public Briefer (`engine = "llm"`), as the CLI and the bot use it;
the server's raw answers are kept on the side to count what the checks caught. Reported:

- briefs written by the model (the rest fell back to the extractive brief, with the cause);
- points holding a number the article lacks, and points crediting a source the article does not
  name: in the model's raw answer, then in the brief a reader gets (must be 0);
- figures written back (changed one for one) and sentences dropped, as the warnings say;
- ROUGE F1 x100 of the brief against the reference summaries (rouge-score; Arabic with a
  tokenizer that keeps Arabic letters), and seconds per brief.

`--fake` answers every article with its own lead sentences, spoiled on purpose: one figure moved
(+10), one sentence with an invented number, one crediting "Reuters". It shows the checks at
work on real articles; it says nothing of any model's quality. No LLM server with real weights
can run where briefbot is developed, so real servers' figures come from whoever runs this.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rouge_score import rouge_scorer

from bot.config import Settings
from bot.core.brief import Brief
from bot.core.guard import unsupported_sentences
from bot.core.text.document import parse_plain_text
from bot.core.text.normalize import words
from bot.engines.llm_check import Answer, Unusable, Verifier, parse_answer
from bot.engines.llm_server import ChatServer, Reply
from bot.errors import BriefError
from bot.pipeline import Briefer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/ holds the fake server


DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
METRICS = ("rouge1", "rouge2", "rougeLsum")


@dataclass
class Article:
    sentences: list[str]
    references: list[str]
    language: str


class KeepArabicTokenizer:
    """rouge-score's default tokenizer drops Arabic letters; briefbot's words keep them."""

    def tokenize(self, text: str) -> list[str]:
        return words(text)


def load(name: str, limit: int | None) -> list[Article]:
    articles = []
    path = DATA / "easc" / "easc.jsonl" if name == "easc" else DATA / "cnndm" / "cnndm_frank.jsonl"
    for line in path.open(encoding="utf-8"):
        record = json.loads(line)
        if name == "easc":
            summaries = record["summaries"]
            summaries = ast.literal_eval(summaries) if isinstance(summaries, str) else summaries
            articles.append(Article(parse_plain_text(record["article"], "ar").sentences, summaries, "ar"))
        else:
            lines = record["article_lines"]
            lines = ast.literal_eval(lines) if isinstance(lines, str) else lines
            articles.append(Article([x for x in lines if x.strip()], [record["reference"]], "en"))
    return articles[:limit] if limit else articles


SPOILERS = {  # a sentence with an invented number, and a lead-in crediting an invented source
    "en": ("Officials said 4,321 people were affected.", "Reuters reported that "),
    "ar": ("وقال مسؤولون إن ٤٬٣٢١ شخصا تضرروا.", "وأفادت وكالة رويترز بأن "),
}


def spoiled_answer(article: Article) -> str:
    """The lead sentences, with one figure moved, one number and one source invented."""
    lead = (article.sentences * 3)[:3]  # an article of one or two sentences repeats them
    moved = re.sub(r"\b(\d{2,})\b", lambda m: str(int(m.group(1)) + 10), lead[0], count=1)
    invented_number, invented_source = SPOILERS[article.language]
    third = f"{lead[2][:1].lower()}{lead[2][1:]}" if article.language == "en" else lead[2]
    points = [moved, lead[1], invented_number, invented_source + third]
    return json.dumps({"headline": lead[0], "points": points}, ensure_ascii=False)


class Recorder:
    """Keeps the server's raw answers, in order, without changing what the Briefer gets."""

    def __init__(self, server: ChatServer) -> None:
        self.replies: list[Reply] = []
        complete = server.complete

        def recorded(messages: list[dict[str, str]], schema: dict[str, object]) -> Reply:
            reply = complete(messages, schema)
            self.replies.append(reply)
            return reply

        server.complete = recorded  # type: ignore[method-assign]


@contextmanager
def server_for(args: argparse.Namespace) -> Iterator[tuple[str, str, object]]:
    if not args.fake:
        yield args.url, args.model, None
        return
    from tests.fakellm import MODEL, FakeLLM

    with FakeLLM() as fake:
        yield fake.base_url, MODEL, fake


def run(args: argparse.Namespace) -> dict[str, object]:
    articles = load(args.set, args.limit)
    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=args.set != "easc",
                                      tokenizer=KeepArabicTokenizer() if args.set == "easc" else None)
    counts: Counter[str] = Counter()
    causes: Counter[str] = Counter()
    seconds: list[float] = []
    rouge: dict[str, list[float]] = {m: [] for m in METRICS}
    with server_for(args) as (url, model, fake):
        settings = Settings(engine="llm", points=args.points, target_language=args.to,
                            llm_base_url=url, llm_model=model, llm_timeout=args.timeout)
        briefer = Briefer(settings)
        assert briefer.llm is not None
        recorder = Recorder(briefer.llm)
        for article in articles:
            text = "\n\n".join(article.sentences)
            if fake is not None:
                from tests.fakellm import Step

                fake.reset(Step(spoiled_answer(article)))  # type: ignore[attr-defined]
            started = time.perf_counter()
            recorder.replies.clear()
            try:
                brief = briefer.brief_text(text, to=args.to)
            except BriefError as refused:  # too short, say: the CLI would refuse it too
                counts["refused_by_briefbot"] += 1
                causes[f"refused: {refused}"] += 1
                continue
            seconds.append(time.perf_counter() - started)
            count_brief(brief, article, recorder.replies[-1:], args.points, counts, causes)
            score = scorer.score_multi(article.references, "\n".join(brief.points))
            for metric in METRICS:
                rouge[metric].append(score[metric].fmeasure * 100)
        asyncio.run(briefer.aclose())
    return {"set": args.set, "server": "fake (spoiled leads)" if args.fake else url, "model": model,
            "articles": len(articles), **counts, "fallback_causes": dict(causes.most_common()),
            **{m: round(statistics.mean(v), 1) for m, v in rouge.items()},
            "seconds_per_brief": round(statistics.mean(seconds), 3), "seconds_max": round(max(seconds), 3)}


def count_brief(brief: Brief, article: Article, replies: list[Reply], points: int, counts: Counter[str],
                causes: Counter[str]) -> None:
    """Adds up what the model wrote (its first `points` points, as the Briefer reads them) and what
    the reader got."""
    document = parse_plain_text("\n\n".join(article.sentences), article.language)
    written = str(brief.engine.get("summarizer", "")).startswith("llm:")
    counts["model_briefs"] += written
    if not written:
        causes[re.sub(r"\d+", "N", str(brief.engine.get("llm", {}).get("error", "?")))] += 1
    counts["figures_written_back"] += sum("changed figures were restored" in w for w in brief.warnings)
    counts["sentences_dropped"] += sum("was left out" in w for w in brief.warnings)
    answer = Answer("", [])
    if replies:
        try:
            answer = parse_answer(replies[-1].text, replies[-1].finish_reason)
        except Unusable:
            pass
    answer = Answer(answer.headline, answer.points[:points], answer.figure_labels, answer.source_names)
    verifier = Verifier(document, brief, article.language, brief.language, answer)
    raw = [answer.headline, *answer.points]
    counts["raw_points"] += len(answer.points)
    counts["raw_points_unsupported_number"] += len(
        [i for i in unsupported_sentences(raw, verifier.article, article.language, brief.language) if i > 0])
    counts["raw_points_unknown_source"] += sum(unknown_source(verifier, p) for p in answer.points)
    if written:
        counts["brief_points"] += len(brief.points)
        counts["brief_points_unsupported_number"] += len(
            unsupported_sentences(brief.points, verifier.article, article.language, brief.language))
        counts["brief_points_unknown_source"] += sum(unknown_source(verifier, p) for p in brief.points)


def unknown_source(verifier: Verifier, sentence: str) -> bool:
    return any(not verifier.known(name) for name in verifier.credited(sentence))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", nargs="?", help="the server's base URL, e.g. http://localhost:11434/v1")
    parser.add_argument("model", nargs="?", default="", help="the model id the server knows")
    parser.add_argument("--fake", action="store_true", help="the tests' fake server, answering with spoiled leads")
    parser.add_argument("--set", choices=("cnndm", "easc"), default="cnndm")
    parser.add_argument("--limit", type=int, help="first N articles only")
    parser.add_argument("--points", type=int, default=4)
    parser.add_argument("--to", default="en", help="language of the briefs (default en)")
    parser.add_argument("--timeout", type=float, default=120.0, help="llm_timeout in seconds")
    args = parser.parse_args(argv)
    if not args.fake and not args.url:
        parser.error("give the server's URL and model, or --fake")
    print(json.dumps(run(args), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
