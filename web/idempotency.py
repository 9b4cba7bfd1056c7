"""``Idempotency-Key`` on POST: a retry returns the first answer without a second effect.

Keys are claimed atomically per principal (``INSERT … ON CONFLICT DO NOTHING``) in a
table of the event store's own database, then filled in with the answer (status,
a few headers, body). This is a cache of HTTP answers, not part of the event log:
rows older than ``RETENTION`` (48 h, so every key is kept at least 24 h) are purged.

A request whose claim is still being processed (a concurrent twin) waits for the
first answer for up to ``WAIT_SECONDS``; answers of 5xx are not kept (the claim is
released so the client may retry).

Some answers carry a secret (``POST /users`` and ``POST /users/{id}/tokens`` answer a
bearer token, shown only then), and tokens must never rest in the database in the raw.
So the key is stored only as its SHA-256 hash, and every kept body is sealed: XORed with
a SHAKE-256 keystream under a key derived (HMAC-SHA256) from ``TWINNING_SECRET``, the
principal and the raw Idempotency-Key, with a random nonce and an HMAC tag. Reading the
table alone reveals no answer; the client that holds the key gets its answer replayed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, g, request

from config.settings import persistence_env
from web.http import principal, services
from web.problems import ApiProblem

TABLE = "twinning_idempotency_keys"
RETENTION_SECONDS = 48 * 3600
PURGE_EVERY_SECONDS = 600
WAIT_SECONDS = 10.0
MAX_KEY_LENGTH = 255
KEPT_HEADERS = ("Content-Type", "ETag", "Location", "X-Log-Position")
_KEY_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:~+/=")


@dataclass(frozen=True)
class Stored:
    fingerprint: str
    status: int | None  # None while the first request is still being processed
    headers: dict[str, str]
    body: bytes
    created_at: float


class _Store:
    """What both back ends do; ``claim`` returns None when this caller now owns the key."""

    def __init__(self) -> None:
        self._last_purge = 0.0

    def claim(self, owner: str, key: str, fingerprint: str) -> Stored | None:
        now = time.time()
        if now - self._last_purge > PURGE_EVERY_SECONDS:
            self._last_purge = now
            self.purge(now - RETENTION_SECONDS)
        if self._insert(owner, key, fingerprint, now):
            return None
        found = self.get(owner, key)
        if found is None:  # purged between our insert and read: try once more
            return None if self._insert(owner, key, fingerprint, now) else self.get(owner, key)
        return found

    def _insert(self, owner: str, key: str, fingerprint: str, now: float) -> bool:
        raise NotImplementedError

    def get(self, owner: str, key: str) -> Stored | None:
        raise NotImplementedError

    def complete(self, owner: str, key: str, status: int, headers: dict[str, str], body: bytes) -> None:
        raise NotImplementedError

    def release(self, owner: str, key: str) -> None:
        raise NotImplementedError

    def purge(self, before: float) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class SQLiteStore(_Store):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        with self._lock:
            self._conn().execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (owner TEXT NOT NULL, key TEXT NOT NULL, "
                "fingerprint TEXT NOT NULL, status INTEGER, headers TEXT, body BLOB, created_at REAL NOT NULL, "
                "PRIMARY KEY (owner, key))"
            )

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 10000")
            self._local.conn = conn
            self._connections.append(conn)
        return conn

    def _insert(self, owner, key, fingerprint, now) -> bool:
        cursor = self._conn().execute(
            f"INSERT INTO {TABLE} (owner, key, fingerprint, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (owner, key) DO NOTHING",
            (owner, key, fingerprint, now),
        )
        return cursor.rowcount == 1

    def get(self, owner, key) -> Stored | None:
        row = (
            self._conn()
            .execute(
                f"SELECT fingerprint, status, headers, body, created_at FROM {TABLE} WHERE owner = ? AND key = ?",
                (owner, key),
            )
            .fetchone()
        )
        return _stored(row)

    def complete(self, owner, key, status, headers, body) -> None:
        self._conn().execute(
            f"UPDATE {TABLE} SET status = ?, headers = ?, body = ? WHERE owner = ? AND key = ?",
            (status, json.dumps(headers), body, owner, key),
        )

    def release(self, owner, key) -> None:
        self._conn().execute(f"DELETE FROM {TABLE} WHERE owner = ? AND key = ? AND status IS NULL", (owner, key))

    def purge(self, before) -> None:
        self._conn().execute(f"DELETE FROM {TABLE} WHERE created_at < ?", (before,))

    def close(self) -> None:
        for conn in self._connections:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        self._connections.clear()


class PostgresStore(_Store):
    def __init__(self, env: dict[str, str]) -> None:
        super().__init__()
        from psycopg_pool import ConnectionPool

        schema = env.get("POSTGRES_SCHEMA") or ""
        self.table = f'"{schema}".{TABLE}' if schema else TABLE
        conninfo = {
            "dbname": env["POSTGRES_DBNAME"],
            "host": env["POSTGRES_HOST"],
            "port": env["POSTGRES_PORT"],
            "user": env["POSTGRES_USER"],
            "password": env.get("POSTGRES_PASSWORD") or None,
            "connect_timeout": int(env.get("POSTGRES_CONNECT_TIMEOUT", "5")),
        }
        kwargs: dict[str, Any] = {k: v for k, v in conninfo.items() if v is not None}
        kwargs["autocommit"] = True
        # After an outage: a pooled connection is checked before use (the server may have cut it), and a
        # reconnection series is given up soon (the default backoff grows to minutes), so the next request
        # after PostgreSQL is back connects at once.
        self.pool = ConnectionPool(
            kwargs=kwargs,
            min_size=1,
            max_size=4,
            open=True,
            timeout=conninfo["connect_timeout"],
            reconnect_timeout=2.0,
            check=ConnectionPool.check_connection,
        )
        with self.pool.connection() as conn:
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} (owner TEXT NOT NULL, key TEXT NOT NULL, "
                "fingerprint TEXT NOT NULL, status INTEGER, headers TEXT, body BYTEA, "
                "created_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (owner, key))"
            )

    def _insert(self, owner, key, fingerprint, now) -> bool:
        with self.pool.connection() as conn:
            cursor = conn.execute(
                f"INSERT INTO {self.table} (owner, key, fingerprint, created_at) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (owner, key) DO NOTHING",
                (owner, key, fingerprint, now),
            )
            return cursor.rowcount == 1

    def get(self, owner, key) -> Stored | None:
        with self.pool.connection() as conn:
            row = conn.execute(
                f"SELECT fingerprint, status, headers, body, created_at FROM {self.table} WHERE owner = %s AND key = %s",
                (owner, key),
            ).fetchone()
        return _stored(row)

    def complete(self, owner, key, status, headers, body) -> None:
        with self.pool.connection() as conn:
            conn.execute(
                f"UPDATE {self.table} SET status = %s, headers = %s, body = %s WHERE owner = %s AND key = %s",
                (status, json.dumps(headers), body, owner, key),
            )

    def release(self, owner, key) -> None:
        with self.pool.connection() as conn:
            conn.execute(f"DELETE FROM {self.table} WHERE owner = %s AND key = %s AND status IS NULL", (owner, key))

    def purge(self, before) -> None:
        with self.pool.connection() as conn:
            conn.execute(f"DELETE FROM {self.table} WHERE created_at < %s", (before,))

    def close(self) -> None:
        self.pool.close()


class MemoryStore(_Store):
    """For an in-memory SQLite store (nothing outlives the process anyway)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[tuple[str, str], Stored] = {}
        self.lock = threading.Lock()

    def _insert(self, owner, key, fingerprint, now) -> bool:
        with self.lock:
            if (owner, key) in self.rows:
                return False
            self.rows[(owner, key)] = Stored(fingerprint, None, {}, b"", now)
            return True

    def get(self, owner, key):
        with self.lock:
            return self.rows.get((owner, key))

    def complete(self, owner, key, status, headers, body) -> None:
        with self.lock:
            old = self.rows.get((owner, key))
            if old is not None:
                self.rows[(owner, key)] = Stored(old.fingerprint, status, dict(headers), bytes(body), old.created_at)

    def release(self, owner, key) -> None:
        with self.lock:
            old = self.rows.get((owner, key))
            if old is not None and old.status is None:
                del self.rows[(owner, key)]

    def purge(self, before) -> None:
        with self.lock:
            for k in [k for k, v in self.rows.items() if v.created_at < before]:
                del self.rows[k]


def _stored(row) -> Stored | None:
    if row is None:
        return None
    fingerprint, status, headers, body, created_at = row
    return Stored(fingerprint, status, json.loads(headers) if headers else {}, bytes(body or b""), created_at)


def open_store(database_url: str) -> _Store:
    env = persistence_env(database_url)
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        path = env["SQLITE_DBNAME"]
        if path == ":memory:" or path.startswith("file::memory:"):
            return MemoryStore()
        return SQLiteStore(path)
    return PostgresStore(env)


# -- request hooks ------------------------------------------------------------------------


def _fingerprint() -> str:
    raw = request.get_data(cache=True)
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode() if raw else b""
    except (ValueError, RecursionError):
        canonical = raw
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.full_path.encode(), canonical):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


_SEALED = b"tw1"
_NONCE, _TAG = 16, 16


def _row_key(key: str) -> str:
    """What the table holds instead of the client's key."""
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _sealing_key(owner: str, key: str) -> bytes:
    secret = str(getattr(services().settings, "secret", "") or "")
    return hmac.new(
        secret.encode("utf-8"), b"twinning idempotency\0" + owner.encode() + b"\0" + key.encode(), hashlib.sha256
    ).digest()


def _keystream(sealing_key: bytes, nonce: bytes, length: int) -> bytes:
    return hashlib.shake_256(sealing_key + nonce).digest(length)


def _xor(data: bytes, stream: bytes) -> bytes:
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


def seal(sealing_key: bytes, body: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    cipher = _xor(body, _keystream(sealing_key, nonce, len(body)))
    tag = hmac.new(sealing_key, nonce + cipher, hashlib.sha256).digest()[:_TAG]
    return _SEALED + nonce + tag + cipher


def unseal(sealing_key: bytes, stored: bytes) -> bytes | None:
    """The body, or None when it cannot be read with this key (the server's secret changed)."""
    if not stored.startswith(_SEALED):
        return None
    nonce, tag, cipher = stored[3 : 3 + _NONCE], stored[3 + _NONCE : 3 + _NONCE + _TAG], stored[3 + _NONCE + _TAG :]
    if not hmac.compare_digest(tag, hmac.new(sealing_key, nonce + cipher, hashlib.sha256).digest()[:_TAG]):
        return None
    return _xor(cipher, _keystream(sealing_key, nonce, len(cipher)))


def _replay(stored: Stored, sealing_key: bytes) -> Response:
    body = unseal(sealing_key, stored.body)
    if body is None:
        raise ApiProblem(
            409,
            "idempotency-key-unreadable",
            "the first answer to this Idempotency-Key cannot be replayed (the server's secret has changed); "
            "use a new key for a new request",
        )
    response = Response(body, status=stored.status)
    for name, value in stored.headers.items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def begin(store: _Store) -> Response | None:
    """Before a POST view: claim the key, or answer with the first answer (or a problem)."""
    key = request.headers.get("Idempotency-Key")
    if key is None or request.method != "POST":
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not set(key) <= _KEY_CHARS:
        raise ApiProblem(
            400,
            "malformed-idempotency-key",
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters: letters, digits and -_.:~+/=",
        )
    owner = principal().user_id
    fingerprint = _fingerprint()
    sealing_key, key = _sealing_key(owner, key), _row_key(key)
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        stored = store.claim(owner, key, fingerprint)
        if stored is None:
            g.idempotency = (store, owner, key, sealing_key)
            return None
        if stored.fingerprint != fingerprint:
            raise ApiProblem(
                422,
                "idempotency-key-reused",
                "this Idempotency-Key was used for a different request; use a new key for a new request",
            )
        if stored.status is not None:
            g.idempotency_replayed = True
            return _replay(stored, sealing_key)
        if time.monotonic() > deadline:
            raise ApiProblem(
                409,
                "idempotency-key-in-use",
                "a request with this Idempotency-Key is still being processed",
                headers={"Retry-After": "2"},
            )
        time.sleep(0.05)


def finish(response: Response) -> Response:
    """After the view: keep the answer for the key (or let the key go after a server error)."""
    claim = g.pop("idempotency", None)
    if claim is None:
        return response
    store, owner, key, sealing_key = claim
    if response.status_code >= 500:
        store.release(owner, key)
        return response
    headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    store.complete(owner, key, response.status_code, headers, seal(sealing_key, response.get_data()))
    return response


def abandon(_error: BaseException | None = None) -> None:
    """Teardown: a claim that never got an answer (the process failed mid-way) is released."""
    claim = g.pop("idempotency", None)
    if claim is not None:
        store, owner, key, _ = claim
        try:
            store.release(owner, key)
        except Exception:
            pass


def install(app: Flask, store: _Store) -> None:
    app.teardown_request(abandon)
