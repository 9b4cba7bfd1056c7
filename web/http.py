"""What every view needs: the services, the caller, If-Match, and answers with ETag and log position."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import current_app, g, request

from domain.access import Principal
from domain.errors import NotAuthenticated
from web import ratelimit
from web.problems import ApiProblem

if TYPE_CHECKING:
    from domain.application import Programme
    from web.bootstrap import Twinning

_ETAG = re.compile(r'^(W/)?"(\d{1,18})"$')


EXTENSION = "twinning"


def services() -> Twinning:
    """What the app runs on (``app.extensions['twinning']``, built by ``web.bootstrap``)."""
    return current_app.extensions[EXTENSION]


def programme() -> Programme:
    return services().programme


def principal() -> Principal:
    found = getattr(g, "principal", None)
    if found is None:
        raise NotAuthenticated("give a bearer token: Authorization: Bearer <token>")
    return found


def authenticate_request() -> None:
    """``Authorization: Bearer <token>`` → ``g.principal`` (the Application checks the token).

    A failure from an address or with a credential that failed too often is a 429 (web/ratelimit.py)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    try:
        if scheme.lower() != "bearer" or not token:
            raise NotAuthenticated("give a bearer token: Authorization: Bearer <token>")
        g.principal = programme().authenticate(token)
    except NotAuthenticated:
        ratelimit.failed(token or None)
        raise


def check_if_match() -> None:
    """Before any write: a malformed If-Match is a 400 whether or not the command compares versions.

    A weak tag is well formed; it is refused (412) when the command compares, after the body is read."""
    raw = request.headers.get("If-Match")
    if raw is not None and raw.strip() not in ("*", "") and not _ETAG.match(raw.strip()):
        raise ApiProblem(
            400, "malformed-if-match", 'If-Match must hold one ETag as sent in the ETag header, e.g. If-Match: "3"'
        )


def if_match() -> int | None:
    """The version the client expects (``If-Match: "3"``), ``None`` without the header or with ``*``."""
    raw = request.headers.get("If-Match")
    if raw is None:
        return None
    raw = raw.strip()
    if raw in ("*", ""):  # an empty field is an empty list of tags (RFC 9110 5.6.1): no condition
        return None
    match = _ETAG.match(raw)
    if not match:
        raise ApiProblem(
            400, "malformed-if-match", 'If-Match must hold one ETag as sent in the ETag header, e.g. If-Match: "3"'
        )
    if match.group(1):
        raise ApiProblem(412, "stale-version", "a weak ETag never matches: send the ETag as given, without W/")
    return int(match.group(2))


def answer(
    body: dict[str, Any],
    version: int | None,
    status: int = 200,
    position: int | None = None,
    location: str | None = None,
) -> tuple[dict[str, Any], int, dict[str, str]]:
    headers: dict[str, str] = {}
    if version is not None:
        headers["ETag"] = f'"{version}"'
    if position is not None:
        headers["X-Log-Position"] = str(position)
    if location:
        headers["Location"] = location
    return body, status, headers


def recorded(result: Any, to_dict: Callable[[Any], dict], status: int = 200, location: str | None = None):
    """A command's ``Recorded(aggregate, position)`` as an answer."""
    aggregate = result.aggregate
    return answer(to_dict(aggregate), aggregate.version, status, result.position, location)
