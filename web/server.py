"""The embedded server of ``twinning serve``: waitress, a production-grade threaded WSGI server,
with the limits gunicorn has in production (config/gunicorn.py) and one access line per request.

Werkzeug's server is a development server (its own documentation says not to run it in
production). waitress serves from a fixed pool of threads (``GUNICORN_THREADS``, as a gunicorn
worker does), closes idle keep-alive connections after ``GUNICORN_TIMEOUT`` seconds, buffers
request bodies off the threads, and refuses oversized request headers. The app itself is the
same ``create_app``: bodies over 1 MiB, the request id and every error are handled there.

The server is driven from a thread of its own (``serve_until``) and stopped by an event, so
``twinning serve`` stops it, then the followers and the worker, in that order.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from waitress import wasyncore
from waitress.server import create_server

from config.logging import request_id

access = logging.getLogger("twinning.http")
MAX_HEADER_BYTES = 100 * 8190  # gunicorn's limit_request_fields × limit_request_field_size
POLL_SECONDS = 0.25
SIGN_IN_LINKS = "/sign-in/"


def _int_env(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


class AccessLog:
    """WSGI middleware: ``METHOD /path STATUS 1.2ms client`` once the answer is sent (like gunicorn's line)."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        answered: dict[str, str] = {}

        def record_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answered["status"] = status.split(" ", 1)[0]
            answered["request_id"] = next((v for k, v in headers if k.lower() == "x-request-id"), "")
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body = self.app(environ, record_start)
        try:
            yield from body
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            token = request_id.set(answered.get("request_id") or None)
            try:
                path = environ.get("PATH_INFO", "")
                if path.startswith(SIGN_IN_LINKS):  # a one-time sign-in token is never written to a log
                    path = SIGN_IN_LINKS + "…"
                query = environ.get("QUERY_STRING")
                access.info(
                    "%s %s %s %.1fms %s",
                    environ.get("REQUEST_METHOD"),
                    f"{path}?{query}" if query else path,
                    answered.get("status", "-"),
                    (time.perf_counter() - started) * 1000,
                    environ.get("REMOTE_ADDR", "-"),
                )
            finally:
                request_id.reset(token)


class EmbeddedServer:
    """``EmbeddedServer(app, host, port)``: bound at once (``port`` 0: any free one, see ``.port``)."""

    def __init__(self, app: Callable, host: str, port: int) -> None:
        self.server = create_server(
            AccessLog(app),
            host=host,
            port=port,
            threads=_int_env("GUNICORN_THREADS", 4),
            channel_timeout=_int_env("GUNICORN_TIMEOUT", 30),
            max_request_header_size=MAX_HEADER_BYTES,
            ident="twinning",
            expose_tracebacks=False,
            clear_untrusted_proxy_headers=True,
        )
        self._stop = threading.Event()

    @property
    def port(self) -> int:
        return int(self.server.effective_port)

    def serve_until(self, stop: threading.Event | None = None) -> None:
        """Serve until ``stop`` (or ``shutdown()``) is set; the loop wakes every ``POLL_SECONDS`` to look."""
        stop = stop or self._stop
        while not (stop.is_set() or self._stop.is_set()):
            wasyncore.loop(timeout=POLL_SECONDS, map=self.server._map, use_poll=True, count=1)

    def shutdown(self) -> None:
        self._stop.set()

    def close(self) -> None:
        """Stop the request threads (after the requests at hand) and close every socket."""
        self._stop.set()
        self.server.task_dispatcher.shutdown()
        wasyncore.close_all(self.server._map)
