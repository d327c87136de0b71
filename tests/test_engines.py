"""Engines on tiny random models built at test time (no weights downloaded)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bot.config import Settings
from bot.core.facts.figures import extract_figures, figures_match
from bot.engines.manager import Engines
from bot.engines.registry import NLLB, family_of, pair_model, translation_model
from bot.engines.seq2seq import HFTranslator, length_sorted_batches
from bot.engines.summarizers import (
    InstructSummarizer,
    Seq2SeqSummarizer,
    chunk_sentences,
    parse_points,
)
from bot.pipeline import Briefer
from tests.conftest import EXAMPLES

ARABIC = (EXAMPLES / "desalination.ar.txt").read_text(encoding="utf-8")
ENGLISH = (EXAMPLES / "desalination.en.txt").read_text(encoding="utf-8")
SENTENCES = ["افتتحت المدينة محطة.", "قالت الهيئة إن 12 بلدة حصلت على ١٢٠ ألف متر مكعب في عام 2024.",
             "بلغت الكلفة 310 ملايين دولار.", "افتتحت المدينة محطة."]


def briefbot(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})})


def assert_only_source_figures(brief: dict, source: str, source_language: str) -> None:
    """Figures are sacred: every number the brief shows is one the source holds."""
    wanted = extract_figures(source, source_language)
    for text in [brief["headline"], *brief["points"]]:
        for figure in extract_figures(text, brief["language"]) + extract_figures(text, source_language):
            assert any(figures_match(figure, f) for f in wanted), f"{figure.text!r} is not in the source"


# ---- registry -------------------------------------------------------------------------

def test_the_registry_prefers_opus_mt_then_the_many_to_many_model():
    assert translation_model("ar", "en").model == "Helsinki-NLP/opus-mt-ar-en"
    m2m = translation_model("sw", "en")
    assert (m2m.model, m2m.source_code, m2m.target_code) == ("facebook/m2m100_418M", "sw", "en")
    nllb = translation_model("fa", "en", many_to_many=NLLB)
    assert (nllb.family, nllb.source_code, nllb.target_code) == ("nllb", "pes_Arab", "eng_Latn")
    assert translation_model("xx", "en") is None
    assert pair_model("ar-en") == "Helsinki-NLP/opus-mt-ar-en"
    assert family_of("/models/my-marian") == "marian"


# ---- the missing-model path -----------------------------------------------------------

def test_a_missing_model_says_which_command_fetches_it(tmp_path):
    result = briefbot("brief", str(EXAMPLES / "desalination.ar.txt"), "--format", "json",
                      env={"HF_HOME": str(tmp_path), "BRIEFBOT_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    brief = json.loads(result.stdout)
    assert brief["language"] == "ar"
    assert any("briefbot models download ar-en" in warning for warning in brief["warnings"])


def test_a_missing_model_folder_is_a_clear_warning(tmp_path):
    result = briefbot("brief", str(EXAMPLES / "desalination.ar.txt"), "--format", "json",
                      "--translation-model", str(tmp_path / "nothing-here"), env={"HF_HOME": str(tmp_path)})
    brief = json.loads(result.stdout)
    assert brief["language"] == "ar" and "Traceback" not in result.stderr


def test_models_list_shows_what_is_present(tmp_path):
    result = briefbot("models", "list", env={"HF_HOME": str(tmp_path), "BRIEFBOT_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0
    assert "Helsinki-NLP/opus-mt-ar-en" in result.stdout and "facebook/m2m100_418M" in result.stdout


def test_models_download_without_network_fails_clearly(tmp_path):
    result = briefbot("models", "download", "ar-en", env={"HF_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert "needs internet" in result.stderr and "Traceback" not in result.stderr


# ---- translation ----------------------------------------------------------------------

def test_a_model_from_a_folder_translates_and_the_guard_keeps_the_figures(tiny_models):
    result = briefbot("brief", str(EXAMPLES / "desalination.ar.txt"), "--format", "json",
                      "--translation-model", str(tiny_models["marian"]))
    assert result.returncode == 0, result.stderr[-2000:]
    brief = json.loads(result.stdout)
    assert brief["language"] == "en"
    assert brief["engine"]["translator"].startswith("transformers:")
    assert brief["original"]["language"] == "ar"
    # A random model garbles every number; the guard repaired each and said so.
    assert any(w.startswith("Figure guard") for w in brief["warnings"])
    assert_only_source_figures(brief, ARABIC, "ar")


def test_batches_are_length_sorted_and_results_keep_their_order(tiny_models):
    assert length_sorted_batches(["ccc", "a", "bb"], 2) == [[1, 2], [0]]
    translator = HFTranslator(translation_model("ar", "en", override=str(tiny_models["marian"])),
                              tiny_models["marian"], beam_size=1, batch_size=2)
    out = translator.translate(SENTENCES, max_new_tokens=12)
    assert len(out) == 4 and out[0] == out[3]
    assert translator.translate([]) == []


def test_ctranslate2_conversion_gives_the_same_translations(tiny_models, tmp_path):
    from bot.engines.ct2 import CT2Translator

    folder = str(tiny_models["marian"])
    result = briefbot("models", "convert", folder, "--quantization", "float32",
                      env={"BRIEFBOT_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr[-2000:]
    engines = Engines(Settings(data_dir=tmp_path, translation_model=folder))
    fast = engines.translator_for("ar", "en")
    assert isinstance(fast, CT2Translator)  # chosen automatically once converted
    exact = CT2Translator(fast.choice, fast.folder, tiny_models["marian"], compute_type="float32")
    plain = HFTranslator(fast.choice, tiny_models["marian"])
    for beams in (1, 3):
        assert exact.translate(SENTENCES, beam_size=beams, max_new_tokens=16) == \
            plain.translate(SENTENCES, beam_size=beams, max_new_tokens=16)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="two decoder copies need two cores")
def test_a_call_spread_over_decoder_copies_gives_each_text_its_own_translation(tiny_models, tmp_path):
    from bot.engines.ct2 import CT2Translator, convert, sub_batch, thread_options

    assert thread_options("cpu", 2) == {"inter_threads": 2, "intra_threads": 1}
    assert [sub_batch(n, 4, replicas=2) for n in (1, 3, 13, 100)] == [1, 2, 7, 8]
    assert sub_batch(100, 8, replicas=2) == 4 and sub_batch(5, 4, replicas=1) == 5
    folder = tiny_models["marian"]
    choice = translation_model("ar", "en", override=str(folder))
    model = convert(folder, tmp_path / "ct2", "float32")
    spread = CT2Translator(choice, model, folder, device="cpu", threads=2, compute_type="float32")
    alone = CT2Translator(choice, model, folder, device="cpu", threads=1, compute_type="float32")
    assert (spread.replicas, alone.replicas) == (2, 1)
    texts = SENTENCES * 3
    together = spread.translate(texts, beam_size=2, max_new_tokens=12)
    assert together == [alone.translate([text], beam_size=2, max_new_tokens=12)[0] for text in texts]


def test_both_backends_give_the_beams_hypotheses_best_first(tiny_models, tmp_path):
    from bot.engines.ct2 import CT2Translator, convert

    folder = tiny_models["marian"]
    choice = translation_model("ar", "en", override=str(folder))
    fast = CT2Translator(choice, convert(folder, tmp_path / "ct2", "float32"), folder, device="cpu",
                         compute_type="float32")
    for translator in (fast, HFTranslator(choice, folder)):
        best = translator.translate(SENTENCES, beam_size=3, max_new_tokens=16)
        hypotheses = translator.translate_candidates(SENTENCES, beam_size=3, count=3, max_new_tokens=16)
        assert [options[0] for options in hypotheses] == best  # asking for more changes no translation
        assert all(len(options) == 3 for options in hypotheses)
        assert any(len(set(options)) > 1 for options in hypotheses)
        assert all(len(options) <= 2 for options in translator.translate_candidates(SENTENCES, beam_size=2, count=5))
        assert translator.translate_candidates(SENTENCES, beam_size=1, count=3, max_new_tokens=8) == \
            [[text] for text in translator.translate(SENTENCES, beam_size=1, max_new_tokens=8)]


def test_loaded_models_stay_within_the_memory_bound():
    class Model:
        name, memory_bytes = "m", 600 * 2**20

    engines = Engines(Settings(model_memory_mb=1000))
    first = engines._get("first", Model)
    assert engines._get("first", Model) is first  # kept while used
    engines._get("second", Model)
    assert engines.loaded == ["second"]


# ---- abstractive and instruction-model engines ---------------------------------------

def test_long_articles_are_summarized_in_chunks_that_fit_the_model(tiny_models):
    summarizer = Seq2SeqSummarizer("tiny-bart", tiny_models["bart"], beam_size=4)
    seen: list[list[str]] = []
    generate = summarizer._generate
    summarizer._generate = lambda chunks, n: seen.append(chunks) or generate(chunks, n)
    summary = summarizer.summarize(ENGLISH, "en", 3, "ar", max_new_tokens=20)
    assert len(seen[0]) > 1 and 1 <= len(summary.points) <= 3
    assert summary.language == "en"  # a seq2seq model writes what it reads; the translator comes after
    assert chunk_sentences(["a b", "c d", "e f"], lambda s: 2, 4) == ["a b c d", "e f"]


def test_the_abstractive_engine_shows_only_source_figures(tiny_models):
    settings = Settings(engine="abstractive", summary_model=str(tiny_models["bart"]))
    brief = Briefer(settings).brief_text(ENGLISH)
    assert_only_source_figures(brief.to_dict(), ENGLISH, "en")
    assert brief.warnings  # the random model's output was guarded or replaced, and the brief says so


def test_the_instruction_engine_drops_sentences_with_invented_numbers(tiny_models, monkeypatch):
    invented = '{"headline": "Plant opens", "points": ["The plant cost $310 million.", "It serves 9 million people."]}'
    monkeypatch.setattr(InstructSummarizer, "complete", lambda self, messages: invented)
    settings = Settings(engine="llm", summary_model=str(tiny_models["chat"]))
    brief = Briefer(settings).brief_text(ENGLISH)
    assert brief.points == ["The plant cost $310 million."]
    assert any("not in the article" in w for w in brief.warnings)


def test_the_instruction_prompt_carries_the_rules_and_the_article(tiny_models):
    chat = InstructSummarizer("tiny-qwen", tiny_models["chat"], Settings().prompts_dir, max_new_tokens=8)
    seen = []
    complete = chat.complete
    chat.complete = lambda messages: seen.append(messages) or complete(messages)
    assert chat.summarize(ARABIC, "ar", 3, "en").language == "en"
    system, user = seen[0]
    assert "Never write a number that is not in the article" in system["content"] and "English" in system["content"]
    assert "نوفا مارينا" in user["content"] or ARABIC[:40] in user["content"]
    assert parse_points('noise {"points": ["One two three."]} tail') == ["One two three."]
