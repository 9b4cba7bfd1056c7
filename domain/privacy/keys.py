"""Each person's data key, in a table of its own beside the log, wrapped by the master key.

Three tables in the event store's database (through ``domain.storage``):

- ``twinning_personal_keys``: one AES-256 key per data subject, wrapped (AES-GCM) by the
  master key, with the subject bound as associated data;
- ``twinning_personal_erasures``: the subjects whose key was deleted (ids only);
- ``twinning_personal_keyring``: one row, a key-check value of the master key, so a wrong
  master key is refused when the programme opens the store instead of reading as "erased".

The master key is derived (HKDF-SHA256) from ``TWINNING_DATA_KEY`` (the settings put
``TWINNING_SECRET`` there in production when it is unset), or from a development key. Keys are cached per process; the cache forgets erased subjects
within ``REFRESH_SECONDS`` of an erasure made by another process (at once in this one).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from domain.errors import DomainError
from domain.storage import Storage, for_dialect

KEYS = "twinning_personal_keys"
ERASURES = "twinning_personal_erasures"
KEYRING = "twinning_personal_keyring"
REFRESH_SECONDS = 1.0
DEVELOPMENT_KEY = "twinning-development-data-key"  # no TWINNING_DATA_KEY (tests, the embedded demo)
NONCE_BYTES = 12
_MASTER_INFO = b"twinning personal data master key\0"
_CHECK = b"twinning personal data key check\0"


class PersonalKeysError(DomainError):
    kind = "unavailable"
    code = "personal-keys"
    title = "The personal-data keys cannot be used"


class KeyTableLost(PersonalKeysError):
    code = "personal-keys-lost"
    title = "The personal-data key table is missing or damaged"


class WrongMasterKey(PersonalKeysError):
    code = "personal-keys-wrong-master"
    title = "The master key does not open this store's personal-data keys"


def master_key(env: Any) -> bytes:
    source = env.get("TWINNING_DATA_KEY") or DEVELOPMENT_KEY
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_MASTER_INFO).derive(source.encode("utf-8"))


def check_value(master: bytes) -> bytes:
    return hmac.new(master, _CHECK, hashlib.sha256).digest()[:16]


def _is_missing_table(error: BaseException) -> bool:
    text = str(error).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


class KeyRing:
    """Data keys by subject (a user id); ``storage`` None keeps them in memory (the in-memory store)."""

    def __init__(self, master: bytes, storage: Storage | None) -> None:
        self._master = AESGCM(master)
        self._check = check_value(master)
        self.storage = storage
        self._held: dict[str, bytes] = {}  # wrapped keys, when there is no database
        self._held_erasures: set[str] = set()
        self._ciphers: dict[str, AESGCM] = {}
        self.erased: set[str] = set()
        self._erasure_count = 0
        self._checked_at = 0.0
        self._lock = threading.Lock()

    # -- opening -------------------------------------------------------------------------

    def open(self, log_has_encrypted_data: Callable[[], bool]) -> None:
        """Create the tables, then refuse a wrong master key or a key table that was lost."""
        if self.storage is None:
            return
        with self.storage.ddl("twinning-personal-keys-ddl") as db:
            tables = (
                "information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
                if db.postgres
                else "sqlite_master WHERE type = 'table' AND name = ?"
            )
            found = db.scalar(f"SELECT COUNT(*) FROM {tables}", (KEYRING,))
            for statement in (
                f"CREATE TABLE IF NOT EXISTS {KEYS} (subject TEXT PRIMARY KEY, wrapped BLOB NOT NULL,"
                " created_at REAL NOT NULL)",
                f"CREATE TABLE IF NOT EXISTS {ERASURES} (subject TEXT PRIMARY KEY, erased_at REAL NOT NULL)",
                f"CREATE TABLE IF NOT EXISTS {KEYRING} (id INTEGER PRIMARY KEY, check_value BLOB NOT NULL,"
                " created_at REAL NOT NULL)",
            ):
                db.run(for_dialect(statement, db.postgres))
            row = db.one(f"SELECT check_value FROM {KEYRING} WHERE id = 1") if found else None
        if row is None:
            # Outside the DDL transaction: the log is read on another of the pool's connections.
            if log_has_encrypted_data():
                raise KeyTableLost(
                    "the log holds encrypted personal data but the personal-data key table "
                    f"({KEYRING}, {KEYS}) is gone: restore it from a backup of this database"
                )
            with self._transaction() as db:
                db.run(
                    f"INSERT INTO {KEYRING} (id, check_value, created_at) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING",
                    (self._check, time.time()),
                )
                row = db.one(f"SELECT check_value FROM {KEYRING} WHERE id = 1")  # another process's, maybe
        if not hmac.compare_digest(bytes(row["check_value"]), self._check):
            raise WrongMasterKey(
                "TWINNING_DATA_KEY (in production TWINNING_SECRET when it is unset) is not the key this "
                "store's personal data was encrypted with: start with the original key"
            )
        self._reload_erasures()

    # -- keys ----------------------------------------------------------------------------

    def cipher(self, subject: str, *, create: bool) -> AESGCM | None:
        """The subject's cipher; None if erased, or if it has no key and ``create`` is false."""
        self._refresh()
        found = self._ciphers.get(subject)
        if found is not None or subject in self.erased:
            return found
        with self._lock:
            wrapped = self._load(subject)
            if wrapped is None and create:
                wrapped = self._create(subject)
            if wrapped is None:
                return None
            try:
                key = self._master.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], self._aad(subject))
            except InvalidTag:
                raise KeyTableLost(f"the data key of {subject} does not open: the key table was changed") from None
            found = self._ciphers[subject] = AESGCM(key)
            return found

    def is_erased(self, subject: str) -> bool:
        self._refresh()
        return subject in self.erased

    def erase(self, subject: str) -> None:
        """Delete the subject's key for good and remember that it was erased."""
        with self._lock:
            self._ciphers.pop(subject, None)
            self.erased.add(subject)
            if self.storage is None:
                self._held.pop(subject, None)
                self._held_erasures.add(subject)
                return
            with self._transaction() as db:
                db.run(f"DELETE FROM {KEYS} WHERE subject = ?", (subject,))
                db.run(
                    f"INSERT INTO {ERASURES} (subject, erased_at) VALUES (?, ?) ON CONFLICT (subject) DO NOTHING",
                    (subject, time.time()),
                )

    def has_key(self, subject: str) -> bool:
        return self._load(subject) is not None

    # -- the tables ------------------------------------------------------------------------

    def _aad(self, subject: str) -> bytes:
        return b"twinning data key\0" + subject.encode("utf-8")

    def _load(self, subject: str) -> bytes | None:
        if self.storage is None:
            return self._held.get(subject)
        with self._transaction(commit=False) as db:
            row = db.one(f"SELECT wrapped FROM {KEYS} WHERE subject = ?", (subject,))
        return None if row is None else bytes(row["wrapped"])

    def _create(self, subject: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        wrapped = nonce + self._master.encrypt(nonce, os.urandom(32), self._aad(subject))
        if self.storage is None:
            return self._held.setdefault(subject, wrapped)
        with self._transaction() as db:
            db.run(
                f"INSERT INTO {KEYS} (subject, wrapped, created_at) VALUES (?, ?, ?) ON CONFLICT (subject) DO NOTHING",
                (subject, wrapped, time.time()),
            )
            row = db.one(f"SELECT wrapped FROM {KEYS} WHERE subject = ?", (subject,))  # another process may have won
        return bytes(row["wrapped"])

    def _refresh(self) -> None:
        now = time.monotonic()
        if self.storage is None or now - self._checked_at < REFRESH_SECONDS:
            return
        self._checked_at = now
        with self._transaction(commit=False) as db:
            count = db.scalar(f"SELECT COUNT(*) FROM {ERASURES}")
        if count != self._erasure_count:
            self._reload_erasures()

    def _reload_erasures(self) -> None:
        if self.storage is None:
            return
        with self._transaction(commit=False) as db:
            subjects = {row["subject"] for row in db.all(f"SELECT subject FROM {ERASURES}")}
        with self._lock:
            self.erased, self._erasure_count = subjects, len(subjects)
            for subject in subjects:
                self._ciphers.pop(subject, None)
        self._checked_at = time.monotonic()

    def _transaction(self, commit: bool = True) -> Any:
        return _Guarded(self.storage, commit)


class _Guarded:
    """A transaction on the key tables; a table that has gone is the key table lost, said in one line."""

    def __init__(self, storage: Storage, commit: bool) -> None:
        self._context = storage.transaction(commit=commit)

    def __enter__(self) -> Any:
        try:
            return self._context.__enter__()
        except Exception as error:
            raise _translated(error) from None

    def __exit__(self, kind: Any, error: BaseException | None, traceback: Any) -> bool:
        try:
            suppressed = self._context.__exit__(kind, error, traceback)
        except Exception as raised:
            translated = _translated(raised)
            if translated is raised:
                raise
            raise translated from None
        if error is not None and _is_missing_table(error):
            raise _translated(error) from None
        return bool(suppressed)


def _translated(error: BaseException) -> BaseException:
    if _is_missing_table(error):
        return KeyTableLost(f"the personal-data key table is gone ({error}): restore it from a backup")
    return error
