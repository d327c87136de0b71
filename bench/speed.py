"""Translation and end-to-end speed on randomly initialised models with the real configs.

    python bench/speed.py [--threads 2] [--quick] [--briefs 8] [--skip-tokens] [--repeat 1] [--workdir DIR]
    python bench/speed.py --in-flight ROUNDS [--workdir DIR]

Speed does not depend on the weights, so no download is needed: each model is
built from its published config (transcribed below from its config.json) with
random weights, and every generation is forced to a fixed output length.

Reports:
1. translation tokens/s (output tokens) for transformers fp32, bf16 and
   CTranslate2 int8 (one decoder on every thread, as before; a decoder per core,
   as briefbot runs it; and that with a vocabulary map), at batch 1 and 16, at
   the default beam (4), for each translation model;
2. what users run (issue 14): the Briefer end to end on real Arabic articles
   (EASC, read at run time from ../shared/data/easc/easc.jsonl) to English briefs
   with CTranslate2 int8 opus-mt-ar-en, every translation as long as its input,
   guard retries included, briefs one after the other and 8 at once, for the
   path before issue 14 (`before`: no batcher, one beam-8 retry per failed text,
   every label translated, one decoder on every thread), the current one with
   CTranslate2 run as before (`now, one decoder on all threads`), the current
   one (`now`: a decoder per core, the guard taking the best-ranked hypothesis
   that keeps the figures before it retries) and the same with a vocabulary
   map; each mode in its own process,
   with its peak resident memory (VmHWM), its cold start (imports, model load,
   first brief), its guard retries, the hypotheses the guard picked and the cores
   the 8 at once kept busy; with `--repeat N` the paths run in turn N times and the
   best of each figure is shown (for a shared machine); before them, CTranslate2's
   threading (one decoder on every thread against one per core, by sub-batch) and
   what asking for all the beam's hypotheses costs one model call;
3. a running bot (the real PTB Application against the tests' fake Bot API on
   127.0.0.1) with opus-mt-ar-en loaded, 8 chats sending an Arabic article at
   once: how long, and its peak resident memory;
4. cold start of `briefbot brief file.txt` (extractive, no model), for the
   English and the Arabic example.

`--in-flight ROUNDS` only compares, through the running bot, the batcher keeping
one translation call in flight with one per decoder copy (as shipped).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SENTENCE_TOKENS = 32       # a typical news sentence in opus-mt's SentencePiece units
OUTPUT_TOKENS = 36         # forced translation length
BEAM = 4                   # briefbot's default beam
EASC = ROOT.parent / "shared" / "data" / "easc" / "easc.jsonl"

MARIAN = dict(d_model=512, encoder_layers=6, decoder_layers=6, encoder_attention_heads=8,
              decoder_attention_heads=8, encoder_ffn_dim=2048, decoder_ffn_dim=2048, max_position_embeddings=512)
CONFIGS = {
    "Helsinki-NLP/opus-mt-ar-en": ("marian", dict(MARIAN, vocab_size=62834)),
    "Helsinki-NLP/opus-mt-tc-big-ar-en": ("marian", dict(MARIAN, vocab_size=61246, d_model=1024,
                                                           encoder_attention_heads=16, decoder_attention_heads=16,
                                                           encoder_ffn_dim=4096, decoder_ffn_dim=4096)),
    "facebook/m2m100_418M": ("m2m100", dict(vocab_size=128112, d_model=1024, encoder_layers=12, decoder_layers=12,
                                            encoder_attention_heads=16, decoder_attention_heads=16,
                                            encoder_ffn_dim=4096, decoder_ffn_dim=4096, max_position_embeddings=1024)),
    "sshleifer/distilbart-cnn-12-6": ("bart", dict(vocab_size=50264, d_model=1024, encoder_layers=12, decoder_layers=6,
                                                   encoder_attention_heads=16, decoder_attention_heads=16,
                                                   encoder_ffn_dim=4096, decoder_ffn_dim=4096,
                                                   max_position_embeddings=1024)),
    "facebook/bart-large-cnn": ("bart", dict(vocab_size=50264, d_model=1024, encoder_layers=12, decoder_layers=12,
                                             encoder_attention_heads=16, decoder_attention_heads=16,
                                             encoder_ffn_dim=4096, decoder_ffn_dim=4096,
                                             max_position_embeddings=1024)),
}
TRANSLATION_MODELS = ["Helsinki-NLP/opus-mt-ar-en", "Helsinki-NLP/opus-mt-tc-big-ar-en", "facebook/m2m100_418M"]


def build(model_id: str, folder: Path) -> Path:
    """The model with random weights and, for CTranslate2's converter, a vocabulary of the right size."""
    from bot.engines.hardware import import_torch

    torch = import_torch()  # first import of torch here: with briefbot's passive OpenMP wait policy
    from transformers import (
        BartConfig,
        BartForConditionalGeneration,
        M2M100Config,
        M2M100ForConditionalGeneration,
        MarianConfig,
        MarianMTModel,
    )

    family, values = CONFIGS[model_id]
    if (folder / "config.json").exists():  # kept from an earlier run (--workdir)
        return folder
    torch.manual_seed(0)
    if family == "marian":
        vocab = values["vocab_size"]
        config = MarianConfig(**values, pad_token_id=vocab - 1, eos_token_id=0, decoder_start_token_id=vocab - 1)
        model = MarianMTModel(config)
        _marian_tokenizer_files(folder, vocab)
    elif family == "m2m100":
        _m2m100_tokenizer_files(folder, values["vocab_size"])
        model = M2M100ForConditionalGeneration(M2M100Config(**values, pad_token_id=1, eos_token_id=2,
                                                            decoder_start_token_id=2))
    else:
        model = BartForConditionalGeneration(BartConfig(**values, pad_token_id=1, eos_token_id=2,
                                                        decoder_start_token_id=2))
    model.save_pretrained(folder)
    return folder


def _marian_tokenizer_files(folder: Path, vocab_size: int) -> None:
    """A SentencePiece model plus a vocab.json of `vocab_size` entries: what the CT2 converter reads."""
    import sentencepiece as spm
    from transformers import MarianTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    corpus = folder / "corpus.txt"
    lines = [f"sentence {i} with words and {i * 7} numbers" for i in range(300)]
    size = 100
    if vocab_size and EASC.exists():  # Arabic news pieces, so real articles take as many tokens as with opus-mt
        lines += [json.loads(row)["article"] for row in EASC.read_text(encoding="utf-8").splitlines()]
        size = 8000
    corpus.write_text("\n".join(lines), encoding="utf-8")
    spm.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(folder / "sp"), vocab_size=size,
                                   bos_id=-1, eos_id=0, unk_id=1, pad_id=-1, minloglevel=2,
                                   character_coverage=1.0)
    if not vocab_size:
        return
    processor = spm.SentencePieceProcessor(model_file=str(folder / "sp.model"))
    real = [processor.id_to_piece(i) for i in range(2, processor.get_piece_size())]
    filler = [f"▁w{i}" for i in range(vocab_size - 3 - len(real))]
    vocab = {"</s>": 0, "<unk>": 1, **{p: i for i, p in enumerate(real + filler, start=2)}, "<pad>": vocab_size - 1}
    (folder / "vocab.json").write_text(json.dumps(vocab))
    for name in ("source.spm", "target.spm"):
        (folder / name).write_bytes((folder / "sp.model").read_bytes())
    MarianTokenizer(str(folder / "source.spm"), str(folder / "target.spm"), str(folder / "vocab.json")).save_pretrained(folder)


def _m2m100_tokenizer_files(folder: Path, vocab_size: int) -> None:
    """A vocabulary the converter accepts for a 128,112-row embedding (m2m100_418M)."""
    from transformers import M2M100Tokenizer

    _marian_tokenizer_files(folder, 0)  # the SentencePiece model only
    pieces = vocab_size - 8  # what CTranslate2's converter counts (pieces + madeup words) must match the model
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, **{f"▁w{i}": i for i in range(4, pieces)}}
    (folder / "vocab.json").write_text(json.dumps(vocab))
    M2M100Tokenizer(str(folder / "vocab.json"), str(folder / "sp.model"), num_madeup_words=8).save_pretrained(folder)


def tokens_per_second_hf(folder: Path, batch: int, dtype: str, threads: int) -> float:
    from transformers import AutoModelForSeq2SeqLM

    from bot.engines.hardware import import_torch

    torch = import_torch()  # with the passive OpenMP wait policy, as briefbot runs it

    torch.set_num_threads(threads)
    model = AutoModelForSeq2SeqLM.from_pretrained(folder, dtype=getattr(torch, dtype)).eval()
    ids = torch.randint(3, 1000, (batch, SENTENCE_TOKENS))
    with torch.inference_mode():
        model.generate(input_ids=ids[:1], num_beams=1, min_new_tokens=4, max_new_tokens=4)  # warm-up
        started = time.perf_counter()
        model.generate(input_ids=ids, num_beams=BEAM, min_new_tokens=OUTPUT_TOKENS, max_new_tokens=OUTPUT_TOKENS)
    return batch * OUTPUT_TOKENS / (time.perf_counter() - started)


def converted(folder: Path, vmap: bool = False) -> Path:
    """The int8 CTranslate2 copy of `folder`, with the synthetic vocabulary map when asked."""
    from bot.engines.ct2 import convert

    output = folder.parent / (folder.name + ("-ct2-vmap" if vmap else "-ct2"))
    if not (output / "model.bin").exists():
        convert(folder, output, "int8", vmap=write_vmap(folder) if vmap else None)
    return output


MAP_PER_PIECE = 40      # `briefbot models vmap`'s default --per-piece
MAP_ALWAYS = 1000 + 2000  # its default --always, and a guess at the vocabulary's figure and punctuation pieces


def write_vmap(folder: Path) -> Path:
    """A vocabulary map of the size `briefbot models vmap` makes with its defaults: every source
    piece maps to 40 target pieces, and 3,000 pieces are always candidates (the 1,000 most
    frequent, and 2,000 standing in for the pieces that write figures and punctuation, which the
    command always allows; how many a real vocabulary has is not known here). Only the size of
    the reduced output layer matters for speed; `briefbot models vmap --check` measures a real map."""
    import random

    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    pieces = [p for p in vocab if p not in ("</s>", "<unk>", "<pad>")]
    frequent = pieces[:10_000]
    rng = random.Random(0)
    lines = ["\t" + " ".join(frequent[:MAP_ALWAYS])]
    lines += [f"{piece}\t" + " ".join(rng.sample(frequent, MAP_PER_PIECE)) for piece in pieces if " " not in piece]
    path = folder.parent / (folder.name + "-vmap.txt")  # not in the folder: the plain conversion would take it
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def tokens_per_second_ct2(folder: Path, batch: int, threads: int, vmap: bool = False, shipped: bool = True) -> float:
    """CTranslate2 int8 as briefbot runs it (`shipped`: a decoder copy per core, the batch spread
    over them, bot/engines/ct2.py), or as it ran before (one decoder on every thread)."""
    import ctranslate2

    from bot.engines.ct2 import sub_batch, thread_options

    threading = thread_options("cpu", threads) if shipped else {"inter_threads": 1, "intra_threads": threads}
    translator = ctranslate2.Translator(str(converted(folder, vmap)), device="cpu", compute_type="int8", **threading)
    size = sub_batch(batch, BEAM, threading["inter_threads"]) if shipped else 16
    vocab = [p for p in json.loads((folder / "vocab.json").read_text(encoding="utf-8")) if p.startswith("▁")]
    sentence = vocab[10:10 + SENTENCE_TOKENS] + ["</s>"]
    options = dict(beam_size=BEAM, min_decoding_length=OUTPUT_TOKENS, max_decoding_length=OUTPUT_TOKENS,
                   use_vmap=vmap, max_batch_size=size)
    translator.translate_batch([sentence], **dict(options, min_decoding_length=4, max_decoding_length=4))
    started = time.perf_counter()
    translator.translate_batch([sentence] * batch, **options)
    return batch * OUTPUT_TOKENS / (time.perf_counter() - started)


# ---- end to end: what users run (each mode in its own process) -------------------------

class ForcedLength:
    """The CTranslate2 translator with every translation as long as its input: a random model
    would stop anywhere. CTranslate2 forces one length per call, and a real model's short
    translations leave the batch when they end, so texts go in groups of the same length,
    rounded up to 8 tokens: what each costs is its own length. The groups of one call go to the
    decoder copies at once, as the length-sorted sub-batches of one real call do.

    `one_decoder` runs CTranslate2 as before this session's change: one decoder on every thread,
    sub-batches of 16 texts."""

    ROUND = 8

    def __init__(self, folder: Path, threads: int, vmap: bool = False, one_decoder: bool = False) -> None:
        import bot.engines.ct2 as ct2
        from bot.engines.registry import translation_model

        choice = translation_model("ar", "en")
        if one_decoder:  # this process runs one path only, so the module may be set for it
            ct2.thread_options = lambda device, threads=0: {"inter_threads": 1, "intra_threads": threads or 2}
            ct2.CPU_HYPOTHESES_PER_BATCH = 1 << 20  # the sub-batch is then min(16, texts), as before
        self.inner = ct2.CT2Translator(choice, converted(folder, vmap), folder, device="cpu", threads=threads)
        self.name, self.source, self.target = self.inner.name, "ar", "en"
        self.replicas = self.inner.replicas  # as CT2Translator: the batcher may keep that many calls in flight
        self.calls = 0

    def translate(self, texts: list[str], beam_size: int | None = None) -> list[str]:
        return [best for best, *_ in self._hypotheses(texts, beam_size, 1)]

    def _hypotheses(self, texts: list[str], beam_size: int | None, count: int) -> list[list[str]]:
        from concurrent.futures import ThreadPoolExecutor

        self.calls += 1
        tokens = [self.inner.codec.encode(text) for text in texts]
        groups: dict[int, list[int]] = {}
        for i, encoded in enumerate(tokens):
            groups.setdefault(-(-len(encoded) // self.ROUND) * self.ROUND, []).append(i)
        beam = beam_size or self.inner.beam_size

        def decode(group: tuple[int, list[int]]) -> list[list[str]]:
            length, members = group
            return self.inner.translate_tokens([tokens[i] for i in members], beam, length, length, count)

        outputs: list[list[str]] = [[] for _ in texts]
        with ThreadPoolExecutor(self.inner.replicas) as pool:
            for (_, members), done in zip(groups.items(), pool.map(decode, groups.items()), strict=True):
                for i, options in zip(members, done, strict=True):
                    outputs[i] = options
        return outputs


class ForcedLengthHypotheses(ForcedLength):
    """The same, giving the guard the beam's other hypotheses too (bot/core/guard.py first_faithful)."""

    def translate_candidates(self, texts: list[str], beam_size: int | None = None, count: int = 1) -> list[list[str]]:
        return self._hypotheses(texts, beam_size, count)


class BenchTranslators:
    """The Briefer's TranslatorProvider for the bench: the one forced-length model."""

    signature = "bench"

    def __init__(self, translator: ForcedLength) -> None:
        self.translator = translator

    def translator_for(self, source: str, target: str) -> ForcedLength | None:
        return self.translator if (source, target) == ("ar", "en") else None

    def install_hint(self, source: str, target: str) -> str | None:
        return None


def translate_brief_before(brief, translator, beam_size: int = 4) -> None:
    """bot/engines/apply.py's translate_brief before issue 14 (5aaa4cf^), verbatim in effect:
    every label translated, each failed text retried alone at beam 8, then repaired."""
    from bot.core.brief import OriginalText
    from bot.core.guard import check_figures, repair
    from bot.engines.base import translate_checked

    texts = [brief.headline, *brief.points, *(figure.context for figure in brief.figures)]
    guarded, notes = [], []
    for original, output in zip(texts, translate_checked(translator, texts), strict=True):
        if not check_figures(original, translator.source, output, translator.target).ok:
            [retry] = translate_checked(translator, [original], beam_size=max(8, 2 * beam_size))
            fixed = repair(original, translator.source, retry, translator.target)
            output = fixed.text
            notes += [f"Figure guard: {fixed.note}."] if fixed.note else []
        guarded.append(output)
    brief.original = OriginalText(brief.language, brief.headline, list(brief.points))
    brief.headline, brief.points = guarded[0], guarded[1:1 + len(brief.points)]
    for figure, context in zip(brief.figures, guarded[1 + len(brief.points):], strict=True):
        figure.context = context
    brief.language = translator.target
    brief.warnings += notes
    brief.engine["translator"] = translator.name


def easc_articles(count: int) -> list[str]:
    """The first `count` EASC articles of 150 to 1,000 words (real Arabic news-style text)."""
    rows = [json.loads(line)["article"].lstrip("\ufeff") for line in EASC.read_text(encoding="utf-8").splitlines()]
    return [text for text in rows if 150 <= len(text.split()) <= 1000][:count]


def end_to_end(models: Path, threads: int, path: str, briefs: int) -> dict:
    """Cold start (imports, model load, first brief), then `briefs` briefs one after the other,
    then the same briefs 8 at once."""
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    import bot.pipeline as pipeline
    from bot.config import Settings

    if path == "before":
        pipeline.translate_brief = translate_brief_before
        pipeline.batched = lambda translator: translator
    kind = ForcedLength if path == "before" else ForcedLengthHypotheses
    translator = kind(models / "opus-mt-ar-en", threads, vmap=path == "now + vmap",
                      one_decoder=path in ("before", ONE_DECODER))
    briefer = pipeline.Briefer(Settings(), translators=BenchTranslators(translator))
    articles = easc_articles(briefs)
    briefer.brief_text(articles[0])
    cold = time.perf_counter() - started
    translator.calls, times, retried, picked = 0, [], 0, 0
    for article in articles:
        begun = time.perf_counter()
        brief = briefer.brief_text(article)
        times.append(time.perf_counter() - begun)
        retried += brief.engine.get("retried", sum(w.startswith("Figure guard") for w in brief.warnings))
        picked += brief.engine.get("picked", 0)
    sequential_calls, translator.calls = translator.calls, 0
    begun, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(briefer.brief_text, articles))
    together = time.perf_counter() - begun
    busy = (time.process_time() - cpu) / together  # cores this process kept busy, on average
    return {"cold_s": cold, "p50_s": statistics.median(times), "one_by_one_per_min": 60 * len(times) / sum(times),
            "eight_at_once_per_min": 60 * len(articles) / together, "calls_one_by_one": sequential_calls,
            "calls_eight_at_once": translator.calls, "briefs": len(articles), "retried": retried, "picked": picked,
            "cores_busy_eight_at_once": busy}


def peak_resident_mb() -> float:
    """VmHWM of this process. Not ru_maxrss: Linux carries that over from the parent across
    fork and exec, so a child started by a big parent would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_isolated(models: Path, threads: int, path: str, briefs: int) -> dict:
    return in_own_process("end_to_end", models, threads, path, briefs)


def in_own_process(function: str, models: Path, *args: object, **kwargs: object) -> dict:
    """bench.speed's `function(models, *args, **kwargs)` in a fresh interpreter (its imports and
    memory its own), with that process's peak resident memory added when it gives none."""
    code = (f"import sys, json; sys.path.insert(0, {str(ROOT)!r}); from pathlib import Path; from bench import speed; "
            f"r = speed.{function}(Path({str(models)!r}), *{args!r}, **{kwargs!r}); "
            "r.setdefault('peak_mb', speed.peak_resident_mb()); print(json.dumps(r))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def bot_resident(models: Path, threads: int, briefs: int, in_flight: int | None = None, **bot_values: object) -> dict:
    """A running bot (the real PTB Application against the tests' fake Bot API on 127.0.0.1)
    with opus-mt-ar-en loaded: `briefs` chats each send an EASC Arabic article at once; its peak
    resident memory once every brief is delivered. Run in a process of its own."""
    import asyncio
    import tempfile

    from bot.pipeline import Briefer
    from tests.botharness import bot_settings, running_bot
    from tests.fakebotapi import FakeBotAPI

    async def run() -> float:
        api = FakeBotAPI()
        await api.start()
        translator = ForcedLengthHypotheses(models / "opus-mt-ar-en", threads)
        if in_flight is not None:  # the calls the batcher may have in flight (as shipped: one per decoder)
            translator.replicas = in_flight
        with tempfile.TemporaryDirectory() as data:
            settings = bot_settings(api, Path(data), user_briefs_per_minute=100, **bot_values)
            async with running_bot(settings, Briefer(settings, translators=BenchTranslators(translator))):
                begun = time.perf_counter()
                for chat, article in enumerate(easc_articles(briefs), start=1):
                    api.message(chat, article)
                await api.wait_for(lambda a: all(_brief_sent(a, chat) for chat in range(1, briefs + 1)), timeout=600)
                seconds = time.perf_counter() - begun
        await api.stop()
        return seconds

    seconds = asyncio.run(run())
    return {"seconds": seconds, "peak_mb": peak_resident_mb()}


def _brief_sent(api, chat: int) -> bool:
    """A brief (not a status line) reached the chat: it credits its source or shows its figures."""
    return any(call.method in ("sendMessage", "editMessageText") and len(call.params.get("text", "")) > 300
               for call in api.sent(chat_id=chat))


def in_flight_table(models: Path, threads: int, briefs: int, rounds: int = 2) -> None:
    """The batcher with one call in flight against one per decoder copy, through a running bot
    (`bot_resident`), in turn `rounds` times, each in its own process."""
    print(f"\n{briefs} Arabic briefs from {briefs} chats at once through a running bot (s), by calls in flight")
    print("| round | 1 call at a time | 1 per decoder (as shipped) |")
    print("| --- | --- | --- |")
    for number in range(1, rounds + 1):
        seconds = []
        for in_flight in (1, threads):
            seconds.append(in_own_process("bot_resident", models, threads, briefs, in_flight=in_flight)["seconds"])
        print(f"| {number} | {seconds[0]:.1f} | {seconds[1]:.1f} |", flush=True)


def cli_cold_start(example: str, runs: int = 3) -> tuple[float, float, list[str]]:
    """`briefbot brief <example>` (extractive), fastest of `runs`: the whole run, start to exit;
    the time of all its imports (the top-level imports' cumulative time, from `-X importtime`:
    the interpreter's own and any made during the brief included); and which of the heavy
    libraries it imported."""
    command = [sys.executable, "-X", "importtime", "-m", "bot", "brief", str(ROOT / "bot" / "examples" / example)]
    best, imports, heavy = float("inf"), float("inf"), []
    for _ in range(runs):
        begun = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
        best = min(best, time.perf_counter() - begun)
        rows = [line.split("|") for line in result.stderr.splitlines() if line.startswith("import time:")]
        top = [int(row[1]) for row in rows if len(row) == 3 and row[1].strip().isdigit() and not row[2].startswith("  ")]
        imports = min(imports, sum(top) / 1e6)
        heavy = sorted({name for name in ("trafilatura", "aiohttp", "torch", "transformers", "ctranslate2")
                        if f" {name}\n" in result.stderr or f"| {name}\n" in result.stderr})
    return best, imports, heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="opus-mt-ar-en only")
    parser.add_argument("--models", nargs="*", choices=TRANSLATION_MODELS, help="translation models to time")
    parser.add_argument("--briefs", type=int, default=8, help="EASC articles briefed per mode")
    parser.add_argument("--skip-tokens", action="store_true", help="end to end only")
    parser.add_argument("--repeat", type=int, default=1, help="end-to-end runs per path, in turn; the best is shown")
    parser.add_argument("--workdir", type=Path, help="build the models here and keep them for the next run")
    parser.add_argument("--in-flight", type=int, metavar="ROUNDS",
                        help="only compare one translation call in flight with one per decoder, ROUNDS times")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}, {os.cpu_count()} cores, "
          f"{args.threads} threads")
    with tempfile.TemporaryDirectory() as tmp:
        models = args.workdir or Path(tmp)
        if args.in_flight:
            build("Helsinki-NLP/opus-mt-ar-en", models / "opus-mt-ar-en")
            converted(models / "opus-mt-ar-en")
            in_flight_table(models, args.threads, args.briefs, args.in_flight)
            return
        names = args.models if args.models is not None else TRANSLATION_MODELS[:1] if args.quick else TRANSLATION_MODELS
        if not args.skip_tokens:
            token_table(models, names, args.threads)
        if not (models / "opus-mt-ar-en" / "config.json").exists():
            build("Helsinki-NLP/opus-mt-ar-en", models / "opus-mt-ar-en")
        converted(models / "opus-mt-ar-en")
        converted(models / "opus-mt-ar-en", vmap=True)
        thread_table(models, args.threads)
        hypotheses_cost(models, args.threads)
        end_to_end_table(models, args.threads, args.briefs, args.repeat)
        bot = in_own_process("bot_resident", models, args.threads, args.briefs)
        print(f"\na bot process (PTB Application, fake Bot API) with opus-mt-ar-en loaded: {args.briefs} Arabic "
              f"briefs from {args.briefs} chats at once in {bot['seconds']:.1f} s; peak resident {bot['peak_mb']:,.0f} MB")
    for example in ("desalination.en.txt", "desalination.ar.txt"):
        seconds, imports, heavy = cli_cold_start(example)
        print(f"\n`briefbot brief {example}` (extractive): {seconds:.2f} s start to exit, {imports:.2f} s of imports "
              f"in all; heavy imports: {', '.join(heavy) or 'none'}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


ONE_DECODER = "now, one decoder on all threads"
PATHS = ("before", ONE_DECODER, "now", "now + vmap")


def end_to_end_table(models: Path, threads: int, briefs: int, repeat: int) -> None:
    """Each path in its own process, the paths in turn `repeat` times; the best of each figure."""
    print(f"\nend to end: {briefs} EASC Arabic articles to English briefs, CTranslate2 int8 opus-mt-ar-en "
          f"(random weights, output as long as input), retries included; best of {repeat} run(s) per path")
    runs: dict[str, list[dict]] = {path: [] for path in PATHS}
    for _ in range(repeat):
        for path in PATHS:
            runs[path].append(run_isolated(models, threads, path, briefs))
    print("| path | briefs/min one after the other | briefs/min 8 at once | 8 at once / one by one "
          "| cores busy, 8 at once | p50 one brief (s) | model calls one by one | guard retries | hypotheses picked "
          "| cold start (s) | peak resident MB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for path, results in runs.items():
        one = max(r["one_by_one_per_min"] for r in results)
        eight = max(r["eight_at_once_per_min"] for r in results)
        r = results[0]  # calls, retries and picks are the same in every run (the outputs are deterministic)
        busy = max(results, key=lambda x: x["eight_at_once_per_min"])["cores_busy_eight_at_once"]
        print(f"| {path} | {one:.1f} | {eight:.1f} | {eight / one:.1f}x | {busy:.2f} | {min(x['p50_s'] for x in results):.2f} | "
              f"{r['calls_one_by_one']} | {r['retried']} | {r['picked']} | {min(x['cold_s'] for x in results):.1f} | "
              f"{max(x['peak_mb'] for x in results):,.0f} |", flush=True)


def thread_table(models: Path, threads: int, runs: int = 3) -> None:
    """Why CTranslate2 runs a decoder per core (bot/engines/ct2.py): one decoder on `threads`
    threads against one on a single thread, for one text (ms a decoder step) and 16 texts
    (tokens/s), then `threads` decoders of one thread each with 16 texts cut into sub-batches of
    2 to 16; beam 4, 32 tokens in, 36 out, int8, best of `runs`."""
    import ctranslate2

    folder = converted(models / "opus-mt-ar-en")
    vocab = [p for p in json.loads((models / "opus-mt-ar-en" / "vocab.json").read_text(encoding="utf-8"))
             if p.startswith("▁")]
    sentence = vocab[10:10 + SENTENCE_TOKENS] + ["</s>"]
    options = dict(beam_size=BEAM, min_decoding_length=OUTPUT_TOKENS, max_decoding_length=OUTPUT_TOKENS)

    def best(translator, batch: int, size: int) -> float:
        translator.translate_batch([sentence], **dict(options, min_decoding_length=4, max_decoding_length=4))
        seconds = float("inf")
        for _ in range(runs):
            begun = time.perf_counter()
            translator.translate_batch([sentence] * batch, max_batch_size=size, **options)
            seconds = min(seconds, time.perf_counter() - begun)
        return seconds

    print(f"\nCTranslate2 int8 opus-mt-ar-en threading, beam {BEAM}, best of {runs}")
    print("| decoders × threads each | sub-batch (texts) | ms a step, 1 text | tokens/s, 16 texts |")
    print("| --- | --- | --- | --- |")
    for inter, intra, sizes in ((1, threads, (16,)), (1, 1, (16,)), (threads, 1, (2, 4, 8, 16))):
        translator = ctranslate2.Translator(str(folder), device="cpu", compute_type="int8", inter_threads=inter,
                                            intra_threads=intra)
        step = 1000 * best(translator, 1, 1) / OUTPUT_TOKENS
        for size in sizes:
            print(f"| {inter} × {intra} | {size} | {step:.1f} | {16 * OUTPUT_TOKENS / best(translator, 16, size):,.0f} |",
                  flush=True)


def hypotheses_cost(models: Path, threads: int, runs: int = 5) -> None:
    """What asking the beam for all its hypotheses costs a model call (CTranslate2 int8, forced
    length): the guard's first pass asks for all `BEAM` of them; best of `runs`."""
    from bot.engines.ct2 import CT2Translator
    from bot.engines.registry import translation_model

    folder = models / "opus-mt-ar-en"
    translator = CT2Translator(translation_model("ar", "en"), converted(folder), folder, device="cpu", threads=threads)
    sentence = translator.codec.encode(easc_articles(1)[0])[:SENTENCE_TOKENS - 1] + ["</s>"]
    print(f"\none model call, beam {BEAM}, {SENTENCE_TOKENS} tokens in, {OUTPUT_TOKENS} out, best of {runs} (ms)")
    print(f"| batch | best hypothesis only | all {BEAM} hypotheses | cost |")
    print("| --- | --- | --- | --- |")
    for batch in (1, 16):
        best = {1: float("inf"), BEAM: float("inf")}
        translator.translate_tokens([sentence] * batch, BEAM, OUTPUT_TOKENS, OUTPUT_TOKENS)  # warm-up
        for _ in range(runs):
            for count in best:  # in turn, so that a busy spell of a shared machine hits both
                begun = time.perf_counter()
                translator.translate_tokens([sentence] * batch, BEAM, OUTPUT_TOKENS, OUTPUT_TOKENS, count)
                best[count] = min(best[count], 1000 * (time.perf_counter() - begun))
        print(f"| {batch} | {best[1]:.0f} | {best[BEAM]:.0f} | {100 * (best[BEAM] / best[1] - 1):+.0f}% |", flush=True)


def token_table(models: Path, names: list[str], threads: int) -> None:
    print(f"translation, output tokens/s on {threads} threads (beam {BEAM}, {SENTENCE_TOKENS} in, {OUTPUT_TOKENS} out)")
    print("| model | batch | transformers fp32 | transformers bf16 | CTranslate2 int8, one decoder (before) "
          "| CTranslate2 int8 | int8 + vmap | int8 / fp32 | int8 + vmap / fp32 |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for model_id in names:
        folder = build(model_id, models / model_id.split("/")[1])
        for batch in (1, 16):
            fp32 = tokens_per_second_hf(folder, batch, "float32", threads)
            bf16 = tokens_per_second_hf(folder, batch, "bfloat16", threads)
            before = tokens_per_second_ct2(folder, batch, threads, shipped=False)
            int8 = tokens_per_second_ct2(folder, batch, threads)
            vmap = tokens_per_second_ct2(folder, batch, threads, vmap=True) if (folder / "vocab.json").exists() else 0
            print(f"| {model_id} | {batch} | {fp32:,.0f} | {bf16:,.0f} | {before:,.0f} | {int8:,.0f} | {vmap:,.0f} | "
                  f"{int8 / fp32:.1f}x | {vmap / fp32:.1f}x |", flush=True)


if __name__ == "__main__":
    main()
