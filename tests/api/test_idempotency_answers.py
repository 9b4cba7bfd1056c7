"""Kept answers that cannot be replayed (sealed by the earlier scheme, or under another secret) count as expired."""

from __future__ import annotations

import hashlib

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
