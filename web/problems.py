"""RFC 9457 problem details: the one error processor every error goes through.

Domain errors carry a ``kind`` (mapped to a status here) and a ``code`` (the last
part of the problem ``type`` URI); HTTP errors raised by Flask/Werkzeug/APIFlask
(404, 405, 413, malformed JSON, validation) and the web layer's own ``ApiProblem``
are turned into the same shape. Anything unexpected is logged with the request id
and answered as a 500 problem that reveals nothing about the internals.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from apiflask.exceptions import HTTPError
from flask import Response, current_app, g, has_request_context, json, request
from werkzeug.exceptions import HTTPException

from domain.errors import DomainError, InvalidValue, StaleVersion, StoreUnavailable, UnknownCursor, UnknownReference

PROBLEM_BASE = "https://twinning.example/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_SECONDS = 5

STATUS_OF_KIND = {
    "invalid": 422,
    "not-found": 404,
    "forbidden": 403,
    "unauthenticated": 401,
    "rule": 409,
    "stale": 412,
    "unavailable": 503,
    "malformed": 400,
}

# Codes and titles for errors that do not come from the domain.
HTTP_PROBLEMS = {
    400: ("malformed-request", "The request is malformed"),
    401: ("unauthenticated", "A valid bearer token is required"),
    403: ("forbidden", "Your role does not allow this"),
    404: ("not-found", "No such resource"),
    405: ("method-not-allowed", "This method is not allowed on this resource"),
    406: ("not-acceptable", "No acceptable representation"),
    409: ("conflict", "The request conflicts with the current state"),
    412: ("stale-version", "The resource has changed since you read it"),
    413: ("request-too-large", "The request body is too large"),
    415: ("unsupported-media-type", "Send the request body as application/json"),
    422: ("invalid-value", "A field has an invalid value"),
    429: ("too-many-requests", "Too many requests"),
    500: ("internal-error", "Something went wrong on our side"),
    503: ("unavailable", "The service is temporarily unavailable"),
}

log = logging.getLogger("twinning.web")


class ApiProblem(Exception):
    """A problem the web layer itself detects (415, a malformed header, an idempotency clash)."""

    def __init__(
        self,
        status: int,
        code: str | None = None,
        detail: str = "",
        *,
        title: str | None = None,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        default_code, default_title = HTTP_PROBLEMS.get(status, ("error", "Error"))
        super().__init__(detail or title or default_title)
        self.status = status
        self.code = code or default_code
        self.title = title or default_title
        self.detail = detail or self.title
        self.errors = errors
        self.headers = headers or {}


def problem_type(code: str) -> str:
    return PROBLEM_BASE + code


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    body: dict[str, Any] = {"type": problem_type(code), "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if has_request_context():
        body["instance"] = request.path
        request_id = getattr(g, "request_id", None)
        if request_id:
            body["request_id"] = request_id
    if errors:
        body["errors"] = errors
    if extra:
        body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _validation_errors(detail: Any) -> list[dict[str, str]]:
    """APIFlask's ``{location: {field: [messages]}}`` as ``[{field, message}]``."""
    errors: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for location, fields in detail.items():
            if not isinstance(fields, dict):
                errors.append({"field": str(location), "message": str(fields)})
                continue
            for field, messages in fields.items():
                name = "" if field == "_schema" else str(field)
                for message in messages if isinstance(messages, list) else [messages]:
                    errors.append({"field": name, "message": str(message)})
    return errors


def _store_outage(error: BaseException) -> bool:
    """A database that cannot be reached (outside the Programme: the views, the idempotency table)."""
    from eventsourcing.persistence import InterfaceError, OperationalError

    if isinstance(error, (OperationalError, InterfaceError)):
        return True
    if isinstance(error, sqlite3.OperationalError):
        return "locked" in str(error) or "busy" in str(error)
    import psycopg

    return isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError))


def handle_error(error: BaseException) -> Response:
    """Every error of every request ends here (registered for Exception, HTTPException and HTTPError)."""
    if isinstance(error, DomainError):
        return _domain_problem(error)
    if _store_outage(error):
        unavailable = StoreUnavailable("the database is unavailable; try again shortly")
        unavailable.__cause__ = error
        return _domain_problem(unavailable)
    if isinstance(error, ApiProblem):
        return problem_response(
            error.status, error.code, error.title, error.detail, errors=error.errors, headers=error.headers
        )
    if isinstance(error, HTTPError):
        return _apiflask_problem(error)
    if isinstance(error, HTTPException):
        status = error.code or 500
        code, title = HTTP_PROBLEMS.get(status, ("error", error.name))
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        detail = _werkzeug_detail(error)
        if status >= 500:
            _log_unexpected(error)
        return problem_response(status, code, title, detail, headers=headers)
    _log_unexpected(error)
    code, title = HTTP_PROBLEMS[500]
    return problem_response(500, code, title, "the error has been logged; quote the request id when reporting it")


def _domain_problem(error: DomainError) -> Response:
    status = STATUS_OF_KIND.get(error.kind, 409)
    errors = None
    headers: dict[str, str] = {}
    extra: dict[str, Any] | None = None
    if isinstance(error, (InvalidValue, UnknownReference, UnknownCursor)) or hasattr(error, "field"):
        errors = [{"field": error.field, "message": getattr(error, "message", error.detail)}]
    if isinstance(error, StaleVersion):
        headers["ETag"] = f'"{error.actual}"'
        extra = {"current_version": error.actual}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="twinning"'
    if status == 503:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        log.warning("store unavailable [request_id=%s]: %r", getattr(g, "request_id", "-"), error.__cause__)
    return problem_response(status, error.code, error.title, error.detail, errors=errors, headers=headers, extra=extra)


def _apiflask_problem(error: HTTPError) -> Response:
    status = error.status_code
    code, title = HTTP_PROBLEMS.get(status, ("error", error.message or "Error"))
    if status == 422 and isinstance(error.detail, dict):
        errors = _validation_errors(error.detail)
        detail = "; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in errors[:5])
        # the same type as the domain's InvalidValue: a field's value is refused, whichever layer saw it first
        code, title = HTTP_PROBLEMS[422]
        return problem_response(
            422,
            code,
            title,
            detail,
            errors=errors,
            headers=dict(error.headers or {}),
        )
    detail = error.detail if isinstance(error.detail, str) and error.detail else error.message
    if status >= 500:
        _log_unexpected(error)
    return problem_response(status, code, title, detail, headers=dict(error.headers or {}))


def _werkzeug_detail(error: HTTPException) -> str:
    if error.code == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH") if has_request_context() else None
        return f"request bodies are limited to {limit} bytes" if limit else "the request body is too large"
    if error.code == 405 and has_request_context():
        return f"{request.method} is not allowed here"
    if error.code == 404 and has_request_context():
        return f"nothing is served at {request.path}"
    if error.code and error.code >= 500:
        return "the error has been logged; quote the request id when reporting it"
    description = error.description or ""
    # Werkzeug's descriptions are generic English; keep them short and internals-free.
    return description.split("\n")[0][:300]


def _log_unexpected(error: BaseException) -> None:
    request_id = getattr(g, "request_id", "-") if has_request_context() else "-"
    where = f"{request.method} {request.path}" if has_request_context() else "-"
    log.error("unexpected error [request_id=%s] %s", request_id, where, exc_info=error)
