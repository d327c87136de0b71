"""Abstractive summaries: seq2seq models (BART, PEGASUS, mT5) and instruction models.

Both write sentences; the Briefer puts them through the figure guard, which drops
any sentence holding a number that the article does not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from bot.core.text.sentences import split_sentences
from bot.engines.base import Summary
from bot.engines.hardware import cpu_threads, pick_device

SUMMARY_TOKENS = 142  # what BART-CNN was fine-tuned to write


def english_only(model: str) -> bool:
    """BART-CNN and PEGASUS were trained on English news; mT5-XLSum on 45 languages."""
    name = model.lower()
    return not any(marker in name for marker in ("mt5", "xlsum", "mbart", "multilingual"))


def chunk_sentences(sentences: list[str], count_tokens: Callable[[str], int], budget: int) -> list[str]:
    """Consecutive sentences joined into chunks that each fit the model's input."""
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for sentence in sentences:
        size = count_tokens(sentence)
        if current and used + size > budget:
            chunks.append(" ".join(current))
            current, used = [], 0
        current.append(sentence)
        used += size
    if current:
        chunks.append(" ".join(current))
    return chunks


class Seq2SeqSummarizer:
    def __init__(self, model: str, path: Path, *, device: str = "auto", threads: int = 0, beam_size: int = 4) -> None:
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        self.torch = torch
        torch.set_num_threads(cpu_threads(threads))
        self.device = pick_device(device)
        self.name = f"transformers:{model}"
        self.languages = frozenset({"en"}) if english_only(model) else None
        self.beam_size = beam_size
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModelForSeq2SeqLM.from_pretrained(path).to(self.device).eval()
        self.max_input = min(getattr(self.model.config, "max_position_embeddings", 1024) or 1024,
                             self.tokenizer.model_max_length, 1024)

    @property
    def memory_bytes(self) -> int:
        return sum(p.numel() * p.element_size() for p in self.model.parameters())

    def summarize(self, text: str, language: str, sentences: int, target: str,
                  max_new_tokens: int = SUMMARY_TOKENS) -> Summary:
        """Long articles are summarized chunk by chunk, then the chunk summaries once more.
        A seq2seq model writes the language it reads: `target` is for the translator after it."""
        parts = split_sentences(text, language)

        def count(sentence: str) -> int:
            return len(self.tokenizer.tokenize(sentence)) + 1

        chunks = chunk_sentences(parts, count, self.max_input - 8)
        summaries = self._generate(chunks, max_new_tokens)
        if len(summaries) > 1:
            joined = " ".join(summaries)
            if count(joined) <= self.max_input:
                summaries = self._generate([joined], max_new_tokens)
        result = [s for summary in summaries for s in split_sentences(summary, language)]
        return Summary(result[:sentences], language)

    def _generate(self, chunks: list[str], max_new_tokens: int) -> list[str]:
        encoded = self.tokenizer(chunks, return_tensors="pt", padding=True, truncation=True,
                                 max_length=self.max_input).to(self.device)
        with self.torch.inference_mode():
            output = self.model.generate(**encoded, num_beams=self.beam_size,
                                         max_new_tokens=min(max_new_tokens, self.max_input - 2))
        return [s.strip() for s in self.tokenizer.batch_decode(output, skip_special_tokens=True)]


class InstructSummarizer:
    """A chat model told, by the templates in prompts/, to brief and translate in one pass
    and to write no number that the article does not."""

    def __init__(self, model: str, path: Path, prompts: Path, *, device: str = "auto", threads: int = 0,
                 max_new_tokens: int = 400) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.torch = torch
        torch.set_num_threads(cpu_threads(threads))
        self.device = pick_device(device)
        self.name = f"transformers:{model}"
        self.languages = None
        self.max_new_tokens = max_new_tokens
        self.prompts = prompts
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModelForCausalLM.from_pretrained(path).to(self.device).eval()

    @property
    def memory_bytes(self) -> int:
        return sum(p.numel() * p.element_size() for p in self.model.parameters())

    def summarize(self, text: str, language: str, sentences: int, target: str) -> Summary:
        """Briefs and translates in one pass: the points are in `target`."""
        reply = self.complete(brief_messages(self.prompts, text, target, sentences))
        return Summary(parse_points(reply)[:sentences], target)

    def complete(self, messages: list[dict[str, str]]) -> str:
        prompt = self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        encoded = self.tokenizer(prompt, return_tensors="pt").to(self.device)
        with self.torch.inference_mode():
            output = self.model.generate(**encoded, max_new_tokens=self.max_new_tokens, do_sample=False)
        return str(self.tokenizer.decode(output[0, encoded["input_ids"].shape[1]:], skip_special_tokens=True))


def brief_messages(prompts: Path, text: str, language: str, sentences: int) -> list[dict[str, str]]:
    """The chat for one brief, from `prompts/brief_system.txt` and `prompts/brief_user.txt`."""
    from bot.language import language_name

    system = (prompts / "brief_system.txt").read_text(encoding="utf-8")
    user = (prompts / "brief_user.txt").read_text(encoding="utf-8")
    values = {"language": language_name(language), "sentences": sentences, "article": text}
    return [{"role": "system", "content": system.format(**values)},
            {"role": "user", "content": user.format(**values)}]


def parse_points(reply: str) -> list[str]:
    """The JSON the prompt asks for; failing that, the reply's bullet lines."""
    match = re.search(r"\{.*\}", reply, re.DOTALL)
    if match:
        try:
            points = json.loads(match.group()).get("points", [])
            return [str(p).strip() for p in points if str(p).strip()]
        except (json.JSONDecodeError, AttributeError):
            pass
    lines = [re.sub(r"^\s*(?:[-•*]|\d+[.)])\s*", "", line).strip() for line in reply.splitlines()]
    return [line for line in lines if len(line.split()) >= 3]
