"""One translation batcher per process: texts of concurrent briefs in one model call.

Briefs run in worker threads (the bot's chats, digests, several CLI sources). Each
hands its texts to the batcher and waits; a single thread gathers what arrives within
a few milliseconds (and everything that queued while the model was busy), makes one
call per translator, beam and number of hypotheses, and hands each brief its own outputs back. The model
sorts the call's texts by length into batches, so the briefs' texts pad little.

A translator runs one call at a time, unless it says with `replicas` that it holds
several decoder copies that decode calls side by side (CTranslate2 on the CPU: one per
core). Then that many calls may be in flight: while the last long texts of one call
finish on one core, the next call starts on the other, and what queued meanwhile goes
into it. Either way the model's threads never exceed the cores they were given, so the
bot's workers cannot oversubscribe them.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from bot.engines.base import Translator, candidates_checked

GATHER_SECONDS = 0.004  # how long the first text of a call waits for company
MAX_TEXTS = 256         # one call's texts at most: bounds its memory and a waiting brief's delay


@dataclass(eq=False)
class _Request:
    translator: Translator
    texts: list[str]
    beam_size: int | None
    count: int  # hypotheses wanted per text
    arrived: float = field(default_factory=time.monotonic)
    done: threading.Event = field(default_factory=threading.Event)
    outputs: list[list[str]] | None = None
    error: BaseException | None = None

    @property
    def key(self) -> tuple[int, int | None, int]:
        return id(self.translator), self.beam_size, self.count


class TranslationBatcher:
    """Translates for many threads at once, one model call per gathered group."""

    def __init__(self, gather_seconds: float = GATHER_SECONDS, max_texts: int = MAX_TEXTS) -> None:
        self.gather_seconds = gather_seconds
        self.max_texts = max_texts
        self.calls = 0  # model calls made: what batching saves is visible
        self._queue: deque[_Request] = deque()
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._slots: dict[int, threading.Semaphore] = {}  # calls each translator may have in flight

    def translate(self, translator: Translator, texts: list[str], beam_size: int | None = None) -> list[str]:
        """The translations of `texts`, made in one call with whatever other briefs asked for."""
        return [best for best, *_ in self.candidates(translator, texts, beam_size)]

    def candidates(self, translator: Translator, texts: list[str], beam_size: int | None = None,
                   count: int = 1) -> list[list[str]]:
        """Up to `count` translations of each text, the best first (see `candidates_checked`),
        made in one call with whatever other briefs asked for with the same beam and count."""
        if not texts:
            return []
        request = _Request(translator, list(texts), beam_size, count)
        with self._ready:
            self._start()
            self._queue.append(request)
            self._ready.notify()
        request.done.wait()
        if request.error is not None:
            raise request.error
        assert request.outputs is not None  # set with done, when there was no error
        return request.outputs

    def _start(self) -> None:
        """The gathering thread, started on first use and again in a forked child (threads do
        not survive fork)."""
        if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
            return
        self._pid = os.getpid()
        self._slots = {}
        self._thread = threading.Thread(target=self._serve_forever, name="translation-batcher", daemon=True)
        self._thread.start()

    def _serve_forever(self) -> None:
        while True:
            slot = self._slot_for_oldest()
            slot.acquire()  # the call waits for a free decoder; what queues meanwhile joins it
            requests = self._gather()
            # A daemon thread per call, as the gathering thread is one: a call cannot hold up the
            # interpreter's exit, and a thread can still be started while it shuts down.
            threading.Thread(target=self._serve_in_slot, args=(requests, slot), name="translation-call",
                             daemon=True).start()

    def _slot_for_oldest(self) -> threading.Semaphore:
        """The in-flight calls of the oldest request's translator: its `replicas`, else one."""
        with self._ready:
            while not self._queue:
                self._ready.wait()
            translator = self._queue[0].translator
        key = id(translator)
        if key not in self._slots:
            replicas = getattr(translator, "replicas", 1)
            self._slots[key] = threading.Semaphore(replicas if isinstance(replicas, int) and replicas > 0 else 1)
        return self._slots[key]

    def _serve_in_slot(self, requests: list[_Request], slot: threading.Semaphore) -> None:
        try:
            self._serve(requests)
        finally:
            slot.release()

    def _gather(self) -> list[_Request]:
        """The oldest request and those for the same translator, beam and count, once its few
        milliseconds are over or the call is full."""
        with self._ready:
            while not self._queue:
                self._ready.wait()
            first = self._queue[0]
            while (remaining := first.arrived + self.gather_seconds - time.monotonic()) > 0 \
                    and self._pending(first) < self.max_texts:
                self._ready.wait(remaining)
            taken: list[_Request] = []
            count = 0
            for request in list(self._queue):
                if request.key == first.key and (not taken or count + len(request.texts) <= self.max_texts):
                    taken.append(request)
                    count += len(request.texts)
                    self._queue.remove(request)
            return taken

    def _pending(self, first: _Request) -> int:
        return sum(len(r.texts) for r in self._queue if r.key == first.key)

    def _serve(self, requests: list[_Request]) -> None:
        texts = [text for request in requests for text in request.texts]
        translator = requests[0].translator
        with self._ready:  # calls may now be served from several threads
            self.calls += 1
        try:
            outputs = candidates_checked(translator, texts, requests[0].beam_size, requests[0].count)
        except BaseException as error:  # noqa: BLE001 - every waiting brief gets the error, none hangs
            for request in requests:
                request.error = error
                request.done.set()
            return
        start = 0
        for request in requests:
            request.outputs = outputs[start:start + len(request.texts)]
            start += len(request.texts)
            request.done.set()


class BatchedTranslator:
    """A translator whose calls go through a batcher; the same name, pair and size."""

    def __init__(self, inner: Translator, batcher: TranslationBatcher) -> None:
        self.inner = inner
        self.batcher = batcher

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def source(self) -> str:
        return self.inner.source

    @property
    def target(self) -> str:
        return self.inner.target

    @property
    def memory_bytes(self) -> int:
        return int(getattr(self.inner, "memory_bytes", 0))

    def translate(self, texts: list[str], beam_size: int | None = None) -> list[str]:
        return self.batcher.translate(self.inner, texts, beam_size)

    def translate_candidates(self, texts: list[str], beam_size: int | None = None, count: int = 1) -> list[list[str]]:
        return self.batcher.candidates(self.inner, texts, beam_size, count)


_shared: TranslationBatcher | None = None
_shared_lock = threading.Lock()


def process_batcher() -> TranslationBatcher:
    """The batcher of this process, shared by every Briefer in it."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = TranslationBatcher()
        return _shared


def batched(translator: Translator, batcher: TranslationBatcher | None = None) -> Translator:
    """`translator` with its calls gathered by `batcher` (the process's by default)."""
    if isinstance(translator, BatchedTranslator):
        return translator
    return BatchedTranslator(translator, batcher or process_batcher())
