"""Translation and end-to-end speed on randomly initialised models with the real configs.

    python bench/speed.py [--threads 2] [--quick]

Speed does not depend on the weights, so no download is needed: each model is
built from its published config (transcribed below from its config.json) with
random weights, and every generation is forced to a fixed output length.

Reports:
1. translation tokens/s (output tokens) for transformers fp32, bf16 and
   CTranslate2 int8, at batch 1 and 16, for each translation model;
2. end to end, a 15-sentence Arabic article to an English brief:
   (a) naive: translate every sentence (opus-mt-ar-en, transformers fp32), then
       summarize the translation with bart-large-cnn;
   (b) default: extractive selection, then CTranslate2 int8 translation of only
       the headline and the brief's points;
   each in its own process, with its peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SENTENCE_TOKENS = 32       # a typical news sentence in opus-mt's SentencePiece units
OUTPUT_TOKENS = 36         # forced translation length
SUMMARY_TOKENS = 142       # forced summary length (bart-large-cnn's own average)
ARTICLE_SENTENCES = 15

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
    import torch
    from transformers import (
        BartConfig,
        BartForConditionalGeneration,
        M2M100Config,
        M2M100ForConditionalGeneration,
        MarianConfig,
        MarianMTModel,
    )

    family, values = CONFIGS[model_id]
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
    corpus.write_text("\n".join(f"sentence {i} with words and {i * 7} numbers" for i in range(300)))
    spm.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(folder / "sp"), vocab_size=100,
                                   bos_id=-1, eos_id=0, unk_id=1, pad_id=-1, minloglevel=2)
    if not vocab_size:
        return
    vocab = {"</s>": 0, "<unk>": 1, **{f"▁w{i}": i for i in range(2, vocab_size - 1)}, "<pad>": vocab_size - 1}
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
    import torch
    from transformers import AutoModelForSeq2SeqLM

    torch.set_num_threads(threads)
    model = AutoModelForSeq2SeqLM.from_pretrained(folder, dtype=getattr(torch, dtype)).eval()
    ids = torch.randint(3, 1000, (batch, SENTENCE_TOKENS))
    with torch.inference_mode():
        model.generate(input_ids=ids[:1], num_beams=1, min_new_tokens=4, max_new_tokens=4)  # warm-up
        started = time.perf_counter()
        model.generate(input_ids=ids, num_beams=1, min_new_tokens=OUTPUT_TOKENS, max_new_tokens=OUTPUT_TOKENS)
    return batch * OUTPUT_TOKENS / (time.perf_counter() - started)


def ct2_translator(folder: Path, threads: int, compute_type: str = "int8"):
    import ctranslate2

    from bot.engines.ct2 import convert

    converted = folder.parent / (folder.name + "-ct2")
    if not (converted / "model.bin").exists():
        convert(folder, converted, "int8")
    return ctranslate2.Translator(str(converted), device="cpu", compute_type=compute_type, intra_threads=threads)


def tokens_per_second_ct2(folder: Path, batch: int, threads: int) -> float:
    translator = ct2_translator(folder, threads)
    sentence = [f"▁w{10 + i}" for i in range(SENTENCE_TOKENS)] + ["</s>"]
    options = dict(beam_size=1, min_decoding_length=OUTPUT_TOKENS, max_decoding_length=OUTPUT_TOKENS)
    translator.translate_batch([sentence], **dict(options, min_decoding_length=4, max_decoding_length=4))
    started = time.perf_counter()
    translator.translate_batch([sentence] * batch, **options)
    return batch * OUTPUT_TOKENS / (time.perf_counter() - started)


# ---- end to end (each run in its own process for a clean peak-memory reading) ---------

def naive_pipeline(models: Path, threads: int) -> float:
    """Translate all 15 sentences (transformers fp32), then bart-large-cnn on the translation."""
    import torch
    from transformers import AutoModelForSeq2SeqLM

    torch.set_num_threads(threads)
    started = time.perf_counter()
    translator = AutoModelForSeq2SeqLM.from_pretrained(models / "opus-mt-ar-en").eval()
    summarizer = AutoModelForSeq2SeqLM.from_pretrained(models / "bart-large-cnn").eval()
    loaded = time.perf_counter()
    with torch.inference_mode():
        ids = torch.randint(3, 1000, (ARTICLE_SENTENCES, SENTENCE_TOKENS))
        translator.generate(input_ids=ids, num_beams=4, min_new_tokens=OUTPUT_TOKENS, max_new_tokens=OUTPUT_TOKENS)
        article = torch.randint(3, 1000, (1, ARTICLE_SENTENCES * OUTPUT_TOKENS))
        summarizer.generate(input_ids=article, num_beams=4, min_new_tokens=SUMMARY_TOKENS, max_new_tokens=SUMMARY_TOKENS)
    print(json.dumps({"load_s": loaded - started}), file=sys.stderr)
    return time.perf_counter() - loaded


def default_pipeline(models: Path, threads: int) -> float:
    """The Briefer's extractive selection of a real 15-sentence Arabic article, then CT2 int8
    translation of the headline and 4 points (beam 4, forced length)."""
    from bot.config import Settings
    from bot.pipeline import Briefer

    article = (ROOT / "bot" / "examples" / "desalination.ar.txt").read_text(encoding="utf-8")
    briefer = Briefer(Settings())
    briefer.brief_text(article, to="ar")  # load the language detector, as a running bot has
    translator = ct2_translator(models / "opus-mt-ar-en", threads)
    started = time.perf_counter()
    brief = briefer.brief_text(article, to="ar")
    texts = [brief.headline, *brief.points]
    batch = [[f"▁w{10 + i}" for i in range(SENTENCE_TOKENS)] + ["</s>"] for _ in texts]
    translator.translate_batch(batch, beam_size=4, min_decoding_length=OUTPUT_TOKENS, max_decoding_length=OUTPUT_TOKENS)
    return time.perf_counter() - started


def peak_resident_mb() -> float:
    """VmHWM of this process. Not ru_maxrss: Linux carries that over from the parent across
    fork and exec, so a child started by a big parent would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_isolated(name: str, models: Path, threads: int) -> dict:
    code = (f"import sys, json; sys.path.insert(0, {str(ROOT)!r}); from bench.speed import {name}, peak_resident_mb; "
            f"from pathlib import Path; s = {name}(Path({str(models)!r}), {threads}); "
            "print(json.dumps({'seconds': s, 'peak_mb': peak_resident_mb()}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="opus-mt-ar-en only")
    parser.add_argument("--models", nargs="*", choices=TRANSLATION_MODELS, help="translation models to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        models = Path(tmp)
        names = args.models if args.models is not None else TRANSLATION_MODELS[:1] if args.quick else TRANSLATION_MODELS
        print(f"translation, output tokens/s on {args.threads} threads (greedy, {SENTENCE_TOKENS} in, "
              f"{OUTPUT_TOKENS} out)")
        print("| model | batch | transformers fp32 | transformers bf16 | CTranslate2 int8 | int8 / fp32 |")
        print("| --- | --- | --- | --- | --- | --- |")
        for model_id in names:
            folder = build(model_id, models / model_id.split("/")[1])
            for batch in (1, 16):
                fp32 = tokens_per_second_hf(folder, batch, "float32", args.threads)
                bf16 = tokens_per_second_hf(folder, batch, "bfloat16", args.threads)
                int8 = tokens_per_second_ct2(folder, batch, args.threads)
                print(f"| {model_id} | {batch} | {fp32:,.0f} | {bf16:,.0f} | {int8:,.0f} | {int8 / fp32:.1f}x |",
                      flush=True)
        build("facebook/bart-large-cnn", models / "bart-large-cnn")
        if not (models / "opus-mt-ar-en").exists():
            build("Helsinki-NLP/opus-mt-ar-en", models / "opus-mt-ar-en")
        print(f"\nend to end, a {ARTICLE_SENTENCES}-sentence Arabic article to an English brief (models loaded)")
        print("| pipeline | seconds | peak resident MB |")
        print("| --- | --- | --- |")
        naive = run_isolated("naive_pipeline", models, args.threads)
        default = run_isolated("default_pipeline", models, args.threads)
        print(f"| naive: translate all (transformers fp32) + bart-large-cnn | {naive['seconds']:.2f} | {naive['peak_mb']:,.0f} |")
        print(f"| default: extractive + CTranslate2 int8 of the brief only | {default['seconds']:.2f} | {default['peak_mb']:,.0f} |")
        print(f"| speed-up | {naive['seconds'] / default['seconds']:.0f}x | |")


if __name__ == "__main__":
    main()
