"""Kept answers that cannot be replayed (sealed by the earlier scheme, or under another secret) count as expired."""

from __future__ import annotations

import hashlib
import time

from web import idempotency

MEETING = {
    "title": "Rome–Yantai water workshop",
    "kind": "online",
    "starts_at": "2030-03-04T09:00:00+01:00",
    "duration_minutes": 90,
}


def test_an_answer_that_does_not_open_is_treated_as_absent(api):
    body = {**MEETING, "invited_city_ids": [api.city("rome"), api.city("yantai")]}
    first = api.post("facilitator", "/api/v1/meetings", body, headers={"Idempotency-Key": "water-1"})
    assert first.status_code == 201
    store = api.app.extensions["twinning"].idempotency
    owner = api.user_ids["facilitator"]
    row_key = "sha256:" + hashlib.sha256(b"water-1").hexdigest()
    kept = store.get(owner, row_key)
    assert kept is not None and kept.status == 201
    # what the earlier scheme kept: its mark, a 16-byte nonce, a 16-byte tag, the XORed body
    store.complete(owner, row_key, 201, kept.headers, b"tw1" + bytes(32) + b"\x00" * 40)

    again = api.post("facilitator", "/api/v1/meetings", body, headers={"Idempotency-Key": "water-1"})
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again.headers
    assert again.get_json()["id"] != first.get_json()["id"]  # processed anew, as after the key expired
    replayed = api.post("facilitator", "/api/v1/meetings", body, headers={"Idempotency-Key": "water-1"})
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.get_json() == again.get_json()


def _abandon_claim(api, key: bytes, seconds_ago: float) -> None:
    """What a web process killed mid-request leaves: a claim with no answer, made ``seconds_ago``."""
    store = api.app.extensions["twinning"].idempotency
    owner = api.user_ids["facilitator"]
    row_key = "sha256:" + hashlib.sha256(key).hexdigest()
    with store.storage.transaction(commit=True) as db:
        db.run(
            "UPDATE twinning_idempotency_keys SET status = NULL, headers = NULL, body = NULL, created_at = ?"
            " WHERE owner = ? AND key = ?",
            (time.time() - seconds_ago, owner, row_key),
        )


def test_a_retry_takes_over_a_key_whose_first_request_died(api, monkeypatch):
    body = {**MEETING, "invited_city_ids": [api.city("rome"), api.city("mannheim")]}
    first = api.post("facilitator", "/api/v1/meetings", body, headers={"Idempotency-Key": "water-2"})
    assert first.status_code == 201
    _abandon_claim(api, b"water-2", idempotency.LEASE_SECONDS + 5)

    retried = api.post("facilitator", "/api/v1/meetings", body, headers={"Idempotency-Key": "water-2"})
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers
    replayed = api.post("facilitator", "/api/v1/meetings", body, headers={"Idempotency-Key": "water-2"})
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.get_json() == retried.get_json()


def test_a_claim_within_its_lease_is_still_in_use(api, monkeypatch):
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.2)
    body = {**MEETING, "invited_city_ids": [api.city("rome"), api.city("chongqing")]}
    assert api.post("facilitator", "/api/v1/meetings", body, headers={"Idempotency-Key": "water-3"}).status_code == 201
    _abandon_claim(api, b"water-3", 5)

    busy = api.post("facilitator", "/api/v1/meetings", body, headers={"Idempotency-Key": "water-3"})
    assert busy.status_code == 409
    assert busy.get_json()["type"].endswith("/idempotency-key-in-use")
