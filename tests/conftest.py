"""Shared fixtures. Tests are offline: nothing may reach a model hub."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

EXAMPLES = Path(__file__).resolve().parents[1] / "bot" / "examples"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def briefer():
    from bot.config import Settings
    from bot.pipeline import Briefer

    return Briefer(Settings())


@pytest.fixture(scope="session")
def examples() -> Path:
    return EXAMPLES


@pytest.fixture(scope="session")
def server():
    """A real HTTP server on 127.0.0.1 (see tests/httpserver.py)."""
    from tests.httpserver import LocalServer

    with LocalServer() as running:
        yield running


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    """Tiny random Marian, BART and Qwen2 models in folders (see tests/tinymodels.py)."""
    from tests.tinymodels import build_bart, build_chat_model, build_marian

    root = tmp_path_factory.mktemp("models")
    return {"marian": build_marian(root / "marian-ar-en"), "bart": build_bart(root / "bart"),
            "chat": build_chat_model(root / "qwen2-chat")}
