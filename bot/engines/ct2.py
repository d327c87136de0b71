"""The fast path: the same translation models converted to CTranslate2.

int8 on the CPU, float16 on a GPU. It imports neither torch nor transformers for
Marian (opus-mt) models: their SentencePiece models and vocab.json are read
directly, which gives the same tokens as transformers' MarianTokenizer (tested).
Other families (M2M100, NLLB) still read the transformers tokenizer.

A vocabulary map (`vmap.txt` in the converted folder) restricts each batch's output
layer to the target words its source words can translate to; with a 62,834-word
vocabulary that layer is most of a decoder step. `briefbot models vmap` makes one
from a corpus (bot/engines/vmap.py); one made from a word-aligned parallel corpus
(README, "Vocabulary map") works the same once it is the converted folder's `vmap.txt`.

On the CPU each core runs its own copy of the decoder (`inter_threads`, one thread
each, the weights shared) and a call's texts are split into sub-batches that the
copies decode at once. A decoder step of this size is too small to share out: on 2
cores two threads on one batch were slower than one (opus-mt-ar-en, beam 4: 19.6
against 6.8 ms a step for one text; bench/speed.py's threading table).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from bot.engines.hardware import cpu_threads
from bot.engines.registry import TranslationModel
from bot.engines.seq2seq import BATCH_SIZE, MAX_INPUT_TOKENS, target_token

DEFAULT_QUANTIZATION = "int8"
# Hypotheses one CPU sub-batch decodes together: 8 texts at beam 4, 4 at beam 8. Fewer leave
# the step's overhead unshared, more spill the cache (beam 4, 2 decoders: 545, 725, 750 and 371
# tokens/s for sub-batches of 2, 4, 8 and 16 texts; bench/speed.py).
CPU_HYPOTHESES_PER_BATCH = 32
VMAP = "vmap.txt"  # the name CTranslate2's converters give the vocabulary map


def convert(source: Path, output: Path, quantization: str = DEFAULT_QUANTIZATION, vmap: Path | None = None) -> Path:
    """Writes the CTranslate2 version of the transformers model in `source` to `output`,
    with the vocabulary map `vmap` (default: the model folder's own `vmap.txt`, if any)."""
    from ctranslate2.converters import TransformersConverter

    vmap = vmap or (source / VMAP if (source / VMAP).exists() else None)
    output.parent.mkdir(parents=True, exist_ok=True)
    converter = TransformersConverter(str(source))
    return Path(converter.convert(str(output), vmap=str(vmap) if vmap else None, quantization=quantization,
                                  force=True))


def thread_options(device: str, threads: int = 0) -> dict[str, int]:
    """CTranslate2's threads: on the CPU one decoder copy per core given (`threads`, 0 for all),
    one thread each (see the module's docstring); on a GPU one copy."""
    if device == "cpu":
        return {"inter_threads": cpu_threads(threads), "intra_threads": 1}
    return {"inter_threads": 1, "intra_threads": cpu_threads(threads)}


def sub_batch(texts: int, beam_size: int, replicas: int, limit: int = BATCH_SIZE) -> int:
    """Texts per CPU sub-batch: a call spread over every decoder copy, each sub-batch at most
    `CPU_HYPOTHESES_PER_BATCH` hypotheses (CTranslate2 sorts the call's texts by length first)."""
    spread = -(-texts // max(1, replicas))
    return max(1, min(limit, CPU_HYPOTHESES_PER_BATCH // max(1, beam_size), spread))


def compute_type_for(device: str) -> str:
    return "float16" if device == "cuda" else "int8"


def ct2_device(requested: str = "auto") -> str:
    """CUDA when CTranslate2 sees a GPU; asks CTranslate2, so torch is never imported."""
    if requested != "auto":
        return requested
    import ctranslate2

    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


class Codec(Protocol):
    """Text to the model's source tokens (end token included) and target tokens back to text."""

    def encode(self, text: str) -> list[str]: ...

    def decode(self, tokens: list[str]) -> str: ...


class MarianCodec:
    """opus-mt's own files: source.spm, target.spm and the shared vocab.json. As MarianTokenizer:
    pieces outside the vocabulary become <unk>, </s> ends the input, special tokens are dropped
    from the output."""

    SPECIALS = frozenset({"</s>", "<unk>", "<pad>"})

    def __init__(self, folder: Path) -> None:
        import sentencepiece as spm

        self.source = spm.SentencePieceProcessor(model_file=str(folder / "source.spm"))
        # transformers decodes shared-vocabulary Marian models with the source model (its default
        # when `separate_vocabs` is false); the same here, so both paths give the same text.
        config = json.loads((folder / "tokenizer_config.json").read_text("utf-8")) \
            if (folder / "tokenizer_config.json").exists() else {}
        self.target = self.source if not config.get("separate_vocabs") else \
            spm.SentencePieceProcessor(model_file=str(folder / "target.spm"))
        self.known = frozenset(json.loads((folder / "vocab.json").read_text("utf-8")))

    @staticmethod
    def fits(folder: Path) -> bool:
        return all((folder / name).exists() for name in ("source.spm", "target.spm", "vocab.json"))

    def encode(self, text: str) -> list[str]:
        pieces = self.source.encode(text, out_type=str)[:MAX_INPUT_TOKENS - 1]
        return [piece if piece in self.known else "<unk>" for piece in pieces] + ["</s>"]

    def decode(self, tokens: list[str]) -> str:
        return str(self.target.decode_pieces([t for t in tokens if t not in self.SPECIALS])).strip()


class TransformersCodec:
    """Any other family, through its transformers tokenizer (imports transformers)."""

    def __init__(self, folder: Path, source_code: str | None) -> None:
        from transformers import AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(folder)
        if source_code:
            self.tokenizer.src_lang = source_code

    def encode(self, text: str) -> list[str]:
        ids = self.tokenizer.encode(text, truncation=True, max_length=MAX_INPUT_TOKENS)
        return list(self.tokenizer.convert_ids_to_tokens(ids))

    def decode(self, tokens: list[str]) -> str:
        ids = self.tokenizer.convert_tokens_to_ids(tokens)
        return str(self.tokenizer.decode(ids, skip_special_tokens=True)).strip()


def codec_for(choice: TranslationModel, folder: Path) -> Codec:
    if choice.family == "marian" and MarianCodec.fits(folder):
        return MarianCodec(folder)
    return TransformersCodec(folder, choice.source_code)


class CT2Translator:
    def __init__(self, choice: TranslationModel, converted: Path, tokenizer_path: Path, *, device: str = "auto",
                 threads: int = 0, beam_size: int = 4, compute_type: str | None = None,
                 batch_size: int = BATCH_SIZE) -> None:
        import ctranslate2

        self.device = ct2_device(device)
        self.choice = choice
        self.source, self.target = choice.source, choice.target
        self.name = f"ctranslate2:{choice.model}"
        self.beam_size = beam_size
        self.batch_size = batch_size
        self.folder = converted
        self.codec = codec_for(choice, tokenizer_path)
        self.use_vmap = (converted / VMAP).exists()
        copies = thread_options(self.device, threads)
        self.replicas = copies["inter_threads"]
        self.translator = ctranslate2.Translator(str(converted), device=self.device,
                                                 compute_type=compute_type or compute_type_for(self.device), **copies)

    @property
    def memory_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.folder.glob("*.bin"))

    def translate(self, texts: list[str], beam_size: int | None = None, max_new_tokens: int | None = None,
                  min_new_tokens: int | None = None) -> list[str]:
        return [best for best, *_ in self.translate_candidates(texts, beam_size, 1, max_new_tokens, min_new_tokens)]

    def translate_candidates(self, texts: list[str], beam_size: int | None = None, count: int = 1,
                             max_new_tokens: int | None = None, min_new_tokens: int | None = None) -> list[list[str]]:
        """Up to `count` hypotheses of each text's beam, the best-scoring first (CTranslate2 ranks them)."""
        tokens = [self.codec.encode(text) for text in texts]
        if not tokens:
            return []
        return self.translate_tokens(tokens, beam_size or self.beam_size, self.max_length(tokens, max_new_tokens),
                                     min_new_tokens or 0, count)

    def max_length(self, tokens: list[list[str]], max_new_tokens: int | None = None) -> int:
        """CTranslate2's `max_decoding_length` for `max_new_tokens` as transformers counts them (by
        default twice the longest input, plus 10). transformers counts the end-of-sentence token that
        Marian forces at the limit; CTranslate2 does not, and counts the forced language token: so the
        limits differ by one each way."""
        forced = target_token(self.choice.family, self.choice.target_code)
        new_tokens = max_new_tokens or min(MAX_INPUT_TOKENS, 2 * max(map(len, tokens)) + 10)
        return new_tokens - 1 + (1 if forced else 0)

    def translate_tokens(self, tokens: list[list[str]], beam_size: int, max_length: int,
                         min_length: int = 0, count: int = 1) -> list[list[str]]:
        """One model call for tokenized texts: up to `count` hypotheses each (no more than the beam
        keeps), the best first, as text."""
        return [[self.codec.decode(pieces) for pieces in hypotheses]
                for hypotheses in self.hypotheses(tokens, beam_size, max_length, min_length, count)]

    def hypotheses(self, tokens: list[list[str]], beam_size: int, max_length: int, min_length: int = 0,
                   count: int = 1, use_vmap: bool | None = None) -> list[list[list[str]]]:
        """The model call itself, in length-sorted sub-batches (on the CPU spread over the decoder
        copies, see `sub_batch`): each text's hypotheses as target pieces, the forced language token
        left out; with the vocabulary map if the folder has one, unless `use_vmap` says otherwise."""
        forced = target_token(self.choice.family, self.choice.target_code)
        size = sub_batch(len(tokens), beam_size, self.replicas, self.batch_size) if self.device == "cpu" \
            else self.batch_size
        options: dict[str, Any] = {"beam_size": beam_size, "max_batch_size": size,
                                   "max_decoding_length": max_length, "min_decoding_length": min_length,
                                   "use_vmap": self.use_vmap if use_vmap is None else use_vmap,
                                   "num_hypotheses": max(1, min(count, beam_size))}
        if forced:
            options["target_prefix"] = [[forced]] * len(tokens)
        results = self.translator.translate_batch(tokens, **options)
        skip = 1 if forced else 0
        return [[list(hypothesis[skip:]) for hypothesis in result.hypotheses] for result in results]
