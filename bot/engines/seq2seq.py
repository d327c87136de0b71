"""transformers seq2seq models: Marian/M2M100/NLLB translation, BART/PEGASUS/mT5 summaries.

Sentences go through in batches sorted by length (little padding), inputs are
truncated to what the model accepts, and generation runs under inference mode.
"""

from __future__ import annotations

from pathlib import Path

from bot.engines.hardware import cpu_threads, import_torch, pick_device
from bot.engines.registry import TranslationModel

BATCH_SIZE = 16
MAX_INPUT_TOKENS = 512


def target_token(family: str, code: str | None) -> str | None:
    """Many-to-many models are told the target language by a forced first token."""
    if family == "m2m100":
        return f"__{code}__"
    if family == "nllb":
        return code
    return None


def length_sorted_batches(texts: list[str], size: int) -> list[list[int]]:
    """Indexes of `texts`, shortest first, in batches: similar lengths pad little."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    return [order[i:i + size] for i in range(0, len(order), size)]


class HFTranslator:
    """A transformers translation model, loaded once."""

    def __init__(self, choice: TranslationModel, path: Path, *, device: str = "auto", threads: int = 0,
                 beam_size: int = 4, dtype: str = "float32", batch_size: int = BATCH_SIZE) -> None:
        torch = import_torch()
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        self.torch = torch
        torch.set_num_threads(cpu_threads(threads))
        self.device = pick_device(device)
        self.choice = choice
        self.source, self.target = choice.source, choice.target
        self.name = f"transformers:{choice.model}"
        self.beam_size = beam_size
        self.batch_size = batch_size
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModelForSeq2SeqLM.from_pretrained(path, dtype=getattr(torch, dtype)).to(self.device).eval()

    @property
    def memory_bytes(self) -> int:
        return sum(p.numel() * p.element_size() for p in self.model.parameters())

    def translate(self, texts: list[str], beam_size: int | None = None, max_new_tokens: int | None = None,
                  min_new_tokens: int | None = None) -> list[str]:
        return [best for best, *_ in self.translate_candidates(texts, beam_size, 1, max_new_tokens, min_new_tokens)]

    def translate_candidates(self, texts: list[str], beam_size: int | None = None, count: int = 1,
                             max_new_tokens: int | None = None, min_new_tokens: int | None = None) -> list[list[str]]:
        """Up to `count` hypotheses of each text's beam (no more than the beam keeps), the best-scoring first."""
        results: list[list[str]] = [[] for _ in texts]
        if self.choice.source_code:
            self.tokenizer.src_lang = self.choice.source_code
        forced = target_token(self.choice.family, self.choice.target_code)
        extra = {"forced_bos_token_id": self.tokenizer.convert_tokens_to_ids(forced)} if forced else {}
        beams = beam_size or self.beam_size
        returned = max(1, min(count, beams))
        for batch in length_sorted_batches(texts, self.batch_size):
            encoded = self.tokenizer([texts[i] for i in batch], return_tensors="pt", padding=True,
                                     truncation=True, max_length=MAX_INPUT_TOKENS).to(self.device)
            limit = max_new_tokens or min(MAX_INPUT_TOKENS, 2 * encoded["input_ids"].shape[1] + 10)
            with self.torch.inference_mode():
                output = self.model.generate(**encoded, num_beams=beams, num_return_sequences=returned,
                                             max_new_tokens=limit, min_new_tokens=min_new_tokens, **extra)
            decoded = [text.strip() for text in self.tokenizer.batch_decode(output, skip_special_tokens=True)]
            for position, i in enumerate(batch):  # generate returns each input's sequences together, best first
                results[i] = decoded[position * returned:(position + 1) * returned]
        return results
