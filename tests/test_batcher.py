"""The process's translation batcher, batched guard retries and labels read off their points,
on the tiny random Marian model (no weights downloaded)."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.config import Settings
from bot.core.guard import check_figures
from bot.engines.apply import RETRY_BEAMS, RETRY_LIMIT, label_from, translate_brief
from bot.engines.batcher import BatchedTranslator, TranslationBatcher, batched, process_batcher
from bot.engines.registry import translation_model
from bot.engines.seq2seq import HFTranslator
from bot.pipeline import Briefer
from tests.conftest import EXAMPLES

ARABIC = (EXAMPLES / "desalination.ar.txt").read_text(encoding="utf-8")
SENTENCES = ["افتتحت المدينة محطة.", "قالت الهيئة إن 12 بلدة حصلت على ١٢٠ ألف متر مكعب في عام 2024.",
             "بلغت الكلفة 310 ملايين دولار.", "وصل الماء إلى 40 قرية."]


class Recording:
    """A real translator that also keeps each call it was given (texts and beam)."""

    def __init__(self, inner: HFTranslator) -> None:
        self.inner = inner
        self.name, self.source, self.target = inner.name, inner.source, inner.target
        self.calls: list[tuple[list[str], int | None]] = []
        self.outputs: list[list[str]] = []
        self.lock = threading.Lock()

    def translate(self, texts: list[str], beam_size: int | None = None) -> list[str]:
        outputs = self.inner.translate(texts, beam_size=beam_size, max_new_tokens=24)
        with self.lock:
            self.calls.append((list(texts), beam_size))
            self.outputs.append(outputs)
        return outputs


class Provider:
    def __init__(self, translator: Recording) -> None:
        self.translator = translator
        self.signature = "recording"

    def translator_for(self, source: str, target: str) -> Recording | None:
        return self.translator if (source, target) == ("ar", "en") else None

    def install_hint(self, source: str, target: str) -> str | None:
        return None


@pytest.fixture
def marian(tiny_models) -> HFTranslator:
    folder = tiny_models["marian"]
    return HFTranslator(translation_model("ar", "en", override=str(folder)), folder, beam_size=2)


def test_concurrent_callers_share_one_model_call_and_get_their_own_outputs(marian):
    model = Recording(marian)
    alone = [model.translate([s]) for s in SENTENCES]
    model.calls.clear()
    batcher = TranslationBatcher(gather_seconds=0.5)  # wide enough that all 8 threads arrive in time
    start = threading.Barrier(8)

    def ask(i: int) -> list[str]:
        start.wait()
        return batcher.translate(model, [SENTENCES[i % 4]])

    with ThreadPoolExecutor(8) as pool:
        outputs = list(pool.map(ask, range(8)))
    assert outputs == [alone[i % 4] for i in range(8)]  # batching changes no output
    assert len(model.calls) == 1 and len(model.calls[0][0]) == 8
    assert batcher.calls == 1


def test_different_beams_are_different_calls_and_errors_reach_every_caller(marian):
    batcher = TranslationBatcher(gather_seconds=0.0)
    model = Recording(marian)
    assert batcher.translate(model, SENTENCES[:2], beam_size=1) == model.inner.translate(
        SENTENCES[:2], beam_size=1, max_new_tokens=24)
    assert batcher.translate(model, []) == []

    class Broken:
        name, source, target = "broken", "ar", "en"

        def translate(self, texts: list[str], beam_size: int | None = None) -> list[str]:
            return texts[:-1]  # one output short: a contract broken, not a crash

    from bot.engines.base import TranslationFailed

    with pytest.raises(TranslationFailed):
        batcher.translate(Broken(), SENTENCES)
    assert batcher.translate(model, SENTENCES[:1]) == model.inner.translate(SENTENCES[:1], max_new_tokens=24)


class Held(Recording):
    """Each call waits at `gate` until the test opens it, counting the calls in flight."""

    def __init__(self, inner: HFTranslator, replicas: int | None) -> None:
        super().__init__(inner)
        if replicas is not None:
            self.replicas = replicas
        self.gate = threading.Event()
        self.in_flight = self.most_in_flight = 0

    def translate(self, texts: list[str], beam_size: int | None = None) -> list[str]:
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.gate.wait(10)
        try:
            return super().translate(texts, beam_size)
        finally:
            with self.lock:
                self.in_flight -= 1


def _until(condition, seconds: float = 5.0) -> bool:
    waited = threading.Event()
    for _ in range(int(seconds / 0.01)):
        if condition():
            return True
        waited.wait(0.01)
    return condition()


@pytest.mark.parametrize("replicas, in_flight", [(None, 1), (1, 1), (2, 2)])
def test_a_translator_with_decoder_copies_gets_that_many_calls_at_once(marian, replicas, in_flight):
    model = Held(marian, replicas)
    alone = [model.inner.translate([s], max_new_tokens=24) for s in SENTENCES]
    batcher = TranslationBatcher(gather_seconds=0.0)
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(batcher.translate, model, [SENTENCES[0]])]
        assert _until(lambda: model.in_flight == 1)
        futures += [pool.submit(batcher.translate, model, [sentence]) for sentence in SENTENCES[1:]]
        assert _until(lambda: model.in_flight == in_flight)
        assert not _until(lambda: model.in_flight > in_flight, seconds=0.2)  # the rest wait for a free decoder
        model.gate.set()
        outputs = [future.result() for future in futures]
    assert outputs == alone and model.most_in_flight == in_flight
    assert batcher.calls == len(model.calls) < len(SENTENCES)  # what queued went into one call


def test_one_batcher_per_process_and_wrapping_is_idempotent(marian):
    wrapped = batched(marian)
    assert isinstance(wrapped, BatchedTranslator) and wrapped.batcher is process_batcher()
    assert batched(wrapped) is wrapped
    assert (wrapped.name, wrapped.source, wrapped.target) == (marian.name, "ar", "en")


def test_concurrent_briefs_equal_one_after_the_other_and_never_cost_more_calls(marian):
    model = Recording(marian)
    briefer = Briefer(Settings(), translators=Provider(model))
    sequential = [briefer.brief_text(ARABIC).to_dict() for _ in range(2)]
    calls_one_after_the_other = len(model.calls)
    model.calls.clear()
    with ThreadPoolExecutor(6) as pool:
        together = list(pool.map(lambda _: briefer.brief_text(ARABIC).to_dict(), range(6)))
    for brief in [*sequential, *together]:
        brief["engine"].pop("seconds")
    assert all(brief == sequential[0] for brief in together)
    # how many calls are shared depends on timing (the first test pins sharing down); never more
    assert len(model.calls) <= 3 * calls_one_after_the_other


def test_guard_retries_only_failed_texts_in_one_wider_call_within_the_cap(marian):
    model = Recording(marian)
    brief = Briefer(Settings(), translators=Provider(model)).brief_text(ARABIC)
    retries = [(texts, beam) for texts, beam in model.calls if beam == RETRY_BEAMS]
    assert len(retries) == 1  # one batched retry call, not one per text
    failed = [text for text, output in zip(model.calls[0][0], model.outputs[0], strict=True)
              if not check_figures(text, "ar", output, "en").ok]
    assert retries[0][0] == failed[:RETRY_LIMIT]  # only texts that failed, the headline and points first
    retried = retries[0][0]
    assert brief.engine["retried"] == len(retried)
    assert any(w.startswith("Figure guard") for w in brief.warnings)


class Hypotheses:
    """A translator whose beam ranks a translation that lost every figure first and a faithful
    one (here the text itself: Arabic to Arabic) second, unless told to keep only the first:
    what a real model does to a figure now and then, on demand."""

    name, source, target = "hypotheses", "ar", "ar"

    def __init__(self, faithful: bool = True) -> None:
        self.faithful = faithful
        self.calls: list[tuple[list[str], int | None, int]] = []

    def translate(self, texts: list[str], beam_size: int | None = None) -> list[str]:
        return [best for best, *_ in self.translate_candidates(texts, beam_size)]

    def translate_candidates(self, texts: list[str], beam_size: int | None = None, count: int = 1) -> list[list[str]]:
        self.calls.append((list(texts), beam_size, count))
        ranked = [[re.sub(r"[0-9٠-٩]", "", text), text] for text in texts]
        return [options[:count if self.faithful else 1] for options in ranked]


def test_the_guard_takes_a_faithful_hypothesis_of_the_beam_before_paying_for_a_retry(briefer):
    original = briefer.brief_text(ARABIC, keep=frozenset({"ar"}))
    shown = [original.headline, *original.points]
    with_figures = sum(bool(re.search(r"[0-9٠-٩]", text)) for text in shown + [f.context for f in original.figures])
    model, brief = Hypotheses(), copy.deepcopy(original)
    translate_brief(brief, batched(model, TranslationBatcher(gather_seconds=0.0)), beam_size=4)
    assert [brief.headline, *brief.points] == shown  # the faithful hypotheses, not the first-ranked ones
    assert brief.engine["retried"] == 0 and brief.engine["picked"] >= with_figures > 0
    assert not [w for w in brief.warnings if w.startswith("Figure guard")]
    assert all(beam is None and count == 4 for _, beam, count in model.calls)  # first passes only, no retry call

    model, brief = Hypotheses(faithful=False), copy.deepcopy(original)  # nothing to choose: retried, then repaired
    translate_brief(brief, batched(model, TranslationBatcher(gather_seconds=0.0)), beam_size=4)
    assert brief.engine["retried"] == RETRY_LIMIT and brief.engine["picked"] == 0
    assert [(len(texts), beam) for texts, beam, _ in model.calls if beam is not None] == [(RETRY_LIMIT, RETRY_BEAMS)]
    assert any(w.startswith("Figure guard") for w in brief.warnings)


def test_hypotheses_through_the_batcher_equal_those_asked_alone(marian):
    alone = [marian.translate_candidates([s], beam_size=3, count=3, max_new_tokens=24) for s in SENTENCES]

    class Limited:  # the model with the same output limit as `alone`
        name, source, target = marian.name, "ar", "en"

        def translate(self, texts: list[str], beam_size: int | None = None) -> list[str]:
            return marian.translate(texts, beam_size=beam_size, max_new_tokens=24)

        def translate_candidates(self, texts: list[str], beam_size: int | None = None,
                                 count: int = 1) -> list[list[str]]:
            return marian.translate_candidates(texts, beam_size=beam_size, count=count, max_new_tokens=24)

    batcher, model = TranslationBatcher(gather_seconds=0.5), Limited()
    start = threading.Barrier(4)

    def ask(i: int) -> list[list[str]]:
        start.wait()
        return batcher.candidates(model, [SENTENCES[i]], beam_size=3, count=3)

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(ask, range(4))) == alone
    assert batcher.calls == 1
    assert batcher.translate(model, SENTENCES[:2], beam_size=3) == [alone[0][0][0], alone[1][0][0]]


def test_a_label_is_read_off_its_point_only_when_the_guard_can_verify_it():
    context = "12 بلدة حصلت على ١٢٠ ألف متر مكعب"
    point = "The authority said 12 towns received 120,000 cubic metres of water in 2024."
    assert label_from(context, "12", "ar", point, "en") == "12 towns received 120,000 cubic metres of water"
    # the translation lost the second figure: the label cannot be verified there, so it is translated
    assert label_from(context, "12", "ar", "The authority said 12 towns received water.", "en") is None
    # two places the figure could be: no guessing
    assert label_from("12 بلدة", "12", "ar", "12 towns and 12 villages.", "en") is None


def test_the_ctranslate2_path_imports_neither_torch_nor_transformers(tiny_models, tmp_path):
    from bot.engines.ct2 import convert

    folder = tiny_models["marian"]
    convert(folder, tmp_path / "ct2", "float32")
    code = f"""
import sys, json
from pathlib import Path
from bot.engines.ct2 import CT2Translator
from bot.engines.registry import translation_model
choice = translation_model("ar", "en", override={str(folder)!r})
out = CT2Translator(choice, Path({str(tmp_path / 'ct2')!r}), Path({str(folder)!r}), device="cpu").translate(
    {SENTENCES!r}, max_new_tokens=12)
print(json.dumps([len(out), "torch" in sys.modules, "transformers" in sys.modules]))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.splitlines()[-1]) == [4, False, False]


def test_the_lean_tokenizer_gives_transformers_tokens_and_text(tiny_models):
    from transformers import AutoTokenizer

    from bot.engines.ct2 import MarianCodec

    folder = tiny_models["marian"]
    lean, full = MarianCodec(folder), AutoTokenizer.from_pretrained(folder)
    texts = [*SENTENCES, "Ünïcode ✓ and 3.5% of $310m", "", "  spaces   inside  "]
    for text in texts:
        assert lean.encode(text) == full.convert_ids_to_tokens(full.encode(text))
        tokens = lean.encode(text)
        assert lean.decode(tokens) == full.decode(full.convert_tokens_to_ids(tokens), skip_special_tokens=True).strip()
