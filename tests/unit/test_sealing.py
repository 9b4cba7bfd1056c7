"""Sealed idempotency answers: only Rome's officer, presenting Rome's key, opens Rome's answer."""

from __future__ import annotations

import pytest

from web.sealing import NONCE_BYTES, VERSION, seal, sealing_key, unseal

SECRET = "the programme's secret"
ANSWER = b'{"id": "p-1", "title": "Rome and Yantai: water", "token": "tw_0123456789abcdef"}'
CONTEXT = b'201\n{"ETag": "\\"1\\""}'


def _sealed() -> tuple[bytes, bytes]:
    key = sealing_key(SECRET, "rome-officer", "partnership-1")
    return key, seal(key, ANSWER, CONTEXT)


def test_the_same_principal_with_the_same_key_opens_the_answer():
    key, sealed = _sealed()
    assert unseal(sealing_key(SECRET, "rome-officer", "partnership-1"), sealed, CONTEXT) == ANSWER
    assert ANSWER not in sealed and b"tw_0123456789abcdef" not in sealed


@pytest.mark.parametrize(
    ("secret", "principal", "idempotency_key"),
    [
        (SECRET, "yantai-officer", "partnership-1"),  # another principal
        (SECRET, "rome-officer", "partnership-2"),  # another key
        (SECRET, "rome-officer", "partnership-1 "),
        (SECRET, "rome-officer\0partnership-1", ""),  # the same bytes, framed otherwise
        ("another secret", "rome-officer", "partnership-1"),  # the server's secret changed
    ],
)
def test_the_answer_does_not_open_for_anyone_else(secret, principal, idempotency_key):
    _key, sealed = _sealed()
    assert unseal(sealing_key(secret, principal, idempotency_key), sealed, CONTEXT) is None


def test_each_seal_has_its_own_nonce():
    key, sealed = _sealed()
    again = seal(key, ANSWER, CONTEXT)
    assert sealed[: len(VERSION) + NONCE_BYTES] != again[: len(VERSION) + NONCE_BYTES]
    assert unseal(key, again, CONTEXT) == ANSWER


@pytest.mark.parametrize("where", [len(VERSION), len(VERSION) + NONCE_BYTES, -1])
def test_a_changed_byte_in_the_nonce_the_ciphertext_or_the_tag_is_detected(where):
    key, sealed = _sealed()
    changed = bytearray(sealed)
    changed[where] ^= 0x01
    assert unseal(key, bytes(changed), CONTEXT) is None


def test_a_changed_status_or_header_beside_the_answer_is_detected():
    key, sealed = _sealed()
    assert unseal(key, sealed, CONTEXT.replace(b"201", b"200")) is None
    assert unseal(key, sealed, CONTEXT.replace(b'\\"1\\"', b'\\"2\\"')) is None


def test_a_truncated_or_foreign_answer_is_none():
    key, sealed = _sealed()
    assert unseal(key, sealed[: len(VERSION) + NONCE_BYTES + 4], CONTEXT) is None
    assert unseal(key, b"tw1" + sealed[3:], CONTEXT) is None  # the earlier scheme's mark
    assert unseal(key, b"", CONTEXT) is None
