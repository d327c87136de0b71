"""Command line: `briefbot brief SOURCE [SOURCE ...]`.

Exit codes: 0 every source briefed, 1 at least one failed (each failure is one
line on stderr), 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot import __version__, cli_models
from bot.config import Settings
from bot.core.brief import Brief
from bot.core.render.plain import render_json, render_text
from bot.core.render.telegram_html import render_html, split_html
from bot.errors import BriefError, InputError, NotAnArticle
from bot.i18n import render_labels
from bot.web.errors import FetchError

if TYPE_CHECKING:  # the pipeline pulls in extraction and HTTP: loaded only to brief
    from bot.pipeline import Briefer

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2
_CONFIG_HELP = "TOML settings file (default: $BRIEFBOT_CONFIG, else ~/.config/briefbot/config.toml)"
_MESSAGE_BREAK = "\n<!-- next message -->\n"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefbot", description="Short briefs of news articles, in your language.")
    parser.add_argument("--version", action="version", version=f"briefbot {__version__}")
    parser.add_argument("--config", type=Path, metavar="FILE", help=_CONFIG_HELP)
    # Every subcommand takes --config too; SUPPRESS keeps a value given before the subcommand.
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument("--config", type=Path, metavar="FILE", default=argparse.SUPPRESS, help=_CONFIG_HELP)
    commands = parser.add_subparsers(dest="command", required=True)
    brief = commands.add_parser("brief", parents=[config], help="brief articles from files or standard input")
    brief.add_argument("sources", nargs="+", metavar="SOURCE",
                       help="an http(s) link, a .txt, .html or .pdf file, or - for stdin")
    brief.add_argument("--to", metavar="LANG", help="language of the brief (ISO 639-1, default en)")
    brief.add_argument("--points", type=_positive, metavar="N", help="sentences in the brief (default 4)")
    brief.add_argument("--format", choices=("text", "json", "html"), default="text",
                       help="text for reading, json (one object per line), html (Telegram)")
    brief.add_argument("--engine", choices=("extractive", "abstractive", "llm"),
                       help="extractive (default, no model), abstractive (seq2seq) or llm (an OpenAI-compatible "
                            "server at BRIEFBOT_LLM_BASE_URL, else an instruction model in-process)")
    brief.add_argument("--translation-model", metavar="ID_OR_PATH", help="translation model: hub id or folder")
    brief.add_argument("--summary-model", metavar="ID_OR_PATH", help="model of the abstractive or llm engine")
    cli_models.add_parser(commands, parents=[config])
    run = commands.add_parser("run", parents=[config], help="run the Telegram bot (token in TELEGRAM_BOT_TOKEN)")
    run.add_argument("--webhook", metavar="URL", dest="webhook_url",
                     help="public https address for Telegram to post updates to (default: long polling)")
    run.add_argument("--listen", metavar="ADDR", dest="webhook_listen", help="address to bind (default 127.0.0.1)")
    run.add_argument("--port", type=_positive, dest="webhook_port", help="port to bind (default 8443)")
    run.add_argument("--health-port", type=_positive, dest="health_port",
                     help="also serve GET /healthz on this port (for container health checks)")
    commands.add_parser("worker", parents=[config],
                        help="finish brief jobs from the task queue at BRIEFBOT_QUEUE_URL (any number, any machine)")
    return parser


def _positive(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, not '{raw}'")
    return int(raw)


# Headings in the brief's language ("Key figures" / "الأرقام الرئيسية"); JSON keys never change.
RENDERERS: dict[str, Callable[[Brief], str]] = {
    "text": lambda brief: render_text(brief, render_labels(brief.language)),
    "json": render_json,
    "html": lambda brief: _MESSAGE_BREAK.join(split_html(render_html(brief, labels=render_labels(brief.language)))),
}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (`briefbot … | head`): stop quietly, as other Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_SOME_FAILED


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.load(file=args.config)
        if args.command == "run":
            return run_bot(args, settings)
        if args.command == "worker":
            return run_worker(settings)
        if args.command == "models":
            return cli_models.run(args, settings)
        from bot.pipeline import Briefer

        _check_language(args.to or settings.target_language)
        options = ("engine", "translation_model", "summary_model")
        briefer = Briefer(settings.with_values({name: getattr(args, name) for name in options}))
    except BriefError as error:
        print(f"briefbot: {error.user_message()}", file=sys.stderr)
        return EXIT_USAGE
    return run_brief(args, briefer)


def _check_language(code: str) -> None:
    """A bad --to (or target_language) is one usage error, not one failure per source."""
    from bot.language import is_known_language

    if not is_known_language(code.strip().lower()):
        raise InputError(f"'{code}' is not a language code briefbot knows.",
                         "Use a two-letter ISO 639-1 code such as en, ar or fr.")


def run_bot(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here: the command line and the library need no Telegram at all.
    from telegram.error import TelegramError

    from bot.telegram.app import build_application
    from bot.telegram.run import configure_logging, serve

    options = ("webhook_url", "webhook_listen", "webhook_port", "health_port")
    settings = settings.with_values({name: getattr(args, name) for name in options})
    application = build_application(settings)
    configure_logging(secret=settings.telegram_bot_token)
    try:
        asyncio.run(serve(settings, application))
    except TelegramError as error:  # at start: Telegram unreachable, or the token refused
        reason = str(error).replace(settings.telegram_bot_token, "<token>")
        print(f"briefbot: cannot start the bot: Telegram said or did: {reason}. Check the network, "
              "TELEGRAM_BOT_TOKEN and telegram_base_url.", file=sys.stderr)
        return EXIT_SOME_FAILED
    return EXIT_OK


def run_worker(settings: Settings) -> int:
    if not settings.queue_url:
        raise BriefError("No task queue.", "Set BRIEFBOT_QUEUE_URL (redis://host:6379/0) or queue_url in the config file.")
    if not settings.telegram_bot_token:
        raise BriefError("No Telegram bot token.",
                         "Set TELEGRAM_BOT_TOKEN (from @BotFather) or telegram_bot_token in the config file.")
    try:
        from bot.telegram.worker import run_worker as work
    except ImportError as error:   # taskiq and asyncpg come with the `scale` extra
        raise BriefError(f"The worker needs {error.name}.", "pip install 'briefbot[scale]'") from error
    from bot.telegram.run import configure_logging

    configure_logging(secret=settings.telegram_bot_token)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(work(settings))
    return EXIT_OK


def run_brief(args: argparse.Namespace, briefer: Briefer) -> int:
    render = RENDERERS[args.format]
    # one byte over the limit is enough to know the input is too large
    stdin_text = sys.stdin.buffer.read(briefer.settings.max_input_bytes + 1) if "-" in args.sources else b""
    results = asyncio.run(_brief_all(briefer, args, stdin_text))
    failures = 0
    outputs = 0
    for source, result in zip(args.sources, results, strict=True):
        if isinstance(result, BriefError):
            failures += 1
            print(f"briefbot: {_label(source)}: {_describe(result)}", file=sys.stderr)
            continue
        if outputs and args.format != "json":
            print()
        print(render(result), flush=True)
        outputs += 1
    return EXIT_SOME_FAILED if failures else EXIT_OK


async def _brief_all(briefer: Briefer, args: argparse.Namespace, stdin_text: bytes) -> list[Brief | BriefError]:
    """Brief every source, links fetched concurrently (bounded), results in input order."""
    gate = asyncio.Semaphore(briefer.settings.fetch_concurrency)

    async def one(source: str) -> Brief | BriefError:
        async with gate:
            try:
                return await _brief_source(briefer, source, args, stdin_text)
            except BriefError as error:
                return error
            except Exception as error:  # noqa: BLE001 - one source's bug must not lose the others' briefs
                return BriefError(f"Unexpected error ({type(error).__name__}: {error}).",
                                  "Please report it with the source that caused it.")

    try:
        return await asyncio.gather(*(one(s) for s in args.sources))
    finally:
        await briefer.aclose()


async def _brief_source(briefer: Briefer, source: str, args: argparse.Namespace, stdin_text: bytes) -> Brief:
    options = {"to": args.to, "points": args.points}
    if source == "-":
        if len(stdin_text) > briefer.settings.max_input_bytes:
            raise InputError("Standard input is larger than the input limit (max_input_bytes).",
                             "Briefs are for single articles; give one article at a time.")
        return await asyncio.to_thread(briefer.brief_document, stdin_text, None, **options)
    if is_link(source):
        return await briefer.abrief_url(source, **options)
    return await asyncio.to_thread(briefer.brief_file, source, **options)


_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]+:")
_CAUSE_LABELS = {"blocked": "blocked address", "blocked_port": "blocked port", "timeout": "timeout", "too_large": "too large",
                 "not_article": "not an article", "http_status": "HTTP status", "bad_url": "bad URL",
                 "too_many_redirects": "too many redirects", "bad_response": "bad response", "network": "network error"}


def is_link(source: str) -> bool:
    """'https://…', but also 'file:…', 'ftp:…' or 'data:…', which the fetcher then refuses."""
    return bool(_SCHEME.match(source)) and not Path(source).exists()


def _describe(error: BriefError) -> str:
    if isinstance(error, FetchError):
        return f"{_CAUSE_LABELS.get(error.cause, error.cause)}: {error.user_message()}"
    if isinstance(error, NotAnArticle):
        return f"not an article: {error.user_message()}"
    return error.user_message()


def _label(source: str) -> str:
    return "stdin" if source == "-" else source


if __name__ == "__main__":
    sys.exit(main())
