"""Sealed answers: what the idempotency table keeps of a body, readable only by who asked for it.

Some answers carry a secret (``POST /users`` and ``POST /users/{id}/tokens`` answer a bearer
token, shown only then), and no raw token may rest in the database. So every kept body is
encrypted with AES-256-GCM (``cryptography``) under a key derived with HKDF-SHA256 from
``TWINNING_SECRET``, the principal and the raw Idempotency-Key (which the table holds only
as a hash): reading the table alone opens nothing, and an answer opens only for the same
principal presenting the same key. Each answer has a random 96-bit nonce; the status and
headers kept beside it in the clear are bound as associated data, so a change to any of
them is detected too. An answer that does not open (another key, a changed secret, a
change in the table, an answer sealed by the earlier scheme) is ``None``.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = b"tw2"  # the format: VERSION, nonce, ciphertext with its 16-byte tag
NONCE_BYTES = 12
_INFO = b"twinning idempotency answer\0"


def sealing_key(secret: str, principal: str, idempotency_key: str) -> bytes:
    """The AES-256 key for one principal's answers to one Idempotency-Key."""
    info = _INFO + _framed(principal.encode("utf-8")) + _framed(idempotency_key.encode("utf-8"))
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret.encode("utf-8"))


def seal(key: bytes, body: bytes, context: bytes) -> bytes:
    """``body`` encrypted and authenticated, with ``context`` (kept in the clear) bound to it."""
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + AESGCM(key).encrypt(nonce, body, VERSION + context)


def unseal(key: bytes, sealed: bytes, context: bytes) -> bytes | None:
    """The body, or None when it does not open with this key and context."""
    if not sealed.startswith(VERSION):
        return None
    nonce = sealed[len(VERSION) : len(VERSION) + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, sealed[len(VERSION) + NONCE_BYTES :], VERSION + context)
    except (InvalidTag, ValueError):
        return None


def _framed(part: bytes) -> bytes:
    """Length-prefixed, so that ("ab", "c") and ("a", "bc") derive different keys."""
    return len(part).to_bytes(4, "big") + part
