"""``Idempotency-Key`` on POST: a retry returns the first answer without a second effect.

Keys are claimed atomically per principal (``INSERT … ON CONFLICT DO NOTHING``) in a
table of the event store's own database (through ``domain.storage``: one SQL text for
SQLite and PostgreSQL), then filled in with the answer (status, a few headers, body).
This is a cache of HTTP answers, not part of the event log: rows older than
``RETENTION`` (48 h, so every key is kept at least 24 h) are purged.

A request whose claim is still being processed (a concurrent twin) waits for the
first answer for up to ``WAIT_SECONDS``; answers of 5xx are not kept (the claim is
released so the client may retry). A claim still without an answer after
``LEASE_SECONDS`` belongs to a process that died mid-request (killed, or its machine
lost): a retry of the same request takes it over instead of hearing "in use" until the
purge. Whether the dead request was recorded cannot be known from here, so the takeover
is as safe as the client giving up and sending a new key, and no safer.

The key is stored only as its SHA-256 hash, and every kept body is sealed with AES-GCM
under a key derived from ``TWINNING_SECRET``, the principal and the raw key
(``web.sealing``). A kept answer that does not open (the secret changed, or it was sealed
by an earlier scheme) counts as expired: it is dropped and the request is processed anew.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass

from flask import Flask, Response, g, request

from config.settings import persistence_env
from domain.privacy.personal import stop_watching, watch_subjects
from domain.storage import Storage, for_dialect, open_storage
from web import sealing
from web.http import principal, services
from web.problems import ApiProblem

TABLE = "twinning_idempotency_keys"
# Whose personal data each kept answer holds (the subjects the request read or wrote), so an erasure purges them.
SUBJECTS = "twinning_idempotency_subjects"
RETENTION_SECONDS = 48 * 3600
PURGE_EVERY_SECONDS = 600
WAIT_SECONDS = 10.0
# Longer than any request may run: gunicorn's and the embedded server's timeout is 30 s by default.
LEASE_SECONDS = 120.0
MAX_KEY_LENGTH = 255
KEPT_HEADERS = ("Content-Type", "ETag", "Location", "X-Log-Position")
_KEY_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:~+/=")
KEY_PATTERN = f"^[A-Za-z0-9_.:~+/=-]{{1,{MAX_KEY_LENGTH}}}$"  # the same characters, for /openapi.json
# A pool of its own, small; a pooled connection is checked before use (after an outage the
# server may have cut it), so the first request after PostgreSQL is back does not fail.
POOL_ENV = {"POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "3", "POSTGRES_PRE_PING": "y"}


@dataclass(frozen=True)
class Stored:
    fingerprint: str
    status: int | None  # None while the first request is still being processed
    headers: dict[str, str]
    body: bytes
    created_at: float


class IdempotencyStore:
    """Claims and answers per (principal, hashed key); ``claim`` returns None when this caller now owns the key."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._last_purge = 0.0
        with storage.ddl("twinning-idempotency-ddl") as db:
            db.run(
                for_dialect(
                    f"CREATE TABLE IF NOT EXISTS {TABLE} (owner TEXT NOT NULL, key TEXT NOT NULL,"
                    " fingerprint TEXT NOT NULL, status INTEGER, headers TEXT, body BLOB, created_at REAL NOT NULL,"
                    " PRIMARY KEY (owner, key))",
                    db.postgres,
                )
            )
            db.run(
                f"CREATE TABLE IF NOT EXISTS {SUBJECTS} (subject TEXT NOT NULL, owner TEXT NOT NULL,"
                " key TEXT NOT NULL, PRIMARY KEY (subject, owner, key))"
            )

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
        if self._abandoned(found, fingerprint, now) and self._take_over(owner, key, found, now):
            return None
        return found

    @staticmethod
    def _abandoned(found: Stored, fingerprint: str, now: float) -> bool:
        return found.status is None and found.fingerprint == fingerprint and found.created_at < now - LEASE_SECONDS

    def _take_over(self, owner: str, key: str, found: Stored, now: float) -> bool:
        """Claim an abandoned key anew; of two retries taking it over at once, one wins (compare-and-set)."""
        with self.storage.transaction(commit=True) as db:
            taken = db.one(
                f"UPDATE {TABLE} SET created_at = ? WHERE owner = ? AND key = ? AND status IS NULL AND created_at = ?"
                " RETURNING owner",
                (now, owner, key, found.created_at),
            )
        return taken is not None

    def _insert(self, owner: str, key: str, fingerprint: str, now: float) -> bool:
        with self.storage.transaction(commit=True) as db:
            inserted = db.one(
                f"INSERT INTO {TABLE} (owner, key, fingerprint, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (owner, key) DO NOTHING RETURNING owner",
                (owner, key, fingerprint, now),
            )
        return inserted is not None

    def get(self, owner: str, key: str) -> Stored | None:
        with self.storage.transaction(commit=False) as db:
            row = db.one(
                f"SELECT fingerprint, status, headers, body, created_at FROM {TABLE} WHERE owner = ? AND key = ?",
                (owner, key),
            )
        if row is None:
            return None
        headers = json.loads(row["headers"]) if row["headers"] else {}
        return Stored(row["fingerprint"], row["status"], headers, bytes(row["body"] or b""), row["created_at"])

    def complete(self, owner: str, key: str, status: int, headers: dict[str, str], body: bytes) -> None:
        self._write(
            f"UPDATE {TABLE} SET status = ?, headers = ?, body = ? WHERE owner = ? AND key = ?",
            (status, json.dumps(headers), body, owner, key),
        )

    def release(self, owner: str, key: str) -> None:
        """Let a claim go that has no answer (the first request failed)."""
        self._write(f"DELETE FROM {TABLE} WHERE owner = ? AND key = ? AND status IS NULL", (owner, key))

    def forget(self, owner: str, key: str, created_at: float) -> None:
        """Drop a kept answer that cannot be replayed (and not a newer claim made meanwhile)."""
        self._write(
            f"DELETE FROM {TABLE} WHERE owner = ? AND key = ? AND status IS NOT NULL AND created_at = ?",
            (owner, key, created_at),
        )

    def purge(self, before: float) -> None:
        self._write(f"DELETE FROM {TABLE} WHERE created_at < ?", (before,))
        orphan = f"SELECT 1 FROM {TABLE} t WHERE t.owner = {SUBJECTS}.owner AND t.key = {SUBJECTS}.key"
        self._write(f"DELETE FROM {SUBJECTS} WHERE NOT EXISTS ({orphan})", ())

    def mark(self, owner: str, key: str, subjects: set[str]) -> None:
        if not subjects:
            return
        with self.storage.transaction(commit=True) as db:
            for subject in sorted(subjects):
                db.run(
                    f"INSERT INTO {SUBJECTS} (subject, owner, key) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    (subject, owner, key),
                )

    def purge_subject(self, subject: str) -> int:
        """An erasure: every kept answer that held this person's data, or that they were given, goes."""
        with self.storage.transaction(commit=True) as db:
            rows = db.all(f"SELECT owner, key FROM {SUBJECTS} WHERE subject = ?", (subject,))
            rows += db.all(f"SELECT owner, key FROM {TABLE} WHERE owner = ?", (subject,))
            for row in rows:
                db.run(f"DELETE FROM {TABLE} WHERE owner = ? AND key = ?", (row["owner"], row["key"]))
            db.run(f"DELETE FROM {SUBJECTS} WHERE subject = ? OR owner = ?", (subject, subject))
        return len(rows)

    def _write(self, text: str, params: tuple) -> None:
        with self.storage.transaction(commit=True) as db:
            db.run(text, params)

    def close(self) -> None:
        self.storage.close()


def open_store(database_url: str) -> IdempotencyStore:
    return IdempotencyStore(open_storage("IDEMPOTENCY", {**persistence_env(database_url), **POOL_ENV}))


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


def _row_key(key: str) -> str:
    """What the table holds instead of the client's key."""
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _context(status: int, headers: dict[str, str]) -> bytes:
    """What is kept in the clear beside a sealed body, bound to it."""
    return f"{status}\n".encode() + json.dumps(headers, sort_keys=True).encode()


def _replay(stored: Stored, status: int, sealing_key: bytes) -> Response | None:
    body = sealing.unseal(sealing_key, stored.body, _context(status, stored.headers))
    if body is None:
        return None
    response = Response(body, status=status)
    for name, value in stored.headers.items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def begin(store: IdempotencyStore) -> Response | None:
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
    secret = str(services().settings.secret or "")
    sealing_key, key = sealing.sealing_key(secret, owner, key), _row_key(key)
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        stored = store.claim(owner, key, fingerprint)
        if stored is None:
            g.idempotency = (store, owner, key, sealing_key)
            g.idempotency_subjects = watch_subjects()
            return None
        if stored.fingerprint != fingerprint:
            raise ApiProblem(
                422,
                "idempotency-key-reused",
                "this Idempotency-Key was used for a different request; use a new key for a new request",
            )
        if stored.status is not None:
            replayed = _replay(stored, stored.status, sealing_key)
            if replayed is not None:
                return replayed
            store.forget(owner, key, stored.created_at)
            continue
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
    subjects = g.pop("idempotency_subjects", set())
    stop_watching()
    if response.status_code >= 500:
        store.release(owner, key)
        return response
    headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    body = sealing.seal(sealing_key, response.get_data(), _context(response.status_code, headers))
    store.mark(owner, key, subjects)
    store.complete(owner, key, response.status_code, headers, body)
    return response


def abandon(_error: BaseException | None = None) -> None:
    """Teardown: a claim that never got an answer (the process failed mid-way) is released."""
    claim = g.pop("idempotency", None)
    stop_watching()
    if claim is not None:
        store, owner, key, _ = claim
        try:
            store.release(owner, key)
        except Exception:
            pass


def install(app: Flask) -> None:
    app.teardown_request(abandon)
