"""`briefbot models vmap` (issue 14): a CTranslate2 vocabulary map made from a corpus, on the tiny
random Marian model (tests/tinymodels.py)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from bot.engines.locate import converted_folder
from bot.engines.registry import translation_model
from tests.test_engines import briefbot

# Our own sentences, with figures in both digit sets; blank lines are skipped.
CORPUS = ["افتتحت المدينة محطة جديدة لتحلية المياه في عام 2024.", "",
          "قالت الهيئة إن 12 بلدة حصلت على 120 ألف متر مكعب.", "   ",
          "بلغت الكلفة 310 ملايين دولار، أي 4.5% من الميزانية.",
          "وصل عدد السكان إلى 1,250,000 نسمة بحلول 2030.",
          "أعلن الوزير أن المشروع سينتهي خلال ثلاث سنوات.",
          "ارتفعت الأسعار بنسبة 7% في الربع الأول.",
          "قال المتحدث إن المحطة تنتج ٥٠ ألف متر مكعب يوميا.",
          "وقالت الشركة إن الإيرادات بلغت 2.3 مليار دولار."]
TEXTS = [line.strip() for line in CORPUS if line.strip()]


@pytest.fixture(scope="module")
def converted(tiny_models, tmp_path_factory) -> tuple[Path, Path, Path]:
    """(data dir, model folder, its float32 CTranslate2 copy where `briefbot models convert` puts it)."""
    from bot.engines.ct2 import convert

    data = tmp_path_factory.mktemp("vmap-data")
    folder = tiny_models["marian"]
    return data, folder, convert(folder, converted_folder(data / "models", str(folder)), "float32")


def write_corpus(folder: Path, lines: list[str], name: str = "corpus.ar.txt") -> str:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_a_self_distilled_map_keeps_the_corpus_translations_and_every_figure_piece(converted, tmp_path):
    from bot.engines.ct2 import VMAP, CT2Translator
    from bot.engines.vmap import held_out

    data, folder, output = converted
    result = briefbot("models", "vmap", str(folder), "--corpus", write_corpus(tmp_path, CORPUS), "--per-piece", "2",
                      "--always", "3", "--check", "2", env={"BRIEFBOT_DATA_DIR": str(data), "BRIEFBOT_BEAM_SIZE": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.fullmatch(rf"{re.escape(str(folder))}: {re.escape(str(output / VMAP))} \(\d+ source pieces, \d+ target "
                        r"pieces always allowed, [\d.]+ s\)\ncheck on 2 held-out lines \(beam 1\): \d+% translated "
                        r"identically; [\d,]+ tokens/s with the map, [\d,]+ without\n", result.stdout), result.stdout
    # CTranslate2's format: `piece<TAB>targets`, the always-allowed pieces on the line with no piece.
    assert (output / VMAP).stat().st_mode & 0o044  # readable by whoever runs the bot, as the model is
    lines = (output / VMAP).read_text(encoding="utf-8").split("\n")
    vocabulary = json.loads((output / "shared_vocabulary.json").read_text(encoding="utf-8"))
    always, rules = set(lines[0].removeprefix("\t").split(" ")), [line.split("\t") for line in lines[1:-1]]
    assert lines[0].startswith("\t") and lines[-1] == "" and rules
    assert all(len(rule) == 2 and rule[0] and " " not in rule[0] and set(rule[1].split(" ")) <= set(vocabulary)
               for rule in rules)
    reachable = always | {piece for _, targets in rules for piece in targets.split(" ")}
    assert always <= set(vocabulary) and len(reachable) < len(vocabulary)  # it does leave pieces out
    # Figures are sacred: every piece with a digit (both digit sets), % or punctuation is always allowed.
    figures = {piece for piece in vocabulary if re.search(r"[0-9٠-٩%.,،]", piece)}
    assert len(figures) > 20 and figures <= always and "</s>" in always

    choice = translation_model("ar", "en", override=str(folder))
    mapped = CT2Translator(choice, output, folder, device="cpu")
    assert mapped.use_vmap  # CTranslate2 loaded it with the model
    plain = CT2Translator(choice, output, folder, device="cpu")
    plain.use_vmap = False
    kept = [text for number, text in enumerate(TEXTS) if number not in held_out(len(TEXTS), 2)]
    assert len(kept) == len(TEXTS) - 2
    for text in kept:  # one at a time: the smallest output layer the map gives
        assert mapped.translate([text], beam_size=1) == plain.translate([text], beam_size=1)


def test_given_translations_stay_reachable_and_specific_pieces_rank_first(converted, tmp_path):
    from bot.engines.ct2 import VMAP, CT2Translator
    from bot.engines.vmap import build_map, make_map, read_corpus, target_pieces, writes_figures

    _, folder, output = converted
    copy = shutil.copytree(output, tmp_path / "ct2")
    english = [f"The city opened plant number {n} and paid {n * 7} million dollars." for n in range(len(TEXTS))]
    texts = read_corpus([Path(write_corpus(tmp_path, TEXTS))], [Path(write_corpus(tmp_path, english, "en.txt"))])
    translator = CT2Translator(translation_model("ar", "en", override=str(folder)), copy, folder, device="cpu")
    made = make_map(lambda: translator, texts, per_piece=1, frequent=0, say=lambda _: None)
    rules = dict(line.split("\t") for line in (copy / VMAP).read_text(encoding="utf-8").splitlines())
    always = set(rules.pop("").split(" "))
    assert made.source_pieces == len(rules)
    for source, target in texts:
        allowed = always | {piece for key in translator.codec.encode(source) for piece in rules.get(key, "").split()}
        assert set(target_pieces(translator, target)) <= allowed
    # Dice, not counts: "x" goes with "a"; "y" is in every line, so in more lines with "a" (3 to 2).
    # "y" joins "a" only because the third line needs it.
    lines = [(["a", "b"], ["x", "y"])] * 2 + [(["a"], ["y"])] + [(["c"], ["y"])] * 7
    vmap = build_map(lines, ["</s>", "x", "y"], {"</s>"}, per_piece=1, frequent=0)
    assert (vmap.candidates["a"], vmap.candidates["b"], vmap.always) == (["x", "y"], ["x"], ["</s>"])
    assert all(map(writes_figures, ["▁٣", "5", "$", "€", "%", "،", "−", "°", "▁"])) and not writes_figures("▁water")


def test_a_model_not_converted_yet_says_so_in_one_line(tiny_models, tmp_path):
    result = briefbot("models", "vmap", str(tiny_models["marian"]), "--corpus", write_corpus(tmp_path, TEXTS),
                      env={"BRIEFBOT_DATA_DIR": str(tmp_path)})
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "briefbot models convert" in result.stderr


@pytest.mark.parametrize("corpus", ["blank", "missing", "unmappable"])
def test_an_empty_or_unreadable_corpus_says_so_in_one_line(converted, tmp_path, corpus):
    from bot.engines.ct2 import VMAP

    data, folder, output = converted
    path = {"blank": lambda: write_corpus(tmp_path, ["", "  ", ""]),
            "missing": lambda: str(tmp_path / "nothing.txt"),
            "unmappable": lambda: write_corpus(tmp_path, ["\x00\x00", "\x00"])}[corpus]()
    before = (output / VMAP).read_bytes() if (output / VMAP).exists() else None
    result = briefbot("models", "vmap", str(folder), "--corpus", path, env={"BRIEFBOT_DATA_DIR": str(data)})
    assert result.returncode == 1 and result.stdout == "" and "Traceback" not in result.stderr
    if corpus == "unmappable":  # after the line saying the corpus is being translated
        assert "no map was written" in result.stderr.splitlines()[-1] and result.stderr.count("\n") == 2
    else:
        assert result.stderr.count("\n") == 1 and path in result.stderr
    # a map of the always line alone would narrow every translation: the one there is kept
    assert ((output / VMAP).read_bytes() if (output / VMAP).exists() else None) == before
