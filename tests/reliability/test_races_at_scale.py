"""Races with 24 at once: exactly one effect each, the rest a clear 409/412 or the idempotent replay.

tests/integration/test_races.py races 8 Programmes in threads; tests/api/test_concurrency.py
races 4 requests with one Idempotency-Key. Here, at 24 (20 for processes), through the API on
SQLite and PostgreSQL (one app, many request threads, as a threaded server), through 24
Programmes with small pools (as 24 web workers would), and through 20 forked processes.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter

import pytest

from config.settings import Settings
from domain.errors import ConcurrencyConflict, Duplicate, RuleBroken
from domain.model.agreement import Agreement
from domain.model.partnership import Partnership
from tests.reliability.conftest import SMALL_POOL, events_named, race
from tests.support.cast import build_programme
from web.startup import schema_lock

N = 24
PROCESSES = 20


def _post_all(served, who: str, path: str, body: dict, headers: dict | None = None, count: int = N):
    api = served.api

    def send(_):
        client = api.app.test_client()
        response = client.post(path, json=body, headers=api.headers(who, headers))
        return response.status_code, response.get_json(force=True), dict(response.headers)

    outcomes = race(count, send)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert not errors, errors
    return outcomes


def _codes(outcomes) -> Counter:
    return Counter(body.get("type", "").rsplit("/", 1)[-1] if status >= 400 else status for status, body, _ in outcomes)


def test_24_requests_accepting_one_invitation_record_one_acceptance(served):
    api = served.api
    partnership = api.propose("rome", ("yantai", "chengdu"))
    outcomes = _post_all(
        served, "yantai", f"/api/v1/partnerships/{partnership['id']}/accept", {"city_id": api.city("yantai")}
    )
    assert _codes(outcomes) == Counter({200: 1, "invitation-not-pending": N - 1}), _codes(outcomes)
    history = [e.type for e in served.programme.history(Partnership, partnership["id"])]
    assert history == ["PartnershipProposed", "InvitationAccepted"]


def test_24_requests_with_if_match_on_one_invitation_one_wins_the_rest_412(served):
    api = served.api
    partnership = api.propose("rome", ("yantai", "chengdu"))
    url = f"/api/v1/partnerships/{partnership['id']}/"

    def send(index):
        client = api.app.test_client()
        city = "yantai" if index % 2 else "chengdu"
        response = client.post(
            url + ("accept" if index % 4 < 2 else "decline"),
            json={"city_id": api.city(city)},
            headers=api.headers(city, {"If-Match": '"1"'}),
        )
        return response.status_code, response.get_json(), dict(response.headers)

    outcomes = race(N, send)
    codes = _codes(outcomes)
    assert codes[200] == 1 and codes[200] + codes["stale-version"] == N, codes
    assert all(h.get("ETag") == '"2"' for s, _, h in outcomes if s == 412)
    assert len(served.programme.history(Partnership, partnership["id"])) == 2


def test_24_requests_registering_one_city_make_one_city(served):
    api = served.api
    spellings = ["Bologna", "BOLOGNA", "bologna", " Bologna ", "Bologna"]

    def send(index):
        client = api.app.test_client()
        response = client.post(
            "/api/v1/cities",
            json={"name": spellings[index % len(spellings)], "country": "IT", "timezone": "Europe/Rome"},
            headers=api.headers("facilitator"),
        )
        return response.status_code, response.get_json(), dict(response.headers)

    outcomes = race(N, send)
    assert _codes(outcomes) == Counter({201: 1, "duplicate": N - 1}), _codes(outcomes)
    registered = [e for e in events_named(served.programme, "CityRegistered") if e.name.casefold() == "bologna"]
    assert len(registered) == 1
    assert len(events_named(served.programme, "CityNameClaimed")) == 7  # the cast's six and Bologna


def test_24_requests_with_one_idempotency_key_have_one_effect_and_one_answer(served):
    api = served.api
    body = {
        "title": "Kick-off",
        "kind": "online",
        "starts_at": "2030-03-04T09:00:00+01:00",
        "duration_minutes": 60,
        "invited_city_ids": [api.city("rome"), api.city("yantai")],
    }
    outcomes = _post_all(served, "facilitator", "/api/v1/meetings", body, {"Idempotency-Key": "one-meeting"})
    statuses = Counter(status for status, _, _ in outcomes)
    assert statuses == Counter({201: N}), [(s, b) for s, b, _ in outcomes if s != 201][:3]
    assert len({b["id"] for _, b, _ in outcomes}) == 1
    assert sum(h.get("Idempotent-Replayed") == "true" for _, _, h in outcomes) == N - 1
    assert len(events_named(served.programme, "MeetingScheduled")) == 1


def test_24_requests_signing_for_one_party_record_one_signature(served):
    api = served.api
    agreement = api.draft()
    outcomes = _post_all(
        served,
        "yantai",
        f"/api/v1/agreements/{agreement['id']}/sign",
        {"party": "Yantai University", "signed_on": "2020-10-30", "signatory": "Prof. Zhang"},
    )
    assert _codes(outcomes) == Counter({200: 1, "party-already-signed": N - 1}), _codes(outcomes)
    stored = served.programme.load(Agreement, agreement["id"])
    assert [e.type for e in served.programme.history(Agreement, agreement["id"])] == ["AgreementDrafted", "PartySigned"]
    assert stored.status == "drafted"


def test_both_parties_signing_24_times_each_put_the_agreement_in_force_once(served):
    api = served.api
    agreement = api.draft()

    def send(index):
        client = api.app.test_client()
        who, party = ("yantai", "Yantai University") if index % 2 else ("rome", "Tuscia University")
        response = client.post(
            f"/api/v1/agreements/{agreement['id']}/sign",
            json={"party": party, "signed_on": "2020-10-30"},
            headers=api.headers(who),
        )
        return response.status_code, response.get_json(), dict(response.headers)

    outcomes = race(N, send)
    assert _codes(outcomes) == Counter({200: 2, "party-already-signed": N - 2}), _codes(outcomes)
    types = Counter(e.type for e in served.programme.history(Agreement, agreement["id"]))
    assert types == Counter({"AgreementDrafted": 1, "PartySigned": 2, "AgreementInForce": 1})


# -- many Programmes (many web workers), small pools ---------------------------------------------------


def test_24_programmes_accepting_one_invitation_record_one(cast, database_url):
    pid = str(
        cast.programme.propose_partnership(
            cast.officer("rome"), "Research", cast.city("rome"), [cast.city("yantai"), cast.city("chengdu")]
        ).aggregate.id
    )
    officer, yantai = cast.officer("yantai"), cast.city("yantai")
    programmes = [build_programme(database_url, **SMALL_POOL) for _ in range(N)]
    try:
        outcomes = race(N, lambda i: programmes[i].accept_invitation(officer, pid, yantai))
    finally:
        for programme in programmes:
            programme.close()
    unexpected = [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, RuleBroken)]
    assert not unexpected, unexpected
    assert sum(not isinstance(o, BaseException) for o in outcomes) == 1
    assert [e.type for e in cast.programme.history(Partnership, pid)] == ["PartnershipProposed", "InvitationAccepted"]


# -- processes ----------------------------------------------------------------------------------------


def _accept_in_a_process(database_url: str, officer, pid: str, city_id: str, barrier, results) -> None:
    # as every entry point does: tables are created (if need be) under the schema lock, since
    # PostgreSQL's CREATE … IF NOT EXISTS run by 20 sessions at once fails ("tuple concurrently updated")
    with schema_lock(Settings(database_url=database_url)):
        programme = build_programme(database_url, **SMALL_POOL)
    try:
        barrier.wait(timeout=60)
        try:
            programme.accept_invitation(officer, pid, city_id)
            results.put("accepted")
        except (RuleBroken, ConcurrencyConflict, Duplicate) as error:
            results.put(type(error).__name__)
        except Exception as error:
            results.put(f"unexpected {type(error).__name__}: {error}")
    finally:
        programme.close()


@pytest.mark.slow
def test_20_processes_accepting_one_invitation_record_one(cast, database_url):
    pid = str(
        cast.programme.propose_partnership(
            cast.officer("rome"), "Research", cast.city("rome"), [cast.city("yantai"), cast.city("chengdu")]
        ).aggregate.id
    )
    # forkserver: children fork from a clean server process, not from this one with its pools' threads
    # (forking a process whose other threads hold locks can leave a child stuck on one).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["domain.application", "tests.support.cast", __name__])
    barrier, results = context.Barrier(PROCESSES), context.Queue()
    processes = [
        context.Process(
            target=_accept_in_a_process,
            args=(database_url, cast.officer("yantai"), pid, cast.city("yantai"), barrier, results),
        )
        for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=90) for _ in processes]
    for process in processes:
        process.join(30)
    assert all(p.exitcode == 0 for p in processes), [p.exitcode for p in processes]
    assert Counter(outcomes) == Counter({"accepted": 1, "InvitationNotPending": PROCESSES - 1}), Counter(outcomes)
    assert [e.type for e in cast.programme.history(Partnership, pid)] == ["PartnershipProposed", "InvitationAccepted"]
