"""Vocabulary maps for CTranslate2 (`briefbot models vmap`): for each source piece, the target
pieces it may translate to, learnt from text in the model's source language.

CTranslate2 loads `vmap.txt` from the converted folder with the model: one line per source piece,
`piece<TAB>target target …` (spaces in the key would make it an n-gram), and one line with an
empty key listing the pieces that are always candidates. With `use_vmap` a batch's output layer
keeps only its source pieces' lines, the always line, the special tokens and any target prefix.

The target side is the translations the user gives (line by line), or else the model's own
translations of the corpus with the full vocabulary ("self-distilled"). Either way every piece of
a corpus line's target stays reachable from that line's source pieces, so the corpus lines
translate greedily as they do without the map.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.engines.ct2 import VMAP, CT2Translator, MarianCodec
from bot.errors import BriefError

Pieces = list[str]
Ints = npt.NDArray[np.int64]
SPECIAL = re.compile(r"<[^<>\s]+>|__[A-Za-z_]+__")  # </s>, <unk>, <pad>; M2M100's __en__
MERGE_EVERY = 1 << 22  # pair codes held before they are tallied (32 MB)


class VmapError(BriefError):
    """A corpus a map cannot be made from: unreadable, empty, not line by line."""


@dataclass(frozen=True)
class VocabularyMap:
    always: Pieces                 # candidates in every batch
    candidates: dict[str, Pieces]  # source piece → its target pieces, the most specific first

    def lines(self) -> Iterator[str]:
        yield "\t" + " ".join(self.always) + "\n"
        for piece, targets in self.candidates.items():
            yield f"{piece}\t{' '.join(targets)}\n"


@dataclass(frozen=True)
class Check:
    """Held-out lines translated without and with the map (--check)."""

    lines: int
    identical: float
    tokens_per_second: float
    tokens_per_second_without: float


@dataclass(frozen=True)
class Made:
    path: Path
    source_pieces: int
    always: int
    seconds: float
    check: Check | None


def read_corpus(corpus: list[Path], targets: list[Path]) -> list[tuple[str, str | None]]:
    """(source line, its translation or None) for every line with text, file by file."""
    if targets and len(targets) != len(corpus):
        raise VmapError(f"{len(corpus)} --corpus files but {len(targets)} --target files: give one translation "
                        "file per corpus file.")
    pairs: list[tuple[str, str | None]] = []
    for number, path in enumerate(corpus):
        sources = _lines(path)
        translations: list[str | None] = list(_lines(targets[number])) if targets else [None] * len(sources)
        if len(translations) != len(sources):
            raise VmapError(f"{path} has {len(sources):,} lines but {targets[number]} has {len(translations):,}: "
                            "the translations must be line by line.")
        pairs += [(source.strip(), None if target is None else target.strip())
                  for source, target in zip(sources, translations, strict=True)
                  if source.strip() and (target is None or target.strip())]
    if not pairs:
        raise VmapError(f"There is no text in {', '.join(map(str, corpus))}: the corpus needs lines in the "
                        "model's source language.")
    return pairs


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise VmapError(f"{path} is not UTF-8 text.") from None
    except OSError as error:
        raise VmapError(f"Cannot read {path} ({error.strerror or type(error).__name__}).") from None
    return [line.rstrip("\r") for line in text.removesuffix("\n").split("\n")] if text else []


def held_out(count: int, lines: int) -> set[int]:
    """`lines` of `count` line numbers, spread evenly: the --check lines, never used to build the map."""
    if lines >= count:
        raise VmapError(f"--check {lines} would leave none of the {count:,} corpus lines to build the map from.")
    return {number * count // lines for number in range(lines)}


def usable(piece: str) -> bool:
    """A piece a map line can hold: not special, no space or tab (CTranslate2 splits lines on them)."""
    return bool(piece) and not SPECIAL.fullmatch(piece) and not any(ch in piece for ch in " \t\r\n")


def writes_figures(piece: str) -> bool:
    """Digits of any script, punctuation, signs (%, +, −, $, °) and SentencePiece's word boundary
    `▁` alone, which often comes before a number's digit pieces: what figures are made of."""
    return piece == "▁" or any(unicodedata.category(ch)[0] in "NPS" and ch != "▁" for ch in piece)


def target_vocabulary(converted: Path) -> Pieces:
    """The converted model's target vocabulary, in which CTranslate2 looks a map's pieces up."""
    for name in ("shared_vocabulary", "target_vocabulary"):
        if (converted / f"{name}.json").exists():
            return [str(piece) for piece in json.loads((converted / f"{name}.json").read_text("utf-8"))]
        if (converted / f"{name}.txt").exists():
            return (converted / f"{name}.txt").read_text("utf-8").removesuffix("\n").split("\n")
    raise VmapError(f"{converted} holds no CTranslate2 vocabulary.", "Convert the model again.")


def special_tokens(converted: Path, vocabulary: Pieces) -> set[str]:
    config = json.loads((converted / "config.json").read_text("utf-8")) if (converted / "config.json").exists() else {}
    named = {config.get(key) for key in ("bos_token", "eos_token", "unk_token", "decoder_start_token")}
    return {piece for piece in vocabulary if piece in named or SPECIAL.fullmatch(piece)}


def build_map(lines: list[tuple[Pieces, Pieces]], vocabulary: Pieces, specials: set[str], per_piece: int,
              frequent: int) -> VocabularyMap:
    """The map from aligned (source pieces, target pieces) lines: per source piece its `per_piece`
    best target pieces, more where a line's own target needs them; always the `frequent` most
    frequent target pieces, every piece figures are written with, and `specials`."""
    index = {piece: number for number, piece in enumerate(vocabulary) if usable(piece)}
    source_ids: dict[str, int] = {}
    encoded = [(np.unique(np.array([source_ids.setdefault(p, len(source_ids)) for p in source], np.int64)),
                np.array([index[p] for p in target if p in index], np.int64)) for source, target in lines]
    tokens = np.bincount(_join([t for _, t in encoded]), minlength=len(vocabulary))
    always = _always(vocabulary, tokens, specials, frequent)
    encoded = [(s, np.unique(t[~always[t]])) for s, t in encoded]
    codes, counts = _tally(encoded, len(vocabulary))
    source_lines = np.bincount(_join([s for s, _ in encoded]), minlength=len(source_ids))
    target_lines = np.bincount(_join([t for _, t in encoded]), minlength=len(vocabulary))
    # Dice, 2·(lines with both) / (lines with s + lines with t), ranks a source piece's targets: raw
    # counts would give every source piece the same pieces that are in nearly every line, while Dice
    # is high only where the two tend to occur together, as a word and its translation do. The most
    # frequent pieces are always allowed anyway, so they were left out of the pairs above.
    dice = 2 * counts / (source_lines[codes // len(vocabulary)] + target_lines[codes % len(vocabulary)])
    kept = _best(codes, counts, dice, len(vocabulary), per_piece)
    kept = _cover(encoded, codes, dice, kept, len(vocabulary))
    order = np.lexsort((-dice[np.searchsorted(codes, kept)], kept // len(vocabulary)))
    names = list(source_ids)
    candidates: dict[str, Pieces] = {}
    for code in kept[order].tolist():
        candidates.setdefault(names[code // len(vocabulary)], []).append(vocabulary[code % len(vocabulary)])
    return VocabularyMap([vocabulary[i] for i in np.flatnonzero(always).tolist()], candidates)


def _join(arrays: list[Ints]) -> Ints:
    return np.concatenate([*arrays, np.empty(0, np.int64)])


def _always(vocabulary: Pieces, tokens: Ints, specials: set[str], frequent: int) -> npt.NDArray[np.bool_]:
    always = np.array([piece in specials or (usable(piece) and writes_figures(piece)) for piece in vocabulary], bool)
    most = np.argsort(-tokens, kind="stable")[:frequent]
    always[most[tokens[most] > 0]] = True
    return always


def _tally(encoded: list[tuple[Ints, Ints]], size: int) -> tuple[Ints, Ints]:
    """Each (source, target) pair as the code source·size + target, sorted, with the lines holding it."""
    codes, counts = np.empty(0, np.int64), np.empty(0, np.int64)
    pending: list[Ints] = []
    held = 0
    for number, (s, t) in enumerate(encoded):
        pending.append((s[:, None] * size + t[None, :]).ravel())
        held += pending[-1].size
        if number == len(encoded) - 1 or held > MERGE_EVERY:
            new, new_counts = np.unique(np.concatenate(pending), return_counts=True)
            codes, inverse = np.unique(np.concatenate([codes, new]), return_inverse=True)
            counts = np.bincount(inverse, np.concatenate([counts, new_counts]), len(codes)).astype(np.int64)
            pending, held = [], 0
    return codes, counts


def _best(codes: Ints, counts: Ints, dice: npt.NDArray[np.float64], size: int, per_piece: int) -> Ints:
    """The codes of each source piece's `per_piece` best targets (by Dice, then count), sorted."""
    order = np.lexsort((codes % size, -counts, -dice, codes // size))
    ranked = codes[order] // size
    rank = np.arange(len(order)) - np.searchsorted(ranked, ranked)
    return np.sort(codes[order[rank < per_piece]])


def _cover(encoded: list[tuple[Ints, Ints]], codes: Ints, dice: npt.NDArray[np.float64], kept: Ints,
           size: int) -> Ints:
    """`kept` plus, for each line's target piece that none of its source pieces reaches, the pair
    with that line's best-matching source piece: so that a corpus line's own target stays reachable."""
    extra = []
    for s, t in encoded:
        if not len(s) or not len(t):
            continue
        pairs = s[:, None] * size + t[None, :]
        found = kept[np.minimum(np.searchsorted(kept, pairs), max(len(kept) - 1, 0))] == pairs if len(kept) else \
            np.zeros(pairs.shape, bool)
        missing = ~found.any(axis=0)
        if missing.any():
            lost = pairs[:, missing]
            extra.append(lost[dice[np.searchsorted(codes, lost)].argmax(axis=0), np.arange(lost.shape[1])])
    return np.union1d(kept, np.concatenate(extra)) if extra else kept


def write_map(vmap: VocabularyMap, folder: Path) -> Path:
    """`folder/vmap.txt`, replaced at once: a model loading meanwhile reads the old map or the new one."""
    handle, temporary = tempfile.mkstemp(prefix=".vmap-", suffix=".txt", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.writelines(vmap.lines())
        # mkstemp makes the file private; the map is read by whoever runs the bot, as the model is
        os.chmod(temporary, (folder / "model.bin").stat().st_mode & 0o666 if (folder / "model.bin").exists() else 0o644)
        os.replace(temporary, folder / VMAP)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return folder / VMAP


def best_pieces(translator: CT2Translator, sources: list[Pieces], use_vmap: bool) -> list[Pieces]:
    """Each tokenized text's best translation as target pieces, left undecoded, made as
    `CT2Translator` makes translations."""
    if not sources:
        return []
    found = translator.hypotheses(sources, translator.beam_size, translator.max_length(sources), use_vmap=use_vmap)
    return [hypotheses[0] for hypotheses in found]


def target_pieces(translator: CT2Translator, text: str) -> Pieces:
    """A given translation in the model's target pieces (opus-mt's target.spm)."""
    codec = translator.codec
    if not isinstance(codec, MarianCodec):
        raise VmapError("--target needs an opus-mt (Marian) model.", "Leave it out: the model translates the corpus.")
    return [piece for piece in codec.target.encode(text, out_type=str) if piece in codec.known]


def check_map(translator: CT2Translator, sources: list[Pieces], runs: int = 2) -> Check:
    """`sources` translated without and with the map (loaded by `translator`), best of `runs` each."""
    seconds: dict[bool, float] = {False: float("inf"), True: float("inf")}
    outputs: dict[bool, list[Pieces]] = {}
    for _ in range(runs):
        for use_vmap in (False, True):
            start = time.perf_counter()
            outputs[use_vmap] = best_pieces(translator, sources, use_vmap)
            seconds[use_vmap] = min(seconds[use_vmap], time.perf_counter() - start)
    texts = {use_vmap: [translator.codec.decode(pieces) for pieces in out] for use_vmap, out in outputs.items()}
    same = sum(a == b for a, b in zip(texts[False], texts[True], strict=True))
    rate = {use_vmap: sum(map(len, out)) / max(seconds[use_vmap], 1e-9) for use_vmap, out in outputs.items()}
    return Check(len(sources), same / len(sources), rate[True], rate[False])


def make_map(load: Callable[[], CT2Translator], texts: list[tuple[str, str | None]], *, per_piece: int = 40,
             frequent: int = 1000, check: int = 0, say: Callable[[str], None] = print) -> Made:
    """Builds the map of the converted model `load` opens from `texts` (see `read_corpus`), writes it
    into the converted folder, and with `check` > 0 compares `check` held-out lines with and without it."""
    start = time.perf_counter()
    translator = load()
    held = held_out(len(texts), check) if check else set()
    encoded = [translator.codec.encode(source) for source, _ in texts]
    building = [number for number in range(len(texts)) if number not in held]
    if any(texts[number][1] is None for number in building):
        say(f"translating {len(building):,} lines with the full vocabulary (the map's target side) …")
        targets = best_pieces(translator, [encoded[number] for number in building], use_vmap=False)
    else:
        targets = [target_pieces(translator, texts[number][1] or "") for number in building]
    lines = [([p for p in encoded[number] if usable(p)], [p for p in target if usable(p)])
             for number, target in zip(building, targets, strict=True)]
    lines = [(source, target) for source, target in lines if source and target]
    if not lines:
        raise VmapError("No corpus line gave pieces to map: is the corpus in the model's source language?")
    vocabulary = target_vocabulary(translator.folder)
    vmap = build_map(lines, vocabulary, special_tokens(translator.folder, vocabulary), per_piece, frequent)
    if not vmap.candidates:  # a map of the always line alone would restrict every translation to it
        raise VmapError("No source piece of the corpus could be mapped, so no map was written: is the corpus in "
                        "the model's source language?")
    path = write_map(vmap, translator.folder)
    seconds = time.perf_counter() - start
    result = None
    if held:
        say(f"checking the map on {len(held):,} held-out lines …")
        del translator  # the copy that loads the new map replaces it
        result = check_map(load(), [encoded[number] for number in sorted(held)])
    return Made(path, len(vmap.candidates), len(vmap.always), seconds, result)
