"""The CPU-bound stage of a brief, in the briefing thread or in a pool of processes.

Extraction (trafilatura), language detection, sentences and the extractive brief
(selection, figures, attributions) are pure Python and hold the GIL: the bot's
workers, threads of one process, take turns at them. With `cpu_workers` > 0 this
stage runs in that many processes instead (bench/cpu_pool.py: 1.8x the briefs a
minute with 2 on 2 idle cores); the model stages stay in the main process, where the
models and the translation batcher live.

A job and its result cross the process boundary pickled, so the stage is a plain
function of a `ComposeJob`; a worker imports this module, bot.core, the language
detector and trafilatura, nothing of Telegram, the engines or the store.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import CancelledError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from bot.core.brief import Brief, SourceInfo
from bot.core.compose import BriefOptions, compose_brief
from bot.core.text.document import Document, parse_plain_text
from bot.core.text.sentences import count_words
from bot.errors import InputError
from bot.language import LanguageIdentifier

log = logging.getLogger(__name__)

# A worker is replaced after this many briefs, so that what a library keeps (lxml's and
# trafilatura's caches) cannot grow without bound; a new one costs about 0.5 s to warm.
BRIEFS_PER_WORKER = 1000
WARM_TEXTS = ("desalination.en.txt", "desalination.ar.txt")  # load English and Arabic rules once


@dataclass(frozen=True)
class ComposeJob:
    """One text or page to brief, with everything the stage needs (picklable)."""

    text: str | bytes                # plain text, or the page when `html`
    options: BriefOptions
    min_words: int
    max_words: int
    source: SourceInfo | None = None  # what the caller knows of the origin
    html: bool = False
    url: str | None = None


@dataclass(frozen=True)
class Composed:
    brief: Brief                      # extractive, in the source's language
    document: Document                # what a summarizer reads, when one is configured


def compose(job: ComposeJob, languages: LanguageIdentifier) -> Composed:
    """The extractive brief of a text or page; InputError or NotAnArticle when there is none."""
    text, source = job.text, job.source
    if job.html:
        from bot.web.extract import extract_article  # trafilatura: loaded for pages only

        article = extract_article(text, job.url)
        found = SourceInfo(url=article.url, site=article.site, title=article.title,
                           author=article.author, published=article.published)
        text, source = article.text, fill_source(found, source)
    assert isinstance(text, str)  # bytes are pages, which extraction made text
    text = text.strip() if text else ""
    if not text:
        raise InputError("The text is empty.", "Paste an article or give a file with one.")
    words = count_words(text)
    if words > job.max_words:
        raise InputError(f"The text is too long to brief ({words:,} words).",
                         f"Briefs are for single articles of up to {job.max_words:,} words.")
    language = languages.detect(text)
    if language is None:
        raise InputError("Could not tell which language the text is in.", "Is it an article in a natural language?")
    source = replace(source or SourceInfo(), language=language)
    document = parse_plain_text(text, language, title=source.title)
    check_briefable(document, words, job.min_words)
    source = replace(source, title=source.title or document.title, url=source.url or document.url)
    brief = compose_brief(document, source, job.options)
    brief.engine = {"summarizer": "extractive", "translator": None, "sentences": len(document.sentences)}
    return Composed(brief, document)


def fill_source(found: SourceInfo, given: SourceInfo | None) -> SourceInfo:
    """What the page says of itself, with what the caller knew in the gaps."""
    if given is None:
        return found
    return replace(given, **{name: value for name, value in asdict(found).items() if value is not None})


def check_briefable(document: Document, typed_words: int, min_words: int) -> None:
    """Refuse a text with too little to brief, naming which is missing: words or sentences.
    Words are counted by the script's own rules (characters for Chinese, Japanese, Thai)."""
    words = count_words(document.text)
    if words < min_words:
        raise InputError(f"The text is too short to brief ({_word_count(typed_words, words, min_words)}).",
                         f"A brief needs at least {min_words} words in two or more sentences.")
    if len(document.sentences) < 2:
        raise InputError(f"The text has only one sentence of article text ({words} words), "
                         "and a brief needs two or more.",
                         "Paste the whole article, with its sentence punctuation.")


def _word_count(typed: int, article: int, min_words: int) -> str:
    """'3 words' for a short text; '52 words, 12 of them article text' when headings and
    captions (short lines without a full stop) are what leaves a long enough text short."""
    if typed < min_words or article == typed:
        return f"{typed} words"
    return f"{typed} words, {article} of them article text"


# ---- in a worker process -------------------------------------------------------------

_worker_languages: LanguageIdentifier | None = None


def compose_in_worker(job: ComposeJob) -> Composed:
    """`compose` with the worker's own language detector, built once."""
    global _worker_languages
    _worker_languages = _worker_languages or LanguageIdentifier()
    return compose(job, _worker_languages)


def warm_worker() -> None:
    """Imports trafilatura and loads the detector and the sentence rules before the first brief."""
    examples = Path(__file__).resolve().parent / "examples"
    for name in WARM_TEXTS:
        compose_in_worker(ComposeJob((examples / name).read_text(encoding="utf-8"), BriefOptions(), 1, 1_000_000))
    compose_in_worker(ComposeJob("<html><body><p>" + "A sentence of some words about nothing at all. " * 12
                                 + "</p></body></html>", BriefOptions(), 1, 1_000_000, html=True))


class CpuStage:
    """Runs compose jobs in the calling thread (`workers` = 0) or in `workers` processes,
    started and warmed when made. Thread-safe; `close` waits for the jobs in progress."""

    def __init__(self, workers: int, languages: LanguageIdentifier) -> None:
        self.workers = workers
        self.languages = languages
        self._lock = threading.Lock()
        self._pool = self._start() if workers > 0 else None

    def _start(self) -> ProcessPoolExecutor:
        # forkserver: workers are forked from a small server that preloaded this module and
        # trafilatura, not from the bot (no copy of its threads, sockets or models); a worker
        # that replaces a retired one starts in milliseconds.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, "bot.web.extract"])
        pool = ProcessPoolExecutor(self.workers, mp_context=context, max_tasks_per_child=BRIEFS_PER_WORKER)
        for _ in range(self.workers):
            pool.submit(warm_worker)  # in the background: nobody waits for it
        return pool

    def compose(self, job: ComposeJob) -> Composed:
        pool = self._pool
        if pool is None:
            return compose(job, self.languages)
        try:
            return pool.submit(compose_in_worker, job).result()
        except BrokenProcessPool:  # a worker was killed (out of memory?): this brief in-process, new workers next
            log.warning("a CPU worker process died; starting new ones")
            self._replace(pool)
        except CancelledError:  # closed while the job waited: finish it here
            pass
        except RuntimeError as error:  # submitted after close, while the process shuts down
            if "after shutdown" not in str(error):
                raise
        return compose(job, self.languages)

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is broken:
                self._pool = self._start()
        broken.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stops the workers once the jobs in progress are done; jobs after this run in-process."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
