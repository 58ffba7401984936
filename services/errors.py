"""The errors services raise. Each carries a message fit to show to the person who caused it."""
from __future__ import annotations


class ChatError(Exception):
    """Base class: `str(error)` is a sentence for the user."""


class ValidationError(ChatError):
    """The input breaks a rule (length, charset, empty ...)."""


class Conflict(ChatError):
    """The thing exists already (a taken username or room name)."""


class NotFound(ChatError):
    """No such user, room or message."""


class Forbidden(ChatError):
    """The user may not do this (for example: read a room they have not joined)."""


class AuthenticationFailed(ChatError):
    """Wrong username or password. Deliberately does not say which."""


class RateLimited(ChatError):
    """Too many requests; `retry_after` seconds until the next one is allowed."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServerBusy(RateLimited):
    """Too much expensive work is queued (password hashing): try again in a moment. The API answers 503."""


class TooLarge(ChatError):
    """A file past the per-file limit, or past what the user may still keep (their quota). The API answers 413."""
