"""Fetch failures, each with a cause a script can test and a message a person can read."""

from __future__ import annotations

from enum import StrEnum

from bot.errors import BriefError


class FetchCause(StrEnum):
    """Why a link could not be fetched; the values are what `--format json` and scripts see."""

    BLOCKED = "blocked"
    BLOCKED_PORT = "blocked_port"
    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    NOT_ARTICLE = "not_article"
    HTTP_STATUS = "http_status"
    BAD_URL = "bad_url"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    BAD_RESPONSE = "bad_response"
    NETWORK = "network"


class FetchError(BriefError):
    """A link that could not be fetched, and why."""

    def __init__(self, cause: FetchCause, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.cause = cause
