"""Named domain errors.

Each error has a stable ``code`` (the last part of its problem ``type`` URI) and a
``kind`` that the web layer maps to an HTTP status, so the domain never talks HTTP.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the programme raises on purpose."""

    kind = "rule"
    code = "domain-error"
    title = "The programme's rules refuse this"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title


class InvalidValue(DomainError):
    """A field holds a value the programme cannot accept (unknown theme, bad time zone)."""

    kind = "invalid"
    code = "invalid-value"
    title = "A field has an invalid value"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class UnknownReference(DomainError):
    """A body field names something the programme does not have (now): a city id, a party's name (HTTP 409).

    The request is well formed (no schema can know which ids exist); the same request succeeds once
    the city is registered, like any other refusal that depends on what has been recorded."""

    kind = "rule"
    code = "unknown-reference"
    title = "A field refers to something that does not exist"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class UnknownCursor(DomainError):
    """A cursor this list did not hand out (HTTP 400): only a next_cursor of a page may be passed back."""

    kind = "malformed"
    code = "invalid-cursor"
    title = "The cursor is not one this list handed out"

    def __init__(self, message: str = "is not a cursor of this list; pass the next_cursor of a previous page") -> None:
        super().__init__(f"cursor: {message}")
        self.field = "cursor"
        self.message = message


class NotFound(DomainError):
    kind = "not-found"
    code = "not-found"
    title = "No such resource"


class PermissionDenied(DomainError):
    kind = "forbidden"
    code = "forbidden"
    title = "Your role does not allow this"


class NotAuthenticated(DomainError):
    kind = "unauthenticated"
    code = "unauthenticated"
    title = "A valid bearer token is required"


class RuleBroken(DomainError):
    """A lifecycle or programme rule refuses the command (HTTP 409)."""

    kind = "rule"


class Duplicate(RuleBroken):
    code = "duplicate"
    title = "This already exists"


class ConcurrencyConflict(RuleBroken):
    """Someone else changed the aggregate between our read and our write."""

    code = "concurrent-change"
    title = "Changed by someone else at the same time; read it again and retry"


class StaleVersion(DomainError):
    """The client's expected version (If-Match) is not the current one (HTTP 412)."""

    kind = "stale"
    code = "stale-version"
    title = "The resource has changed since you read it"

    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"you expected version {expected}, the current version is {actual}")
        self.expected = expected
        self.actual = actual


class StoreUnavailable(DomainError):
    """The event store cannot be reached; nothing was written (HTTP 503)."""

    kind = "unavailable"
    code = "store-unavailable"
    title = "The event store is unavailable; nothing was recorded, try again shortly"
