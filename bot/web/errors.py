"""Fetch failures, each with a cause a script can test and a message a person can read."""

from __future__ import annotations

from bot.errors import BriefError

FETCH_CAUSES = ("blocked", "blocked_port", "timeout", "too_large", "not_article", "http_status", "bad_url",
                "too_many_redirects", "bad_response", "network")


class FetchError(BriefError):
    """A link that could not be fetched; `cause` is one of FETCH_CAUSES."""

    def __init__(self, cause: str, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.cause = cause
