"""Secrets: no raw token in logs or error bodies; repeated authentication failures get 429.

(The store is scanned for raw tokens in tests/reliability/test_secrets_at_rest.py, on both stores.)
"""

from __future__ import annotations

import logging
import uuid

import pytest

from tests.api.conftest import assert_problem
from web import ratelimit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def limiter_clock(api):
    """The rate limiter on a clock the test moves."""
    found = Clock()
    ratelimit.install(api.app, clock=found)
    return found


# -- logs and error bodies ------------------------------------------------------------------------


def test_no_token_reaches_the_logs_or_an_error_body(api, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, every level
    for name in ("werkzeug", "twinning", "eventsourcing", "psycopg"):
        caplog.set_level(logging.DEBUG, logger=name)
    good, admin = api.tokens["rome"], api.tokens["admin"]
    created = api.post(
        "admin",
        "/api/v1/users",
        {"name": "Fresh", "email": "fresh@security.example", "role": "auditor"},
        headers={"Idempotency-Key": "fresh-user"},
    )
    fresh = created.get_json()["token"]
    revoked_user = api.post(
        "admin", "/api/v1/users", {"name": "Gone", "email": "gone@security.example", "role": "auditor"}
    )
    revoked = revoked_user.get_json()["token"]
    api.post("admin", f"/api/v1/users/{revoked_user.get_json()['id']}/tokens/revoke", {})
    secrets = [good, admin, fresh, revoked, good[:-2] + "zz"]
    bodies = []

    def call(token: str | None, method: str = "GET", path: str = "/api/v1/me", **kwargs):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = api.client.open(path, method=method, headers={**headers, **kwargs.pop("headers", {})}, **kwargs)
        bodies.append(response.get_data(as_text=True))
        return response

    assert call(good).status_code == 200
    assert call(fresh).status_code == 200
    assert call(revoked).status_code == 401
    assert call(good[:-2] + "zz").status_code == 401
    assert call(good, headers={"Authorization": f"Basic {good}"}).status_code == 401
    assert (
        call(
            None,
            "POST",
            "/api/v1/cities",
            json={"name": good, "country": "XX", "timezone": "Europe/Rome"},
            headers={"Authorization": f"Bearer {api.tokens['facilitator']}"},
        ).status_code
        == 422
    )
    # a replay of the answer that carried the token answers it again, and only to its owner
    replay = call(
        admin,
        "POST",
        "/api/v1/users",
        json={"name": "Fresh", "email": "fresh@security.example", "role": "auditor"},
        headers={"Idempotency-Key": "fresh-user"},
    )
    assert replay.get_json()["token"] == fresh
    bodies.pop()

    # an unexpected error while a request is authenticated …
    def broken(*args, **kwargs):
        raise RuntimeError("the store's driver crashed")

    monkeypatch.setattr(api.programme, "register_city", broken)
    assert (
        call(
            api.tokens["facilitator"],
            "POST",
            "/api/v1/cities",
            json={"name": "X", "country": "IT", "timezone": "Europe/Rome"},
        ).status_code
        == 500
    )
    # … and one while the token itself is being checked
    monkeypatch.setattr(api.programme, "authenticate", broken)
    assert call(good).status_code == 500

    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records)
    assert any(r.levelno >= logging.ERROR for r in caplog.records)  # the 500s were logged …
    for secret in secrets + [api.tokens["facilitator"]]:
        assert secret not in logged  # … without a token
        assert all(secret not in body for body in bodies), secret


def test_a_401_says_why_without_echoing_what_was_sent(api):
    token = "tw_" + uuid.uuid4().hex * 2
    for header in (f"Bearer {token}", f"Token {token}", f"Bearer {token} extra", f"bearer  {token}"):
        response = api.client.get("/api/v1/me", headers={"Authorization": header})
        body = assert_problem(response, 401)
        assert token not in response.get_data(as_text=True)
        assert body["detail"]


# -- repeated failures -------------------------------------------------------------------------------


def _fail(api, address: str = "203.0.113.7", token: str = "guess"):
    return api.client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {token}"}, environ_base={"REMOTE_ADDR": address}
    )


def test_twenty_failures_a_minute_from_one_address_get_429_with_retry_after(api, limiter_clock):
    for attempt in range(20):
        assert_problem(_fail(api, token=f"guess-{attempt}"), 401)
        limiter_clock.now += 1
    refused = _fail(api, token="guess-20")
    body = assert_problem(refused, 429, "too-many-failed-authentications")
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 60 and str(wait) in body["detail"]
    # a valid token from the same address (a colleague behind the same NAT) is still served (issue 12)
    valid = api.client.get(
        "/api/v1/me",
        headers={"Authorization": f"Bearer {api.tokens['rome']}"},
        environ_base={"REMOTE_ADDR": "203.0.113.7"},
    )
    assert valid.status_code == 200
    # other clients are not affected, and public endpoints stay open
    assert (
        api.client.get(
            "/api/v1/me",
            headers={"Authorization": f"Bearer {api.tokens['rome']}"},
            environ_base={"REMOTE_ADDR": "198.51.100.1"},
        ).status_code
        == 200
    )
    assert api.client.get("/healthz", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code in (200, 503)
    assert api.client.get("/api/v1/themes", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 200
    # the window slides: once the oldest failure is a minute old, one more try is allowed
    limiter_clock.now += wait
    assert_problem(_fail(api, token="guess-21"), 401)
    assert_problem(_fail(api, token="guess-22"), 429)


def test_successful_authentications_are_not_counted_and_do_not_reset_the_count(api, limiter_clock):
    for attempt in range(19):
        assert_problem(_fail(api, token=f"guess-{attempt}"), 401)
        ok = api.client.get(
            "/api/v1/me",
            headers={"Authorization": f"Bearer {api.tokens['rome']}"},
            environ_base={"REMOTE_ADDR": "203.0.113.7"},
        )
        assert ok.status_code == 200
    assert_problem(_fail(api, token="guess-19"), 401)
    assert_problem(_fail(api, token="guess-20"), 429)


def test_missing_revoked_and_deactivated_tokens_count_as_failures(api, limiter_clock):
    admin = api.programme.authenticate(api.tokens["admin"])
    issued = api.programme.create_user(admin, "Gone", "gone@security.example", "auditor")
    api.programme.deactivate_user(admin, str(issued.user.id))
    for attempt in range(20):
        headers = [{}, {"Authorization": f"Bearer {issued.token}"}, {"Authorization": "Basic abc"}][attempt % 3]
        assert_problem(api.client.get("/api/v1/me", headers=headers, environ_base={"REMOTE_ADDR": "203.0.113.9"}), 401)
    assert_problem(_fail(api, "203.0.113.9"), 429)


def test_the_failure_window_forgets_the_stalest_clients_first():
    window = ratelimit.FailureWindow(clock=lambda: 0.0, max_clients=3)
    for client in ("a", "b", "c", "a", "d"):
        window.failed(client)
    assert window.clients() == 3
    assert window.retry_after("b", 1, 60) is None  # b was the stalest: forgotten
    assert window.retry_after("a", 2, 60) == 60
