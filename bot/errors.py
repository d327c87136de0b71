"""Errors a user can act on. Their message is shown as it is: one short line, no traceback."""

from __future__ import annotations


def megabytes(size: int) -> str:
    """A size limit as messages name it: '5 MB'."""
    return f"{size / (1024 * 1024):g} MB"


class BriefError(Exception):
    """Base class: `str(error)` is the message for the user, `hint` says what to do."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def user_message(self) -> str:
        return f"{self} {self.hint}" if self.hint else str(self)


class InputError(BriefError):
    """The text itself cannot be briefed: empty, too short, undecodable, unknown language."""


class UnsupportedSource(BriefError):
    """A file type, scheme or source kind that briefbot does not read."""


class NotAnArticle(BriefError):
    """A page or file with no article text in it (paywall, consent wall, JavaScript only)."""
