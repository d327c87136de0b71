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
