"""Tiny random models of the real architectures, built from nothing at test time.

No weights are downloaded: a SentencePiece or BPE tokenizer is trained on a few
hundred lines of our own example articles, a 1-layer model is initialised with a
fixed seed, and both are saved with `save_pretrained` into a folder, which is
what a user's downloaded model looks like to briefbot.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import EXAMPLES

CHAT_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def corpus() -> list[str]:
    """A few hundred lines in English and Arabic, with numbers in both digit sets."""
    lines = []
    for name in ("desalination.en.txt", "desalination.ar.txt"):
        lines += [line for line in (EXAMPLES / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    lines += [f"The {i} towns had {i * 17:,} people and {i % 40}% more water in {1990 + i % 35}." for i in range(150)]
    lines += [f"قالت الهيئة إن {i} بلدة حصلت على {i * 3} ألف متر مكعب في عام {1990 + i % 35}." for i in range(150)]
    return lines


def _seed() -> None:
    import torch

    torch.manual_seed(1234)


def build_marian(folder: Path) -> Path:
    """A Marian (opus-mt-shaped) translation model with SentencePiece vocabularies."""
    import sentencepiece as spm
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    text = folder / "corpus.txt"
    text.write_text("\n".join(corpus()), encoding="utf-8")
    # Real opus-mt vocabularies: </s>=0, <unk>=1, …, <pad> last.
    spm.SentencePieceTrainer.train(input=str(text), model_prefix=str(folder / "sp"), vocab_size=500,
                                   model_type="unigram", character_coverage=1.0, bos_id=-1, eos_id=0, unk_id=1,
                                   pad_id=-1, minloglevel=2)
    processor = spm.SentencePieceProcessor(model_file=str(folder / "sp.model"))
    vocab = {processor.id_to_piece(i): i for i in range(processor.get_piece_size())}
    vocab["<pad>"] = pad = len(vocab)
    for name in ("source.spm", "target.spm"):
        shutil.copy(folder / "sp.model", folder / name)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    for leftover in ("sp.model", "sp.vocab", "corpus.txt"):
        (folder / leftover).unlink()
    tokenizer = MarianTokenizer(str(folder / "source.spm"), str(folder / "target.spm"), str(folder / "vocab.json"))
    config = MarianConfig(vocab_size=len(vocab), d_model=32, encoder_layers=1, decoder_layers=1,
                          encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64,
                          decoder_ffn_dim=64, max_position_embeddings=512, pad_token_id=pad, eos_token_id=0,
                          decoder_start_token_id=pad, forced_eos_token_id=0, bad_words_ids=[[pad]])
    _seed()
    MarianMTModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def _bpe_tokenizer(specials: list[str], **roles: str):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE(unk_token=roles.get("unk_token")))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(corpus(), trainers.BpeTrainer(vocab_size=600, special_tokens=specials,
                                                          initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    return PreTrainedTokenizerFast(tokenizer_object=bpe, **roles)


def build_bart(folder: Path, max_positions: int = 64) -> Path:
    """A BART (distilbart-cnn-shaped) summarizer whose input holds only `max_positions` tokens,
    so that a normal article needs chunking."""
    from tokenizers import processors
    from transformers import BartConfig, BartForConditionalGeneration

    tokenizer = _bpe_tokenizer(["<s>", "<pad>", "</s>", "<unk>"], bos_token="<s>", pad_token="<pad>",
                               eos_token="</s>", unk_token="<unk>")
    tokenizer._tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    tokenizer.model_max_length = max_positions
    config = BartConfig(vocab_size=len(tokenizer), d_model=32, encoder_layers=1, decoder_layers=1,
                        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64,
                        decoder_ffn_dim=64, max_position_embeddings=max_positions, bos_token_id=0, pad_token_id=1,
                        eos_token_id=2, decoder_start_token_id=2, forced_bos_token_id=0)
    _seed()
    BartForConditionalGeneration(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def build_chat_model(folder: Path) -> Path:
    """A Qwen2-shaped instruction model with a ChatML chat template."""
    from transformers import Qwen2Config, Qwen2ForCausalLM

    tokenizer = _bpe_tokenizer(["<|endoftext|>", "<|im_start|>", "<|im_end|>"], eos_token="<|im_end|>",
                               pad_token="<|endoftext|>")
    tokenizer.chat_template = CHAT_TEMPLATE
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=4096,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
                         tie_word_embeddings=True)
    _seed()
    Qwen2ForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
