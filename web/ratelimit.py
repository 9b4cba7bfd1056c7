"""Too many failed authentications from one client: 429 Too Many Requests, with Retry-After.

Guessing bearer tokens is the one brute-force attack the API invites, so failed
authentications (401: no token, a wrong, revoked or deactivated one) are counted per
client — the remote address as the WSGI server sees it — in a sliding window: by default
``AUTH_FAILURE_LIMIT`` = 20 failures per ``AUTH_FAILURE_WINDOW`` = 60 seconds (both
``app.config`` keys). Once a client has that many failures in the window, every request
of it that needs authentication is refused with a 429 problem (``Retry-After``: the
seconds until its oldest failure leaves the window) *before* its token is looked at — a
valid token too, or the 429 would tell a guessed token from a wrong one. A successful
authentication is not counted (and does not reset the count). Public endpoints
(/healthz, /openapi.json, /docs, /api/v1/themes) are never refused.

What this is and is not:
- in memory, per process: each gunicorn worker counts on its own (so a client may get up
  to workers × the limit per window), and a restart forgets the counts;
- per remote address: behind a reverse proxy every client has the proxy's address — put
  werkzeug's ``ProxyFix`` in front (trusting only your proxy) so the real client is counted;
  clients behind one NAT share a count;
- bounded: at most ``MAX_CLIENTS`` addresses are tracked; the stalest are forgotten first.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from flask import Flask, current_app, request

from web.problems import ApiProblem

DEFAULT_LIMIT = 20
DEFAULT_WINDOW_SECONDS = 60.0
MAX_CLIENTS = 10_000
EXTENSION = "twinning.ratelimit"


class FailureWindow:
    """Failures per client in a sliding window; thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_clients: int = MAX_CLIENTS) -> None:
        self.clock = clock
        self.max_clients = max_clients
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, client: str, limit: int, window: float) -> int | None:
        """Seconds this client must wait, or None when it may try."""
        now = self.clock()
        with self._lock:
            failures = self._failures.get(client)
            if not failures:
                return None
            while failures and failures[0] <= now - window:
                failures.popleft()
            if not failures:
                del self._failures[client]
                return None
            if len(failures) < limit:
                return None
            # the wait until enough old failures have left the window for one more try
            return max(1, math.ceil(failures[len(failures) - limit] + window - now))

    def failed(self, client: str) -> None:
        now = self.clock()
        with self._lock:
            failures = self._failures.pop(client, None) or deque()
            failures.append(now)
            self._failures[client] = failures  # most recently failing last
            while len(self._failures) > self.max_clients:
                self._failures.popitem(last=False)  # the stalest client goes first

    def clients(self) -> int:
        with self._lock:
            return len(self._failures)


def _settings() -> tuple[int, float]:
    config = current_app.config
    return int(config.get("AUTH_FAILURE_LIMIT", DEFAULT_LIMIT)), float(
        config.get("AUTH_FAILURE_WINDOW", DEFAULT_WINDOW_SECONDS)
    )


def _window() -> FailureWindow | None:
    return current_app.extensions.get(EXTENSION)


def _client() -> str:
    return request.remote_addr or "-"


def check() -> None:
    """Before authenticating: refuse a client with too many recent failures."""
    window = _window()
    if window is None:
        return
    limit, seconds = _settings()
    wait = window.retry_after(_client(), limit, seconds)
    if wait is not None:
        raise ApiProblem(
            429,
            "too-many-failed-authentications",
            f"too many failed authentications from your address; try again in {wait} s",
            title="Too many failed authentications",
            headers={"Retry-After": str(wait)},
        )


def failed() -> None:
    """After an authentication failed (401)."""
    window = _window()
    if window is not None:
        window.failed(_client())


def install(app: Flask, clock: Callable[[], float] = time.monotonic) -> FailureWindow:
    window = FailureWindow(clock)
    app.extensions[EXTENSION] = window
    app.config.setdefault("AUTH_FAILURE_LIMIT", DEFAULT_LIMIT)
    app.config.setdefault("AUTH_FAILURE_WINDOW", DEFAULT_WINDOW_SECONDS)
    return window
