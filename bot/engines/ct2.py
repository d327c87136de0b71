"""The fast path: the same translation models converted to CTranslate2.

int8 on the CPU, float16 on a GPU. It reads the tokenizer of the original model,
so its input and output text are exactly what the transformers path sees.
"""

from __future__ import annotations

from pathlib import Path

from bot.engines.hardware import cpu_threads, pick_device
from bot.engines.registry import TranslationModel
from bot.engines.seq2seq import BATCH_SIZE, MAX_INPUT_TOKENS, target_token

DEFAULT_QUANTIZATION = "int8"


def convert(source: Path, output: Path, quantization: str = DEFAULT_QUANTIZATION) -> Path:
    """Writes the CTranslate2 version of the transformers model in `source` to `output`."""
    from ctranslate2.converters import TransformersConverter

    output.parent.mkdir(parents=True, exist_ok=True)
    return Path(TransformersConverter(str(source)).convert(str(output), quantization=quantization, force=True))


def compute_type_for(device: str) -> str:
    return "float16" if device == "cuda" else "int8"


class CT2Translator:
    def __init__(self, choice: TranslationModel, converted: Path, tokenizer_path: Path, *, device: str = "auto",
                 threads: int = 0, beam_size: int = 4, compute_type: str | None = None,
                 batch_size: int = BATCH_SIZE) -> None:
        import ctranslate2
        from transformers import AutoTokenizer

        self.device = pick_device(device)
        self.choice = choice
        self.source, self.target = choice.source, choice.target
        self.name = f"ctranslate2:{choice.model}"
        self.beam_size = beam_size
        self.batch_size = batch_size
        self.folder = converted
        self.tokenizer = AutoTokenizer.from_pretrained(tokenizer_path)
        self.translator = ctranslate2.Translator(str(converted), device=self.device,
                                                 compute_type=compute_type or compute_type_for(self.device),
                                                 intra_threads=cpu_threads(threads))

    @property
    def memory_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.folder.glob("*.bin"))

    def translate(self, texts: list[str], beam_size: int | None = None, max_new_tokens: int | None = None,
                  min_new_tokens: int | None = None) -> list[str]:
        if self.choice.source_code:
            self.tokenizer.src_lang = self.choice.source_code
        tokens = [self.tokenizer.convert_ids_to_tokens(
            self.tokenizer.encode(text, truncation=True, max_length=MAX_INPUT_TOKENS)) for text in texts]
        forced = target_token(self.choice.family, self.choice.target_code)
        prefix = [[forced]] * len(texts) if forced else None
        # transformers counts the end-of-sentence token that Marian forces at the limit; CTranslate2
        # does not, and counts the forced language token: so the limits differ by one each way.
        new_tokens = max_new_tokens or min(MAX_INPUT_TOKENS, 2 * max(map(len, tokens), default=1) + 10)
        limits = {"max_decoding_length": new_tokens - 1 + (1 if forced else 0)}
        results = self.translator.translate_batch(
            tokens, target_prefix=prefix, beam_size=beam_size or self.beam_size, max_batch_size=self.batch_size,
            min_decoding_length=min_new_tokens or 0, **limits)
        out = []
        for result in results:
            hypothesis = result.hypotheses[0][1:] if forced else result.hypotheses[0]
            ids = self.tokenizer.convert_tokens_to_ids(hypothesis)
            out.append(self.tokenizer.decode(ids, skip_special_tokens=True).strip())
        return out
