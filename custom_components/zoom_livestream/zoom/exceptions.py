"""Exceptions raised by the Zoom client: one hierarchy, rooted at ZoomError."""

from __future__ import annotations

# Zoom's error codes that mean more than one thing, so that callers tell them
# apart by their own state (Zoom's wording is not a contract).
# "The plan lacks this" (no Webinar add-on, custom streaming not enabled), which is
# also Zoom's answer for a webinar that has not started.
PLAN_MISSING_CODE = 200
# "Cannot do that to this meeting": not started, live streaming not allowed by the
# host's settings, or no custom streaming service configured.
MEETING_REFUSED_CODE = 3000


class ZoomError(Exception):
    """Base class of every error the Zoom client raises."""


class ZoomConnectionError(ZoomError):
    """Zoom could not be reached, timed out, or answered with a server error."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        """Keep the HTTP status when there was one (5xx)."""
        super().__init__(message)
        self.status = status


class ZoomAuthenticationError(ZoomError):
    """The credentials or the access token were refused."""


class ZoomRateLimitError(ZoomError):
    """Zoom answered 429: wait before the next request."""

    def __init__(self, message: str, *, retry_after: float | None) -> None:
        """Keep the wait Zoom asked for, in seconds, when it said one."""
        super().__init__(message)
        self.retry_after = retry_after


class ZoomApiError(ZoomError):
    """Zoom refused a request; carries Zoom's error code and message."""

    def __init__(self, status: int, code: int | None, message: str) -> None:
        """Keep the HTTP status, Zoom's numeric code and its message."""
        super().__init__(f"HTTP {status}, code {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class ZoomNotFoundError(ZoomApiError):
    """The meeting, webinar or user does not exist (any more)."""


class ZoomPermissionError(ZoomApiError):
    """The account, plan, host setting or app scopes do not allow this."""

    def __init__(
        self,
        status: int,
        code: int | None,
        message: str,
        *,
        missing_scopes: tuple[str, ...] = (),
    ) -> None:
        """Keep the scopes the app lacks (named by Zoom, or needed by the call)."""
        super().__init__(status, code, message)
        self.missing_scopes = missing_scopes
