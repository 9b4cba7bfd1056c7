"""Too many failed authentications: 429 Too Many Requests, with Retry-After.

Guessing bearer tokens is the one brute-force attack the API invites, so failed
authentications (401: no token, a wrong, revoked or deactivated one) are counted in a
sliding window — by default ``AUTH_FAILURE_LIMIT`` = 20 failures per
``AUTH_FAILURE_WINDOW`` = 60 seconds (both ``app.config`` keys) — under two keys at once:
the client's address and the credential presented (its SHA-256; a raw token is never kept).
A failure while either key is over the limit answers 429 (``Retry-After``: the seconds until
enough failures have left the window) instead of 401, and is not counted.

A valid token is always served: the token is looked at first, so twenty typos behind an
office's NAT or a proxy do not lock out the colleagues who share its address (a 256-bit token
cannot be guessed, so a success reveals nothing the limit protects). Public endpoints
(/healthz, /openapi.json, /docs, /api/v1/themes) are never refused.

- The address is the peer's, or — only when the peer is one of ``TWINNING_TRUSTED_PROXIES``
  (addresses or networks) — the right-most ``X-Forwarded-For`` entry that is not itself a
  trusted proxy; a forwarded header from anyone else is ignored, so it cannot be forged.
- With Redis configured (``REDIS_URL``) the counts live there (a sorted set per key, expiring
  with the window), shared by every gunicorn worker and surviving restarts; if Redis fails the
  process counts in memory meanwhile. Without Redis (embedded mode) they are in memory, per
  process, at most ``MAX_CLIENTS`` keys (the stalest forgotten first).
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, request

from web.problems import ApiProblem

DEFAULT_LIMIT = 20
DEFAULT_WINDOW_SECONDS = 60.0
MAX_CLIENTS = 10_000
EXTENSION = "twinning.ratelimit"
REDIS_PREFIX = "twinning:auth-failures:"
log = logging.getLogger(__name__)


class FailureWindow:
    """Failures per key in a sliding window, in this process; thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_clients: int = MAX_CLIENTS) -> None:
        self.clock = clock
        self.max_clients = max_clients
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, client: str, limit: int, window: float) -> int | None:
        """Seconds this key must wait, or None when it may try."""
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

    def failed(self, client: str, window: float = DEFAULT_WINDOW_SECONDS) -> None:
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


class RedisFailureWindow:
    """The same window in Redis, shared by every process; the local window stands in while Redis fails."""

    def __init__(self, connection: Any, clock: Callable[[], float] = time.time) -> None:
        self.connection, self.clock = connection, clock
        self.local = FailureWindow(clock)

    def retry_after(self, client: str, limit: int, window: float) -> int | None:
        from redis.exceptions import RedisError

        now, key = self.clock(), REDIS_PREFIX + client
        try:
            pipe = self.connection.pipeline()
            pipe.zremrangebyscore(key, "-inf", now - window)
            pipe.zcard(key)
            count = pipe.execute()[1]
            if count < limit:
                return None
            oldest = self.connection.zrange(key, count - limit, count - limit, withscores=True)
        except RedisError:
            log.warning("Redis is unavailable: failed authentications are counted in this process meanwhile")
            return self.local.retry_after(client, limit, window)
        if not oldest:
            return None
        return max(1, math.ceil(oldest[0][1] + window - now))

    def failed(self, client: str, window: float = DEFAULT_WINDOW_SECONDS) -> None:
        from redis.exceptions import RedisError

        now, key = self.clock(), REDIS_PREFIX + client
        try:
            pipe = self.connection.pipeline()
            pipe.zadd(key, {f"{now!r}:{uuid.uuid4().hex}": now})
            pipe.expire(key, math.ceil(window) + 1)
            pipe.execute()
        except RedisError:
            self.local.failed(client, window)


def trusted_networks(proxies: Iterable[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple) -> str:
    """The peer, or behind trusted proxies the first address (from the right) that is not one of them."""

    def is_trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in trusted)

    address = peer or "-"
    if not trusted or not is_trusted(address) or not forwarded_for:
        return address
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        if not hop:
            continue
        address = hop
        if not is_trusted(hop):
            break
    return address


def _settings() -> tuple[int, float]:
    config = current_app.config
    return int(config.get("AUTH_FAILURE_LIMIT", DEFAULT_LIMIT)), float(
        config.get("AUTH_FAILURE_WINDOW", DEFAULT_WINDOW_SECONDS)
    )


def _keys(credential: str | None) -> list[str]:
    trusted = current_app.config.get("TRUSTED_PROXY_NETWORKS", ())
    address = client_address(request.remote_addr, request.headers.get("X-Forwarded-For"), trusted)
    keys = [f"address:{address}"]
    if credential:
        keys.append("credential:" + hashlib.sha256(credential.encode("utf-8", "replace")).hexdigest())
    return keys


def failed(credential: str | None = None) -> None:
    """After an authentication failed: 429 if its address or credential is over the limit, else counted."""
    window = current_app.extensions.get(EXTENSION)
    if window is None:
        return
    limit, seconds = _settings()
    keys = _keys(credential)
    waits = [wait for key in keys if (wait := window.retry_after(key, limit, seconds)) is not None]
    if waits:
        wait = max(waits)
        raise ApiProblem(
            429,
            "too-many-failed-authentications",
            f"too many failed authentications from your address or with this token; try again in {wait} s",
            title="Too many failed authentications",
            headers={"Retry-After": str(wait)},
        )
    for key in keys:
        window.failed(key, seconds)


def install(
    app: Flask,
    clock: Callable[[], float] | None = None,
    *,
    trusted_proxies: Iterable[str] = (),
    redis: Any = None,
) -> FailureWindow | RedisFailureWindow:
    window = (
        RedisFailureWindow(redis, clock or time.time) if redis is not None else FailureWindow(clock or time.monotonic)
    )
    app.extensions[EXTENSION] = window
    app.config.setdefault("AUTH_FAILURE_LIMIT", DEFAULT_LIMIT)
    app.config.setdefault("AUTH_FAILURE_WINDOW", DEFAULT_WINDOW_SECONDS)
    if trusted_proxies or "TRUSTED_PROXY_NETWORKS" not in app.config:
        app.config["TRUSTED_PROXY_NETWORKS"] = trusted_networks(trusted_proxies)
    return window
