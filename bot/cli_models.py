"""`briefbot models list | download | convert | vmap`: what is configured, present and how big;
fetching, converting, and a vocabulary map for a converted translation model."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from bot.config import Settings
from bot.engines.locate import (
    ModelNotInstalled,
    converted_folder,
    download,
    folder_size,
    locate,
    require_engines,
)
from bot.engines.manager import DEFAULT_SUMMARY_MODELS
from bot.engines.registry import BETTER_ARABIC, TranslationModel, pair_model, translation_model
from bot.errors import BriefError

EXIT_OK, EXIT_FAILED = 0, 1


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser],
               parents: list[argparse.ArgumentParser]) -> None:
    """`parents` hold the options every subcommand takes (--config)."""
    models = commands.add_parser("models", parents=parents, help="list, download and convert models")
    actions = models.add_subparsers(dest="action", required=True)
    actions.add_parser("list", parents=parents, help="configured and cached models, whether present, their size")
    fetch = actions.add_parser("download", parents=parents,
                               help="fetch models into the Hugging Face cache (needs internet)")
    fetch.add_argument("names", nargs="+", metavar="NAME|PAIR", help="a hub id, or a pair such as ar-en")
    convert = actions.add_parser("convert", parents=parents,
                                 help="convert a translation model to CTranslate2 (the fast path)")
    convert.add_argument("names", nargs="+", metavar="NAME|PAIR|FOLDER")
    convert.add_argument("--quantization", default="int8", choices=("int8", "int8_float16", "float16", "float32"),
                         help="weights on disk (default int8; it is run as int8 on CPU, float16 on GPU)")
    vmap = actions.add_parser("vmap", parents=parents,
                              help="make a vocabulary map for a converted translation model (faster decoding)")
    vmap.add_argument("name", metavar="NAME|PAIR", help="a pair such as ar-en, a hub id or a model folder")
    vmap.add_argument("--corpus", action="append", required=True, type=Path, metavar="FILE",
                      help="text in the source language, a sentence or paragraph a line (repeatable)")
    vmap.add_argument("--target", action="append", default=[], type=Path, metavar="FILE",
                      help="their translations, line by line, one file per --corpus (default: the model's own)")
    vmap.add_argument("--per-piece", type=_count(1), default=40, metavar="N",
                      help="target pieces kept for each source piece (default 40)")
    vmap.add_argument("--always", type=_count(0), default=1000, metavar="N",
                      help="most frequent target pieces always allowed, besides figures and punctuation (default 1000)")
    vmap.add_argument("--check", type=_count(1), nargs="?", const=30, default=0, metavar="N",
                      help="hold out N corpus lines (30 if N is left out) and compare their translations "
                           "without and with the map")


def _count(least: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not text.isdigit() or int(text) < least:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least {least}")
        return int(text)
    return parse


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        actions = {"list": list_models, "download": download_models, "convert": convert_models, "vmap": make_vmap}
        return actions[args.action](args, settings)
    except ValueError as error:
        print(f"briefbot: {error}.", file=sys.stderr)
        return EXIT_FAILED


def configured_models(settings: Settings) -> list[tuple[str, str]]:
    """(job, model) for what this configuration would load."""
    target = settings.target_language
    rows = []
    for source in ("ar",) if target == "en" else ("en",):
        choice = translation_model(source, target, override=settings.translation_model,
                                   many_to_many=settings.many_to_many_model)
        if choice:
            rows.append((f"translate {source}→{target}", choice.model))
    if target == "en" and not settings.translation_model:
        rows.append(("translate ar→en (better, larger)", BETTER_ARABIC))
    rows.append(("translate other pairs", settings.many_to_many_model))
    for engine, model in DEFAULT_SUMMARY_MODELS.items():
        if engine == "llm" and settings.llm_base_url:
            continue  # the llm engine is a server here: its own line follows the table
        rows.append((f"engine {engine}", settings.summary_model if settings.engine == engine and settings.summary_model else model))
    return rows


def list_models(args: argparse.Namespace, settings: Settings) -> int:
    rows = [(job, model) for job, model in configured_models(settings)]
    listed = {model for _, model in rows}
    rows += [("in the cache", repo) for repo in _cached_repos() if repo not in listed]
    print(f"{'job':<34} {'model':<44} {'present':<8} {'size':>9}  fast path")
    for job, model in rows:
        try:
            size = f"{folder_size(locate(model)) / 2**20:,.0f} MB"
            present = "yes"
        except (ModelNotInstalled, BriefError):
            size, present = "—", "no"
        fast = "ctranslate2" if (converted_folder(settings.data_dir / "models", model) / "model.bin").exists() else "—"
        print(f"{job:<34} {model:<44} {present:<8} {size:>9}  {fast}")
    if settings.llm_base_url:  # the llm engine is a server: where it is, its model, whether it answers
        from bot.engines.llm_server import server_status  # aiohttp, only when a server is configured

        print(server_status(settings))
    return EXIT_OK


def _cached_repos() -> list[str]:
    try:
        from huggingface_hub import scan_cache_dir

        return sorted(repo.repo_id for repo in scan_cache_dir().repos if repo.repo_type == "model")
    except Exception:  # noqa: BLE001 (no cache folder yet, or huggingface_hub not installed: nothing cached)
        return []


def download_models(args: argparse.Namespace, settings: Settings) -> int:
    require_engines()
    failed = 0
    for name in args.names:
        model = pair_model(name, settings.many_to_many_model)
        print(f"downloading {model} …", flush=True)
        try:
            print(f"{model}: {download(model)}")
        except Exception as error:  # noqa: BLE001 (network, a wrong id, a full disk: one line each, go on)
            failed += 1
            print(f"briefbot: {model}: could not download ({type(error).__name__}: {str(error)[:200]}). "
                  "Downloading needs internet access to huggingface.co.", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def convert_models(args: argparse.Namespace, settings: Settings) -> int:
    require_engines()
    from bot.engines.ct2 import convert

    failed = 0
    for name in args.names:
        model = name if Path(name).expanduser().is_dir() else pair_model(name, settings.many_to_many_model)
        try:
            output = convert(locate(model, fetch_name=name), converted_folder(settings.data_dir / "models", model),
                             args.quantization)
            print(f"{model}: {output} ({folder_size(output) / 2**20:,.0f} MB, {args.quantization})")
        except BriefError as error:
            failed += 1
            print(f"briefbot: {name}: {error.user_message()}", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def make_vmap(args: argparse.Namespace, settings: Settings) -> int:
    """`vmap.txt` in the converted folder of a translation model (see bot/engines/vmap.py)."""
    try:
        model, choice = _translation_choice(args.name, settings)
        converted = converted_folder(settings.data_dir / "models", model)
        if not (converted / "model.bin").exists():
            raise BriefError(f"{model} has no CTranslate2 copy yet.", f"Run first: briefbot models convert {args.name}")
        try:
            from bot.engines.ct2 import CT2Translator
            from bot.engines.vmap import make_map, read_corpus
        except ImportError as error:
            raise ModelNotInstalled(f"The map needs {error.name}.", "Install it with: pip install 'briefbot[models]'") \
                from None
        texts = read_corpus(args.corpus, args.target)
        tokenizer = locate(model, fetch_name=args.name)
        made = make_map(lambda: CT2Translator(choice, converted, tokenizer, device=settings.device,
                                              threads=settings.cpu_threads, beam_size=settings.beam_size),
                        texts, per_piece=args.per_piece, frequent=args.always, check=args.check,
                        say=lambda line: print(f"briefbot: {line}", file=sys.stderr, flush=True))
    except BriefError as error:
        print(f"briefbot: {args.name}: {error.user_message()}", file=sys.stderr)
        return EXIT_FAILED
    except (RuntimeError, OSError) as error:  # CTranslate2 cannot load the copy, the folder cannot be written
        print(f"briefbot: {args.name}: {type(error).__name__}: {str(error)[:300]}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{model}: {made.path} ({made.source_pieces:,} source pieces, {made.always:,} target pieces always "
          f"allowed, {made.seconds:.1f} s)")
    if made.check:
        check = made.check
        print(f"check on {check.lines:,} held-out lines (beam {settings.beam_size}): {check.identical:.0%} "
              f"translated identically; {check.tokens_per_second:,.0f} tokens/s with the map, "
              f"{check.tokens_per_second_without:,.0f} without")
    return EXIT_OK


def _translation_choice(name: str, settings: Settings) -> tuple[str, TranslationModel]:
    """The model `briefbot models convert NAME` converts, and the languages its tokens need."""
    model = name if Path(name).expanduser().is_dir() else pair_model(name, settings.many_to_many_model)
    source, _, target = name.partition("-") if model != name else ("", "", "")
    choice = translation_model(source, target, override=model)
    if choice is None:
        raise BriefError(f"{model} translates many pairs.",
                         "Name the pair instead, such as: briefbot models vmap sw-en --corpus …")
    return model, choice
