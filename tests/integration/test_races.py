"""Races between processes: each thread has its own Programme (its own connections), as separate
web workers would, and all start together at a barrier. The store's (id, version) uniqueness
decides the winner; the losers get a domain answer, never a half-recorded command.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from domain.errors import ConcurrencyConflict, Duplicate, RuleBroken
from domain.model.city import City
from domain.model.indexes import CityName, UserEmail
from domain.model.partnership import InvitationNotPending, Partnership
from domain.model.user import User
from tests.support.cast import build_programme

THREADS = 8
# One connection per racing Programme is all a thread uses; keeps 8 of them well inside PostgreSQL's limit.
SMALL_POOL = {"POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "1"}


def race(database_url: str, command: Callable, threads: int = THREADS) -> list:
    """Run ``command(programme, index)`` in ``threads`` threads at once; return each result or exception."""
    programmes = [build_programme(database_url, **SMALL_POOL) for _ in range(threads)]
    barrier = threading.Barrier(threads)
    outcomes: list = [None] * threads

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = command(programmes[index], index)
        except BaseException as error:
            outcomes[index] = error

    workers = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(threads)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
        assert not any(worker.is_alive() for worker in workers), "a racing thread hung"
    finally:
        for programme in programmes:
            programme.close()
    return outcomes


def winners_and_losers(outcomes: list) -> tuple[list, list]:
    unexpected = [o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, RuleBroken)]
    assert not unexpected, f"only rule errors may answer a loser: {unexpected!r}"
    return [o for o in outcomes if not isinstance(o, BaseException)], [
        o for o in outcomes if isinstance(o, BaseException)
    ]


def events_named(programme, name: str) -> list:
    notifications = programme.recorder.select_notifications(1, 100_000)
    return [e for e in map(programme.mapper.to_domain_event, notifications) if type(e).__name__ == name]


def test_racing_acceptances_of_one_invitation_record_exactly_one(cast, database_url):
    app, yantai = cast.programme, cast.city("yantai")
    pid = str(
        app.propose_partnership(
            cast.officer("rome"),
            "Urban agriculture research",
            cast.city("rome"),
            [yantai, cast.city("chengdu")],
            ["urban-agriculture"],
        ).aggregate.id
    )
    officer = cast.officer("yantai")

    outcomes = race(database_url, lambda programme, _: programme.accept_invitation(officer, pid, yantai))

    winners, losers = winners_and_losers(outcomes)
    assert len(winners) == 1
    assert len(losers) == THREADS - 1
    assert all(isinstance(error, (InvitationNotPending, ConcurrencyConflict)) for error in losers)
    history = app.history(Partnership, pid)
    assert [entry.type for entry in history] == ["PartnershipProposed", "InvitationAccepted"]
    stored = app.load(Partnership, pid)
    assert (stored.status, stored.invitations[yantai]["status"], stored.version) == ("proposed", "accepted", 2)


def test_racing_answers_of_two_invitees_both_count_and_activate_once(cast, database_url):
    """Yantai accepts while Chengdu declines, four times each: the two answers land, the partnership activates once."""
    app, yantai, chengdu = cast.programme, cast.city("yantai"), cast.city("chengdu")
    pid = str(
        app.propose_partnership(
            cast.officer("rome"), "Urban agriculture research", cast.city("rome"), [yantai, chengdu]
        ).aggregate.id
    )

    def answer(programme, index):
        if index % 2:
            return programme.accept_invitation(cast.officer("yantai"), pid, yantai)
        return programme.decline_invitation(cast.officer("chengdu"), pid, chengdu, "not this year")

    winners, losers = winners_and_losers(race(database_url, answer))
    assert len(winners) == 2
    assert all(isinstance(error, (InvitationNotPending, ConcurrencyConflict)) for error in losers)
    counts = Counter(entry.type for entry in app.history(Partnership, pid))
    assert counts == Counter(
        {"PartnershipProposed": 1, "InvitationAccepted": 1, "InvitationDeclined": 1, "PartnershipActivated": 1}
    )
    assert app.load(Partnership, pid).status == "active"


def test_racing_registrations_of_one_city_make_one_city(cast, database_url):
    app, facilitator = cast.programme, cast.facilitator
    spellings = ["Bologna", "BOLOGNA", "bologna", " Bologna "]

    outcomes = race(
        database_url,
        lambda programme, i: programme.register_city(
            facilitator, spellings[i % len(spellings)], "IT", "Europe/Rome", ["smart-city"]
        ),
    )

    winners, losers = winners_and_losers(outcomes)
    assert len(winners) == 1
    assert len(losers) == THREADS - 1
    assert all(isinstance(error, Duplicate) for error in losers)
    registered = [e for e in events_named(app, "CityRegistered") if e.name.casefold() == "bologna"]
    assert len(registered) == 1
    assert registered[0].originator_id == winners[0].aggregate.id
    assert app.load(CityName, CityName.create_id("IT", "Bologna")).city_id == str(winners[0].aggregate.id)
    assert app.load(City, winners[0].aggregate.id).country == "IT"


def test_racing_registrations_of_one_email_make_one_user(cast, database_url):
    app, admin = cast.programme, cast.admin
    bologna = app.register_city(cast.facilitator, "Bologna", "IT", "Europe/Rome").aggregate

    outcomes = race(
        database_url,
        lambda programme, i: programme.create_user(
            admin, f"Bologna officer {i}", "officer@bologna.example", "officer", city_id=str(bologna.id)
        ),
    )

    winners, losers = winners_and_losers(outcomes)
    assert len(winners) == 1
    assert all(isinstance(error, Duplicate) for error in losers)
    registered = [e for e in events_named(app, "UserRegistered") if e.email == "officer@bologna.example"]
    assert len(registered) == 1
    winner = winners[0]
    assert app.load(UserEmail, UserEmail.create_id("officer@bologna.example")).user_id == str(winner.user.id)
    assert app.authenticate(winner.token).city_id == str(bologna.id)
    assert [str(u.id) for u in app.officers_of(str(bologna.id))] == [str(winner.user.id)]


def test_racing_registrations_of_different_officers_of_one_city_all_land(cast, database_url):
    """Different emails do not collide; the city's roster, which they all join, is retried, not lost."""
    app, admin = cast.programme, cast.admin
    bologna = str(app.register_city(cast.facilitator, "Bologna", "IT", "Europe/Rome").aggregate.id)

    outcomes = race(
        database_url,
        lambda programme, i: programme.create_user(
            admin, f"Bologna officer {i}", f"officer{i}@bologna.example", "officer", city_id=bologna
        ),
    )

    winners, losers = winners_and_losers(outcomes)
    assert losers == [] or all(isinstance(error, ConcurrencyConflict) for error in losers)
    for issued in winners:
        assert app.authenticate(issued.token).user_id == str(issued.user.id)
        assert app.load(User, issued.user.id).email == issued.user.email
    assert sorted(str(u.id) for u in app.officers_of(bologna)) == sorted(str(w.user.id) for w in winners)
    assert len(winners) >= THREADS // 2
