"""Typed fetch errors, each with a stable ``reason`` code.

The reason code becomes ``Failure.error_type`` in the ``failures`` index, so
dashboards can count failures by cause; the message names the URL and the
limit or status involved, so one record is enough to understand what happened.
"""
from __future__ import annotations


class FetchError(Exception):
    reason = "fetch_error"
    retryable = False

    def __init__(self, url: str, message: str, status: int | None = None):
        super().__init__(f"{message} [{url}]")
        self.url = url
        self.status = status


class InvalidFetchURL(FetchError):
    reason = "invalid_url"


class BlockedAddress(FetchError):
    """The host resolves to an address the SSRF policy refuses (private, loopback, link-local ...)."""

    reason = "blocked_address"


class RobotsDisallowed(FetchError):
    reason = "robots_disallowed"


class FetchTimeout(FetchError):
    reason = "timeout"
    retryable = True


class BodyDeadlineExceeded(FetchTimeout):
    """The body kept coming past the total deadline: a server that drips will drip again, so no retry."""

    retryable = False


class ConnectionFailed(FetchError):
    reason = "connection_error"
    retryable = True


class HTTPStatusError(FetchError):
    reason = "http_status"

    def __init__(self, url: str, message: str, status: int, retry_after: float | None = None):
        super().__init__(url, message, status=status)
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:  # type: ignore[override]
        return self.status == 429 or (self.status is not None and self.status >= 500)


class TooLarge(FetchError):
    reason = "too_large"


class DecompressionBomb(FetchError):
    reason = "decompression_bomb"


class BadContentEncoding(FetchError):
    reason = "bad_content_encoding"


class BinaryContent(FetchError):
    reason = "binary_content"


class UnexpectedContent(FetchError):
    """Text of the wrong kind, e.g. an HTML page where a feed was expected."""

    reason = "unexpected_content"

    def __init__(self, url: str, message: str, kind: str, status: int | None = None):
        super().__init__(url, message, status=status)
        self.kind = kind


class RedirectLoop(FetchError):
    reason = "redirect_loop"


class TooManyRedirects(FetchError):
    reason = "too_many_redirects"


class BadRedirect(FetchError):
    reason = "bad_redirect"
