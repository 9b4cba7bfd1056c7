"""The auth-failure limiter (issue 12): per address and per credential, proxies only when trusted, shared in Redis."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_problem, make_settings
from web import ratelimit
from web.app import close_app, create_app

OFFICE = "203.0.113.7"
PROXY = "10.0.0.1"


def me(client, token: str, address: str = OFFICE, forwarded: str | None = None):
    headers = {"Authorization": f"Bearer {token}"}
    if forwarded is not None:
        headers["X-Forwarded-For"] = forwarded
    return client.get("/api/v1/me", headers=headers, environ_base={"REMOTE_ADDR": address})


def test_one_wrong_token_tried_from_many_addresses_is_stopped(api):
    for n in range(20):
        assert_problem(me(api.client, "stolen-looking-token", address=f"198.51.100.{n + 1}"), 401)
    assert_problem(me(api.client, "stolen-looking-token", address="198.51.100.99"), 429)
    assert me(api.client, api.tokens["rome"], address="198.51.100.99").status_code == 200


def test_twenty_typos_behind_a_nat_do_not_lock_out_the_office(api):
    for n in range(20):
        assert_problem(me(api.client, f"typo-{n}"), 401)
    assert_problem(me(api.client, "typo-20"), 429)
    assert me(api.client, api.tokens["rome"]).status_code == 200
    assert me(api.client, api.tokens["yantai"]).status_code == 200


def test_forwarded_for_counts_only_through_a_trusted_proxy(api):
    ratelimit.install(api.app, trusted_proxies=[PROXY])
    for n in range(20):
        assert_problem(me(api.client, f"guess-{n}", address=PROXY, forwarded=f"192.0.2.10, {PROXY}"), 401)
    assert_problem(me(api.client, "guess-20", address=PROXY, forwarded="192.0.2.10"), 429)
    # another client behind the same proxy is counted on its own
    assert_problem(me(api.client, "guess-x", address=PROXY, forwarded="192.0.2.11"), 401)
    # a forged header from an untrusted peer is ignored: the peer itself is counted
    for n in range(20):
        assert_problem(me(api.client, f"forged-{n}", address=OFFICE, forwarded=f"192.0.2.{100 + n}"), 401)
    assert_problem(me(api.client, "forged-20", address=OFFICE, forwarded="192.0.2.200"), 429)


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("10.0.0.1", "192.0.2.10", "192.0.2.10"),
        ("10.0.0.1", "192.0.2.66, 192.0.2.10, 10.0.0.2", "192.0.2.10"),  # the left-most entries can be forged
        ("203.0.113.7", "192.0.2.10", "203.0.113.7"),
        ("10.0.0.1", None, "10.0.0.1"),
    ],
)
def test_the_client_address_behind_proxies(peer, forwarded, client):
    assert ratelimit.client_address(peer, forwarded, ratelimit.trusted_networks(["10.0.0.0/24"])) == client


def test_workers_sharing_redis_share_the_count(api, programme, database_url, views, redis_url):
    """Three gunicorn workers are three apps: with Redis the limit is the limit, not three times it."""
    apps = [
        create_app(make_settings(database_url, redis_url=redis_url), programme=programme, views=views) for _ in range(3)
    ]
    try:
        clients = [a.test_client() for a in apps]
        for n in range(20):
            assert_problem(me(clients[n % 3], f"guess-{n}"), 401)
        for client in clients:
            assert_problem(me(client, "guess-20"), 429)
            assert me(client, api.tokens["rome"]).status_code == 200
    finally:
        for a in apps:
            close_app(a)
