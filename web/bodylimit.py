"""Request bodies over the limit are refused (413) whatever their framing, before anything reads them.

Flask's ``MAX_CONTENT_LENGTH`` judges a declared ``Content-Length``; a ``Transfer-Encoding:
chunked`` body declares none, and a server may hand the application a stream cut at the limit,
which then parses as a smaller, valid body. So this WSGI middleware reads a body of unknown
length itself — at most limit + 1 bytes, whatever the server (werkzeug, waitress, gunicorn) —
and hands the application the whole body with its length, or a marker that makes the request a
413 problem before any view runs.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge

REFUSED = "twinning.body_over_limit"
_READ = 64 * 1024


class BodyLimit:
    def __init__(self, wsgi_app: Callable[..., Iterable[bytes]], limit: int) -> None:
        self.wsgi_app, self.limit = wsgi_app, limit

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        declared = (environ.get("CONTENT_LENGTH") or "").strip()
        if self._framed_by_chunks(environ, declared):
            body = self._read_at_most(environ["wsgi.input"], self.limit + 1)
            if len(body) > self.limit:
                self._refuse(environ)
            else:
                environ["wsgi.input"] = io.BytesIO(body)
                environ["CONTENT_LENGTH"] = str(len(body))
                environ.pop("HTTP_TRANSFER_ENCODING", None)
        elif declared.isdigit() and int(declared) > self.limit:
            self._refuse(environ)
        return self.wsgi_app(environ, start_response)

    @staticmethod
    def _framed_by_chunks(environ: dict[str, Any], declared: str) -> bool:
        """Chunked framing overrides a declared length (RFC 9112 6.3); a server that ends the stream
        itself (``wsgi.input_terminated``) may give no length at all."""
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            return True
        return not declared and bool(environ.get("wsgi.input_terminated"))

    @staticmethod
    def _read_at_most(stream: Any, size: int) -> bytes:
        parts, left = [], size
        while left > 0:
            part = stream.read(min(_READ, left))
            if not part:
                break
            parts.append(part)
            left -= len(part)
        return b"".join(parts)

    def _refuse(self, environ: dict[str, Any]) -> None:
        """Nothing of the body reaches the application; the request answers 413 before any view."""
        environ[REFUSED] = self.limit
        environ["wsgi.input"] = io.BytesIO(b"")
        environ["CONTENT_LENGTH"] = "0"
        environ.pop("HTTP_TRANSFER_ENCODING", None)


def install(app: Flask, limit: int) -> None:
    """Wrap the WSGI app and refuse a marked request first (after its request id is taken)."""
    app.wsgi_app = BodyLimit(app.wsgi_app, limit)  # type: ignore[method-assign]

    @app.before_request
    def refuse_a_body_over_the_limit() -> None:
        if REFUSED in request.environ:
            raise RequestEntityTooLarge()
