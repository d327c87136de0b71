"""Engines: loads models when first needed, keeps them while used, within a memory bound.

It is the Briefer's `TranslatorProvider` and summarizer source. Loading is lazy
and thread-safe (briefs run in worker threads); the least recently used model is
unloaded when the next one would go over `model_memory_mb`. A converted
CTranslate2 copy of a translation model is preferred automatically.
"""

from __future__ import annotations

import gc
import importlib.util
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol, TypeVar, cast

from bot.config import Settings
from bot.engines.base import Summarizer, Translator
from bot.engines.hardware import cpu_threads
from bot.engines.locate import (
    ModelNotInstalled,
    converted_folder,
    engines_installed,
    locate,
)
from bot.engines.registry import TranslationModel, translation_model

log = logging.getLogger(__name__)
DEFAULT_SUMMARY_MODELS = {"abstractive": "sshleifer/distilbart-cnn-12-6", "llm": "Qwen/Qwen2.5-1.5B-Instruct"}


class LoadedModel(Protocol):
    """What the cache needs to know of a loaded model: its name and its size."""

    @property
    def name(self) -> str: ...

    @property
    def memory_bytes(self) -> int: ...


Model = TypeVar("Model", bound=LoadedModel)


class LoadedTranslator(Translator, LoadedModel, Protocol):
    pass


class LoadedSummarizer(Summarizer, LoadedModel, Protocol):
    pass


class Engines:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._loaded: OrderedDict[str, LoadedModel] = OrderedDict()
        self._lock = threading.RLock()
        self.missing: dict[tuple[str, str], ModelNotInstalled] = {}

    @property
    def signature(self) -> str:
        s = self.settings
        server = ""
        if s.engine == "llm" and s.llm_base_url:
            from bot.engines.llm_server import public_address  # aiohttp, only for an LLM server

            server = f"|{public_address(s.llm_base_url)}|{s.llm_model}"
        return (f"{s.engine}|{s.translation_model or 'registry'}|{s.many_to_many_model}|{s.summary_model}|{s.beam_size}"
                + server)

    # ---- translation ---------------------------------------------------------------

    def translator_for(self, source: str, target: str) -> LoadedTranslator | None:
        """The translator for the pair, or None (and the reason kept in `missing`)."""
        choice = translation_model(source, target, override=self.settings.translation_model,
                                   many_to_many=self.settings.many_to_many_model)
        if choice is None:
            return None
        try:
            return self._get(f"translate:{choice.model}:{source}-{target}", lambda: self._load_translator(choice))
        except ModelNotInstalled as error:
            self.missing[(source, target)] = error
            return None

    def install_hint(self, source: str, target: str) -> str | None:
        error = self.missing.get((source, target))
        return error.hint if error else None

    def _load_translator(self, choice: TranslationModel) -> LoadedTranslator:
        pair = f"{choice.source}-{choice.target}"
        path = locate(choice.model, fetch_name=pair if not self.settings.translation_model else None)
        converted = converted_folder(self.settings.data_dir / "models", choice.model)
        device, threads, beam_size = self.settings.device, self.settings.cpu_threads, self.settings.beam_size
        if (converted / "model.bin").exists() and importlib.util.find_spec("ctranslate2") is not None:
            from bot.engines.ct2 import CT2Translator

            return CT2Translator(choice, converted, path, device=device, threads=threads, beam_size=beam_size)
        from bot.engines.seq2seq import HFTranslator

        return HFTranslator(choice, path, device=device, threads=threads, beam_size=beam_size)

    # ---- summaries -------------------------------------------------------------------

    def summarizer(self) -> LoadedSummarizer:
        """The abstractive or instruction model of the configured engine."""
        engine = self.settings.engine
        model = self.settings.summary_model or DEFAULT_SUMMARY_MODELS[engine]
        return self._get(f"{engine}:{model}", lambda: self._load_summarizer(engine, model))

    def _load_summarizer(self, engine: str, model: str) -> LoadedSummarizer:
        path = locate(model)
        # each worker may run the summarizer at once (translations are serialized by the batcher)
        device, threads = self.settings.device, cpu_threads(self.settings.cpu_threads, callers=self.settings.workers)
        if engine == "llm":
            from bot.engines.summarizers import InstructSummarizer

            return InstructSummarizer(model, path, self.settings.prompts_dir, device=device, threads=threads)
        from bot.engines.summarizers import Seq2SeqSummarizer

        return Seq2SeqSummarizer(model, path, beam_size=self.settings.beam_size, device=device, threads=threads)

    # ---- the cache of loaded models --------------------------------------------------

    def _get(self, key: str, load: Callable[[], Model]) -> Model:
        with self._lock:
            if key in self._loaded:
                self._loaded.move_to_end(key)
                return cast(Model, self._loaded[key])  # each key is only ever loaded by one kind of `load`
            if not engines_installed():
                raise ModelNotInstalled("The model packages are not installed.",
                                        "Install them with: pip install 'briefbot[models]'")
            engine = load()
            self._loaded[key] = engine
            self._evict(keep=key)
            log.info("loaded %s (%.0f MB)", engine.name, engine.memory_bytes / 2**20)
            return engine

    def _evict(self, keep: str) -> None:
        bound = self.settings.model_memory_mb * 2**20
        while sum(e.memory_bytes for e in self._loaded.values()) > bound and len(self._loaded) > 1:
            oldest = next(k for k in self._loaded if k != keep)
            log.info("unloading %s to stay within %d MB", oldest, self.settings.model_memory_mb)
            del self._loaded[oldest]
            gc.collect()

    @property
    def loaded(self) -> list[str]:
        return list(self._loaded)
