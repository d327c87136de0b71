"""The Briefer: one object that turns text, HTML or a file into a Brief.

The CLI, the bot and the digests all use it. Everything here is synchronous CPU
work; `abrief_*` run it in a worker thread so an event loop never blocks on it.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, Unpack

from bot import __version__
from bot.config import Settings
from bot.core.brief import Brief, SourceInfo
from bot.core.compose import BriefOptions
from bot.core.text.document import Document
from bot.cpu_stage import ComposeJob, CpuStage, fill_source
from bot.engines.apply import summarize_brief, translate_brief
from bot.engines.base import TranslationFailed, TranslatorProvider
from bot.engines.batcher import batched
from bot.engines.manager import Engines
from bot.errors import BriefError, InputError, UnsupportedSource, megabytes
from bot.i18n import untranslated_note
from bot.language import LanguageIdentifier, is_known_language, language_name
from bot.web.decode import decode_text, is_pdf
from bot.web.policy import FetchPolicy

if TYPE_CHECKING:  # each loaded when first needed: `briefbot brief file.txt` needs no HTTP, HTML or PDF code
    from bot.engines.llm_server import ChatServer
    from bot.web.fetch import SafeFetcher

# Told the name of each stage as it starts ("fetching", "summarizing", "writing", "translating");
# called from a worker thread for the CPU stages, so it must be thread-safe.
Progress = Callable[[str], None]
# Told each stage's name ("compose", "summarize", "translate") and seconds as it ends (the bot's
# metrics); called from a worker thread, so it must be thread-safe.
StageTimes = Callable[[str, float], None]

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
PDF_SUFFIXES = frozenset({".pdf"})


def _ignore(stage: str) -> None:
    """The progress callback when nobody is listening."""


def _untimed(stage: str, seconds: float) -> None:
    """The timings callback when nobody is listening."""


@dataclass(frozen=True)
class BriefRequestOptions:
    """What a caller asks of one brief besides its text; every field may be left out."""

    to: str | None = None              # the brief's language; None: settings.target_language
    points: int | None = None          # sentences in the brief; None: settings.points
    source: SourceInfo | None = None   # what is known of the text's origin (URL, title…)
    progress: Progress | None = None   # told the name of each stage as it starts
    keep: frozenset[str] = frozenset()  # source languages the reader reads: those are not translated
    timings: StageTimes | None = None  # told each stage's seconds as it ends


class BriefKeywords(TypedDict, total=False):
    """The same options as keywords: `briefer.brief_html(page, to="en", points=3)`."""

    to: str | None
    points: int | None
    source: SourceInfo | None
    progress: Progress | None
    keep: frozenset[str]
    timings: StageTimes | None


class Briefer:
    """Loads what it needs once; brief as many sources as you like with it."""

    def __init__(
        self,
        settings: Settings | None = None,
        translators: TranslatorProvider | None = None,
        fetcher: SafeFetcher | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.engines = Engines(self.settings)
        self.translators: TranslatorProvider = translators or self.engines
        self.languages = LanguageIdentifier()
        self.cpu = CpuStage(self.settings.cpu_workers, self.languages)
        self.llm = _chat_server(self.settings) if self.settings.engine == "llm" else None
        # A fetcher given from outside (the bot's shared one) is its owner's to close.
        self._owns_fetcher = fetcher is None
        self._fetcher = fetcher
        if fetcher is None:
            fetch_policy(self.settings)  # a bad fetch setting is a usage error now, not at the first link

    @property
    def fetcher(self) -> SafeFetcher:
        """The safe fetcher for links, made on first use (aiohttp is not loaded for files and text)."""
        if self._fetcher is None:
            from bot.web.fetch import SafeFetcher

            self._fetcher = SafeFetcher(fetch_policy(self.settings))
        return self._fetcher

    async def aclose(self) -> None:
        """Close the HTTP session of the fetcher this Briefer made (call once, when done with links)."""
        if self._owns_fetcher and self._fetcher is not None:
            await self._fetcher.close()
        if self.llm is not None:
            await asyncio.to_thread(self.llm.close)
        await asyncio.to_thread(self.cpu.close)  # the CPU worker processes, once their briefs are done

    # ---- entry points -----------------------------------------------------------

    def brief_text(
        self,
        text: str,
        *,
        to: str | None = None,
        points: int | None = None,
        source: SourceInfo | None = None,
        progress: Progress | None = None,
        keep: frozenset[str] = frozenset(),
    ) -> Brief:
        """Brief pasted text. `source` carries what is known of its origin (URL, title…);
        a source in one of the `keep` languages is not translated (the reader reads it)."""
        return self._brief_text(text, BriefRequestOptions(to, points, source, progress, keep))

    def briefs_text(self, text: str, languages: Sequence[str], **options: Unpack[BriefKeywords]) -> list[Brief]:
        """The text's brief in each of `languages`, in their order (a digest in several languages):
        read, selected and summarized once, then translated into each language with the figure
        guard checking each translation. `languages` take the place of the `to` option."""
        return self._briefs_text(text, BriefRequestOptions(**options), languages)

    def _brief_text(self, text: str, request: BriefRequestOptions) -> Brief:
        return self._briefs_text(text, request, [request.to])[0]

    def _briefs_text(self, text: str | bytes, request: BriefRequestOptions, languages: Sequence[str | None],
                     html: bool = False, url: str | None = None) -> list[Brief]:
        """The briefs of a text, or of a page when `html`."""
        started = time.perf_counter()
        report = request.progress or _ignore
        targets = [self._target(to) for to in languages] or [self._target(None)]  # none: the default language
        report("summarizing")
        options = BriefOptions(points=request.points or self.settings.points, max_figures=self.settings.max_figures)
        job = ComposeJob(text, options, self.settings.min_words, self.settings.max_words, request.source, html, url)
        composed = self.cpu.compose(job)  # extraction, detection and selection, in a worker process if any
        timings = request.timings or _untimed
        timings("compose", time.perf_counter() - started)
        brief, document = composed.brief, composed.document
        if brief.language in request.keep:
            targets = [brief.language for _ in targets]
        summarizing = time.perf_counter()
        self._summarize(brief, document, targets[0], report)
        if self.settings.engine != "extractive":  # else the selection in compose was the summary
            timings("summarize", time.perf_counter() - summarizing)
        # each further language translates its own copy of the summarized brief, never the article again
        briefs = [brief, *(copy.deepcopy(brief) for _ in targets[1:])]
        for each, target in zip(briefs, targets, strict=True):
            self._translate(each, target, report, timings)
            each.engine["seconds"] = round(time.perf_counter() - started, 3)
        return briefs

    def brief_html(self, page: bytes | str, *, url: str | None = None, **options: Unpack[BriefKeywords]) -> Brief:
        """Brief a web page: only its main text is used, never menus or footers.
        `options` are those of `brief_text`."""
        return self._brief_html(page, url, BriefRequestOptions(**options))

    def briefs_html(self, page: bytes | str, languages: Sequence[str], *, url: str | None = None,
                    **options: Unpack[BriefKeywords]) -> list[Brief]:
        """The page's brief in each of `languages`, made once and translated (see `briefs_text`)."""
        return self._briefs_html(page, url, BriefRequestOptions(**options), languages)

    def _brief_html(self, page: bytes | str, url: str | None, request: BriefRequestOptions) -> Brief:
        return self._briefs_html(page, url, request, [request.to])[0]

    def _briefs_html(self, page: bytes | str, url: str | None, request: BriefRequestOptions,
                     languages: Sequence[str | None]) -> list[Brief]:
        return self._briefs_text(page, request, languages, html=True, url=url)

    def brief_file(self, path: Path | str, **options: Unpack[BriefKeywords]) -> Brief:
        """Brief a `.txt`, `.html` or `.pdf` file (`options` as for `brief_text`)."""
        path = Path(path)
        if path.is_dir():  # before the suffix check: a folder is not "a file with no extension"
            raise InputError("This is a folder, not a file.", "Give the path of one article file.")
        _check_suffix(path.name)
        try:
            if path.stat().st_size > self.settings.max_input_bytes:
                raise InputError(f"The file is larger than {megabytes(self.settings.max_input_bytes)}.",
                                 "Briefs are for single articles; give one article at a time.")
            data = path.read_bytes()
        except FileNotFoundError:
            raise InputError("No such file.") from None
        except PermissionError:
            raise InputError("Permission denied.") from None
        return self.brief_document(data, path.name, **options)

    def brief_document(self, data: bytes, filename: str | None = None, **options: Unpack[BriefKeywords]) -> Brief:
        """Brief a file's bytes (an upload, standard input): a PDF by its %PDF- header whatever
        its name, HTML by its suffix or its first tag, text otherwise. `options` are those of `brief_text`."""
        request = BriefRequestOptions(**options)
        if len(data) > self.settings.max_input_bytes:
            raise InputError(f"The file is larger than {megabytes(self.settings.max_input_bytes)}.",
                             "Briefs are for single articles; give one article at a time.")
        if is_pdf(data, filename):
            return self._brief_pdf(data, request)
        if filename:
            _check_suffix(filename)
            if Path(filename).suffix.lower() in PDF_SUFFIXES:
                raise InputError("This file is named .pdf but is not a PDF document.",
                                 "Give the article as a PDF, text, HTML or a link.")
        # One decoder for files and pages alike (declared charset, UTF-8, then detection);
        # it also names a PDF or an image that only wears a .txt or .html name.
        text = decode_text(data)
        if _looks_like_html(data, filename):
            return self._brief_html(text, None, request)
        return self._brief_text(text, request)

    def _brief_pdf(self, data: bytes, request: BriefRequestOptions) -> Brief:
        # 20 characters a word is far above any language's average (about 6 in English): a PDF that holds
        # more is refused while it is read, before its text could cost more than max_words allows.
        from bot.web.pdf import PdfLimits, extract_pdf

        limits = PdfLimits(max_text_chars=self.settings.max_words * 20)
        pdf = extract_pdf(data, limits)
        found = SourceInfo(title=pdf.title, author=pdf.author, published=pdf.published)
        return self._brief_text(pdf.text, replace(request, source=fill_source(found, request.source)))

    async def abrief_url(self, url: str, **options: Unpack[BriefKeywords]) -> Brief:
        """Fetch a link safely and brief the article on it (`options` as for `brief_text`)."""
        request = BriefRequestOptions(**options)
        (request.progress or _ignore)("fetching")
        page = await self.fetcher.fetch(url)
        if page.content_type == "text/plain":
            found = SourceInfo(url=page.url)
            return await asyncio.to_thread(self._brief_text, page.text,
                                           replace(request, source=fill_source(found, request.source)))
        brief = await asyncio.to_thread(self._brief_html, page.text, page.url, request)
        if not brief.source.url:
            brief.source.url = page.url
        return brief

    @property
    def signature(self) -> str:
        """Names what made a brief, so that cached briefs from other engines are not reused."""
        return (f"briefbot {__version__}; engines: {self.engines.signature}; "
                f"translators: {self.translators.signature}")

    async def abrief_text(self, text: str, **options: Unpack[BriefKeywords]) -> Brief:
        return await asyncio.to_thread(self._brief_text, text, BriefRequestOptions(**options))

    async def abrief_html(self, page: bytes | str, **options: Unpack[BriefKeywords]) -> Brief:
        return await asyncio.to_thread(self._brief_html, page, None, BriefRequestOptions(**options))

    async def abriefs_text(self, text: str, languages: Sequence[str], **options: Unpack[BriefKeywords]) -> list[Brief]:
        return await asyncio.to_thread(self._briefs_text, text, BriefRequestOptions(**options), languages)

    async def abriefs_html(self, page: bytes | str, languages: Sequence[str], *, url: str | None = None,
                           **options: Unpack[BriefKeywords]) -> list[Brief]:
        return await asyncio.to_thread(self._briefs_html, page, url, BriefRequestOptions(**options), languages)

    # ---- stages -----------------------------------------------------------------

    def _target(self, to: str | None) -> str:
        target = (to or self.settings.target_language).strip().lower()
        if not is_known_language(target):
            raise InputError(f"'{target}' is not a language code briefbot knows.",
                             "Use a two-letter ISO 639-1 code such as en, ar or fr.")
        return target

    def _summarize(self, brief: Brief, document: Document, target: str, report: Progress) -> None:
        """The abstractive or instruction-model engine, when configured; extractive otherwise."""
        if self.settings.engine == "extractive":
            return
        if self.llm is not None:  # an LLM server briefs and translates in one pass; briefbot checks it
            report("writing")
            from bot.engines.llm_check import write_brief

            write_brief(brief, document, self.llm, self.settings.prompts_dir, target, self.languages.detect)
            return
        try:
            summarizer = self.engines.summarizer()
        except BriefError as error:
            brief.warnings.append(f"{error} The brief is extractive. {error.hint or ''}".strip())
            return
        report("summarizing")
        summarize_brief(brief, document, summarizer, self.translators, target)

    def _translate(self, brief: Brief, target: str, report: Progress = _ignore,
                   timings: StageTimes = _untimed) -> None:
        """Only what the brief shows is translated; without a model, the brief keeps its language."""
        if brief.language == target:
            return
        translator = self.translators.translator_for(brief.language, target)
        if translator is None:
            hint = self.translators.install_hint(brief.language, target)
            # in the brief's language, the one its reader is reading
            note = untranslated_note(brief.language, target)
            brief.warnings.append(f"{note} {hint}" if hint else note)
            return
        report("translating")
        started = time.perf_counter()
        try:
            # through the process's batcher: concurrent briefs share one model call
            translate_brief(brief, batched(translator), self.settings.beam_size)
        except TranslationFailed as error:
            brief.warnings.append(f"{error} This brief is in {language_name(brief.language)}.")
        timings("translate", time.perf_counter() - started)


def fetch_policy(settings: Settings) -> FetchPolicy:
    try:
        return FetchPolicy.from_text(
            settings.fetch_allowlist, settings.fetch_ports,
            max_bytes=settings.fetch_max_bytes, timeout=float(settings.fetch_timeout),
        )
    except ValueError as error:
        raise InputError(f"Bad fetch setting: {error}.") from None


def _check_suffix(filename: str) -> None:
    suffix = Path(filename).suffix.lower()
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES:
        raise UnsupportedSource(
            f"briefbot reads .txt, .html and .pdf files, not '{suffix or 'a file with no extension'}'."
        )


def _looks_like_html(data: bytes, filename: str | None) -> bool:
    if filename and Path(filename).suffix.lower() in HTML_SUFFIXES:
        return True
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _chat_server(settings: Settings) -> ChatServer | None:
    """The LLM server client, when one is configured (aiohttp is loaded only then)."""
    from bot.engines.llm_server import chat_server

    return chat_server(settings)
