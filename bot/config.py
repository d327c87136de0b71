"""Settings from the environment and an optional TOML file, passed around explicitly.

Precedence: built-in defaults < config file < environment < command-line options.
The file is `$BRIEFBOT_CONFIG`, else `~/.config/briefbot/config.toml` when it exists.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from bot.errors import BriefError

ENV_PREFIX = "BRIEFBOT_"


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "briefbot"


def _default_prompts_dir() -> Path:
    """prompts/ beside the package in a checkout; installed images set BRIEFBOT_PROMPTS_DIR."""
    return Path(__file__).resolve().parents[1] / "prompts"


@dataclass(frozen=True)
class Settings:
    target_language: str = "en"   # language of the brief; the source's own means no translation
    points: int = 4               # sentences in a brief
    max_figures: int = 12         # key figures listed under a brief (bench/figure_ranking.py)
    min_words: int = 40           # shorter texts are refused: there is nothing to brief
    max_words: int = 20_000       # longer texts are refused: one article at a time, briefed in ~1 s
    max_input_bytes: int = 5 * 1024 * 1024  # files and standard input larger than this are refused
    data_dir: Path = field(default_factory=_default_data_dir)
    fetch_allowlist: str = ""     # IPs/CIDRs that links may reach although private; none by default
    fetch_ports: str = "80,443"   # ports that links may use
    fetch_max_bytes: int = 5 * 1024 * 1024
    fetch_timeout: int = 20       # seconds for a whole fetch, redirects included
    fetch_concurrency: int = 4    # links fetched at once by one command
    # ---- engines and models
    engine: str = "extractive"    # extractive | abstractive | llm
    translation_model: str = ""   # hub id or folder; empty: opus-mt for the pair, else many_to_many_model
    summary_model: str = ""       # hub id or folder; empty: the engine's default
    many_to_many_model: str = "facebook/m2m100_418M"  # or facebook/nllb-200-distilled-600M (CC-BY-NC)
    beam_size: int = 4
    device: str = "auto"          # auto (CUDA when present) | cpu | cuda
    cpu_threads: int = 0          # 0: every core the process may use
    model_memory_mb: int = 4096   # loaded models beyond this are unloaded, least recently used first
    prompts_dir: Path = field(default_factory=_default_prompts_dir)
    # ---- an LLM server for the llm engine (OpenAI-compatible); empty: the in-process model
    llm_base_url: str = field(default="", repr=False)  # e.g. http://localhost:11434/v1 (Ollama); may hold a login
    llm_model: str = ""           # the model id the server knows, e.g. qwen2.5:7b-instruct
    llm_api_key: str = field(default="", repr=False)  # also read from OPENAI_API_KEY
    llm_timeout: float = 60.0     # seconds for one brief's answer, retries included
    llm_concurrency: int = 4      # requests in flight per process
    llm_max_tokens: int = 1024    # longest answer asked for
    # ---- the Telegram bot (`briefbot run`)
    telegram_bot_token: str = field(default="", repr=False)  # also read from TELEGRAM_BOT_TOKEN
    telegram_base_url: str = ""   # Bot API address, token appended (a local Bot API server or a test double)
    telegraph_base_url: str = "https://api.telegra.ph"  # Telegraph API for long digests and briefs
    telegraph_briefs: bool = False  # a brief too long for one message goes to a telegra.ph page
    webhook_url: str = ""         # public HTTPS address Telegram posts to; empty: long polling
    webhook_listen: str = "127.0.0.1"  # address the webhook server binds (0.0.0.0 in a container)
    webhook_port: int = 8443
    webhook_secret: str = field(default="", repr=False)  # empty: a random one per start
    health_port: int = 0          # serve GET /healthz on this port too, 0 for none (the webhook port always has it)
    workers: int = 2              # briefs made at once; more wait in the queue
    cpu_workers: int = 0          # processes for extraction and selection (bench/cpu_pool.py); 0: in the briefing thread
    queue_size: int = 20          # briefs that may wait; beyond, "busy, try again"
    user_briefs_per_minute: int = 6
    allowed_users: frozenset[int] = frozenset()  # Telegram user ids that may use the bot; empty: everyone
    allowed_chats: frozenset[int] = frozenset()  # groups and channels it works in; empty: every one
    daily_quota: int = 0          # briefs a user may ask for per UTC day; 0: no limit (admin_users have none)
    admin_users: frozenset[int] = frozenset()  # Telegram user ids of the bot's operators (/usage)
    # ---- scale-out (README, "Past one machine"); empty: one process, SQLite in data_dir, no queue
    database_url: str = field(default="", repr=False)  # sqlite+aiosqlite:///… or postgresql+asyncpg://… (may hold a login)
    queue_url: str = field(default="", repr=False)     # redis://…: `briefbot worker`s take the brief jobs
    # Telegram's flood limits, one budget for all processes (shared in queue_url's Redis when scaled out)
    bot_sends_per_second: int = 30    # Bot API calls to chats, the whole bot
    chat_sends_per_second: int = 1    # to one chat (scaled out; one process sends as fast as bot_sends allows)
    group_sends_per_minute: int = 20  # to one group or channel

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, file: Path | None = None) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        path = file or _config_path(env)
        if path is not None:
            values.update(_read_toml(path))
        if env.get("TELEGRAM_BOT_TOKEN"):  # the name every Telegram tool documents
            values["telegram_bot_token"] = env["TELEGRAM_BOT_TOKEN"]
        if env.get("OPENAI_API_KEY") and "llm_api_key" not in values:  # what OpenAI-compatible clients read
            values["llm_api_key"] = env["OPENAI_API_KEY"]
        for f in fields(cls):
            key = ENV_PREFIX + f.name.upper()
            if key in env:
                values[f.name] = env[key]
        return cls().with_values(values)

    def with_values(self, values: Mapping[str, Any]) -> Settings:
        """A copy with `values` applied, each converted to its field's type."""
        converted: dict[str, Any] = {}
        types = {f.name: f.type for f in fields(self)}
        for name, raw in values.items():
            if raw is None:
                continue
            if name not in types:
                raise BriefError(f"Unknown setting '{name}'.", "See the README's Configuration section.")
            converted[name] = _convert(name, types[name], raw)
        return replace(self, **converted)


def _config_path(env: Mapping[str, str]) -> Path | None:
    if env.get(ENV_PREFIX + "CONFIG"):
        return Path(env[ENV_PREFIX + "CONFIG"])
    default = Path.home() / ".config" / "briefbot" / "config.toml"
    return default if default.exists() else None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise BriefError(f"Config file {path} does not exist.") from None
    except tomllib.TOMLDecodeError as error:
        raise BriefError(f"Config file {path} is not valid TOML: {error}.") from None


CHOICES = {"engine": ("extractive", "abstractive", "llm"), "device": ("auto", "cpu", "cuda")}
# whole-number settings where 0 is a choice, and what it means
ZERO_MEANS = {"daily_quota": "no limit", "cpu_workers": "none, in the briefing thread"}


def _convert(name: str, kind: Any, raw: Any) -> Any:
    if name in CHOICES and str(raw).strip().lower() not in CHOICES[name]:
        raise BriefError(f"Setting '{name}' must be one of {', '.join(CHOICES[name])}, not '{raw}'.")
    if kind in (frozenset[int], "frozenset[int]"):
        return _ids(name, raw)
    if kind in (bool, "bool"):
        return _switch(name, raw)
    try:
        if kind in (int, "int"):
            value = int(raw)
            if value < (0 if name in ZERO_MEANS else 1):
                raise ValueError
            return value
        if kind in (float, "float"):
            return _positive_number(name, raw)
        if kind in (Path, "Path"):
            return Path(raw).expanduser()
        return str(raw).strip().lower() if name.endswith("language") else str(raw)
    except ValueError:
        zero = f" (or 0 for {ZERO_MEANS[name]})" if name in ZERO_MEANS else ""
        raise BriefError(f"Setting '{name}' must be a positive whole number{zero}, not '{raw}'.") from None


def _ids(name: str, raw: Any) -> frozenset[int]:
    """Telegram ids from "123, -100456" (the environment) or [123, -100456] (TOML)."""
    items = raw.replace(",", " ").split() if isinstance(raw, str) else [raw] if isinstance(raw, int) else raw
    try:
        return frozenset(int(str(item).strip()) for item in items)
    except (TypeError, ValueError):
        raise BriefError(f"Setting '{name}' must be Telegram ids separated by commas (such as 12345,-100678), "
                         f"not '{raw}'.") from None


def _positive_number(name: str, raw: Any) -> float:
    try:
        number = float(raw)
    except ValueError:
        number = 0.0
    if not 0 < number < float("inf"):
        raise BriefError(f"Setting '{name}' must be a positive number of seconds, not '{raw}'.")
    return number


SWITCH_VALUES = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def _switch(name: str, raw: Any) -> bool:
    """true/false from TOML, or 1/0, true/false, yes/no, on/off from the environment."""
    if isinstance(raw, bool):
        return raw
    value = SWITCH_VALUES.get(str(raw).strip().lower())
    if value is None:
        raise BriefError(f"Setting '{name}' must be on or off (1/0, true/false), not '{raw}'.")
    return value
