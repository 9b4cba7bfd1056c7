"""No raw token is ever written to the store: scan every table of a test store (SQLite and PostgreSQL)
after users were created, given tokens (with and without Idempotency-Key), authenticated and revoked.

Tokens are shown once, in the answer that issues them, and kept only as SHA-256 hashes. The
idempotency cache keeps answers for replay; an answer carrying a token is kept encrypted under a
key derived from the client's Idempotency-Key, which is itself stored only as a hash.
"""

from __future__ import annotations

import base64
import sqlite3
import uuid

from config.settings import persistence_env


def _rows_of_every_table(database_url: str) -> list[tuple[str, object]]:
    env = persistence_env(database_url)
    found: list[tuple[str, object]] = []
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        with sqlite3.connect(env["SQLITE_DBNAME"]) as conn:
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            assert tables
            for table in tables:
                for row in conn.execute(f'SELECT * FROM "{table}"'):
                    found.extend((table, value) for value in row)
        return found
    import psycopg

    schema = env["POSTGRES_SCHEMA"] or "public"
    with psycopg.connect(
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USER"],
        dbname=env["POSTGRES_DBNAME"],
    ) as conn:
        tables = [
            r[0]
            for r in conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,))
        ]
        assert tables
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{schema}"."{table}"'):
                found.extend((table, value) for value in row)
    return found


def _as_bytes(value: object) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    return str(value).encode("utf-8", "surrogatepass")


def _leaks(database_url: str, tokens: list[str]) -> list[str]:
    leaks = []
    for table, value in _rows_of_every_table(database_url):
        data = _as_bytes(value)
        for token in tokens:
            forms = {token.encode(), base64.b64encode(token.encode()), token.encode().hex().encode()}
            if any(form in data for form in forms):
                leaks.append(f"{table}: {token[:6]}…")
    return leaks


def test_no_raw_token_is_stored_anywhere(served):
    api = served.api
    tokens = [api.tokens[who] for who in ("admin", "facilitator", "auditor", "rome", "yantai")]
    for who in ("admin", "facilitator", "rome", "yantai"):
        assert api.get(who, "/api/v1/me").status_code == 200
    # users created over the API, with and without an Idempotency-Key (whose answers are kept for replay)
    for index, key in enumerate([None, f"create-{uuid.uuid4().hex}"]):
        headers = {"Idempotency-Key": key} if key else None
        created = api.post(
            "admin",
            "/api/v1/users",
            {
                "name": f"New {index}",
                "email": f"new{index}@security.example",
                "role": "officer",
                "city_id": api.city("rome"),
            },
            headers=headers,
        )
        assert created.status_code == 201
        tokens.append(created.get_json()["token"])
        if key:  # the replay still answers the token: the client that lost the answer gets it back
            again = api.post(
                "admin",
                "/api/v1/users",
                {
                    "name": f"New {index}",
                    "email": f"new{index}@security.example",
                    "role": "officer",
                    "city_id": api.city("rome"),
                },
                headers=headers,
            )
            assert again.headers.get("Idempotent-Replayed") == "true"
            assert again.get_json()["token"] == created.get_json()["token"]
        user_id = created.get_json()["id"]
        issued = api.post(
            "admin", f"/api/v1/users/{user_id}/tokens", {}, headers={"Idempotency-Key": f"t-{uuid.uuid4().hex}"}
        )
        tokens.append(issued.get_json()["token"])
        for token in tokens[-2:]:
            assert api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    revoked = api.post(
        "admin", f"/api/v1/users/{api.user_ids['yantai']}/tokens/revoke", {}, headers={"Idempotency-Key": "revoke-1"}
    )
    assert revoked.status_code == 200
    # bad attempts too: a token that is nearly right, a revoked one
    api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {api.tokens['rome'][:-1]}x"})
    api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {api.tokens['yantai']}"})
    assert len(set(tokens)) == len(tokens) >= 9
    assert _leaks(served.database_url, tokens) == []
