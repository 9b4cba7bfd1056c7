"""What was known when: aggregates read as of an instant, on both stores.

Recording time is the event's timestamp (UTC, set by the store's side when the event is
recorded); business dates (signed_on, due_on) are data and stay as given.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from domain.errors import InvalidValue, NotFound
from domain.model.agreement import Agreement
from domain.model.city import City
from domain.model.partnership import Partnership
from tests.support.cast import build_programme

MICRO = timedelta(microseconds=1)
CST = timezone(timedelta(hours=8))


def test_partnership_as_of_before_and_after_its_acceptance(cast):
    app, yantai = cast.programme, cast.city("yantai")
    pid = str(
        app.propose_partnership(
            cast.officer("rome"), "Urban agriculture research", cast.city("rome"), [yantai], ["urban-agriculture"]
        ).aggregate.id
    )
    app.accept_invitation(cast.officer("yantai"), pid, yantai)
    proposed, accepted, activated = (entry.recorded_at for entry in app.history(Partnership, pid))

    with pytest.raises(NotFound):
        app.load_as_of(Partnership, pid, proposed - MICRO)
    as_proposed = app.load_as_of(Partnership, pid, proposed)
    assert (as_proposed.status, as_proposed.version, as_proposed.invitations[yantai]["status"]) == (
        "proposed",
        1,
        "pending",
    )
    assert app.load_as_of(Partnership, pid, accepted - MICRO).status == "proposed"
    assert app.load_as_of(Partnership, pid, activated).status == "active"
    now = app.load_as_of(Partnership, pid, datetime.now(UTC) + timedelta(seconds=1))
    assert (now.status, now.version) == ("active", 3)


def test_as_of_reads_the_same_instant_whatever_its_offset(cast):
    app, yantai = cast.programme, cast.city("yantai")
    pid = str(
        app.propose_partnership(cast.officer("rome"), "Urban agriculture", cast.city("rome"), [yantai]).aggregate.id
    )
    app.accept_invitation(cast.officer("yantai"), pid, yantai)
    accepted = app.history(Partnership, pid)[1].recorded_at
    in_yantai = (accepted - MICRO).astimezone(CST)
    assert in_yantai.utcoffset() == timedelta(hours=8)
    assert app.load_as_of(Partnership, pid, in_yantai).status == "proposed"
    assert (
        app.load_as_of(Partnership, pid, accepted.astimezone(CST) + MICRO).invitations[yantai]["status"] == "accepted"
    )


def test_as_of_needs_an_aware_instant_and_the_right_kind_of_aggregate(cast):
    app = cast.programme
    with pytest.raises(InvalidValue) as refused:
        app.load_as_of(City, cast.city("rome"), datetime(2030, 1, 1))
    assert refused.value.field == "as_of"
    with pytest.raises(NotFound):
        app.load_as_of(Partnership, cast.city("rome"), datetime.now(UTC))
    with pytest.raises(NotFound):
        app.load_as_of(City, "00000000-0000-0000-0000-000000000000", datetime.now(UTC))


def test_business_dates_stay_as_given_while_recording_time_is_now(cast, clock):
    """Signed in October 2020, recorded today; the programme's own clock does not move recording time."""
    app = cast.programme
    clock.current = datetime(2020, 11, 2, 10, 0, tzinfo=UTC)
    aid = str(
        app.draft_agreement(
            cast.officer("yantai"),
            "Yantai University – Tuscia University MoU",
            "mou",
            [
                {"name": "Yantai University", "city_id": cast.city("yantai")},
                {"name": "Tuscia University", "city_id": cast.city("rome")},
            ],
            ["urban-agriculture"],
        ).aggregate.id
    )
    before = datetime.now(UTC)
    app.sign_agreement(cast.officer("yantai"), aid, "Yantai University", date(2020, 10, 29))
    app.sign_agreement(cast.officer("rome"), aid, "Tuscia University", date(2020, 10, 30))
    after = datetime.now(UTC)

    history = app.history(Agreement, aid)
    assert [e.type for e in history] == ["AgreementDrafted", "PartySigned", "PartySigned", "AgreementInForce"]
    assert [e.data.get("signed_on") for e in history[1:3]] == [date(2020, 10, 29), date(2020, 10, 30)]
    assert history[3].data["in_force_on"] == date(2020, 10, 30)
    for entry in history[1:]:
        assert entry.recorded_at.utcoffset() == timedelta(0)
        assert before - timedelta(seconds=1) <= entry.recorded_at <= after + timedelta(seconds=1)

    known_then = app.load_as_of(Agreement, aid, history[2].recorded_at - MICRO)
    assert (known_then.status, known_then.unsigned_parties) == ("drafted", ["Tuscia University"])
    assert known_then.party("Yantai University")["signed_on"] == date(2020, 10, 29)
    known_now = app.load(Agreement, aid)
    assert (known_now.status, known_now.in_force_on) == ("in_force", date(2020, 10, 30))


def test_long_history_is_read_as_of_any_instant_through_snapshots(cast, database_url):
    """Rome's profile updated 130 times: 131 events, snapshots at versions 50 and 100."""
    app, rome = cast.programme, cast.city("rome")
    officer = cast.officer("rome")
    for n in range(1, 131):
        app.update_city(officer, rome, {"population": 2_800_000 + n})

    current = app.load(City, rome)
    assert (current.version, current.population) == (131, 2_800_130)
    assert [s.originator_version for s in app.snapshots.get(current.id)] == [50, 100]

    times = {entry.version: entry.recorded_at for entry in app.history(City, rome)}
    assert len(times) == 131
    assert all(times[v] < times[v + 1] for v in range(1, 131)), "recording times strictly increase"

    def population_at(version: int) -> int | None:
        return None if version == 1 else 2_800_000 + version - 1

    fresh = build_programme(database_url)  # reads from the store, not from anything cached in ``app``
    try:
        for version in (1, 2, 49, 50, 51, 99, 100, 101, 130, 131):
            city = fresh.load_as_of(City, rome, times[version])
            assert (city.version, city.population) == (version, population_at(version))
            if version > 1:
                just_before = fresh.load_as_of(City, rome, times[version] - MICRO)
                assert (just_before.version, just_before.population) == (version - 1, population_at(version - 1))
        with pytest.raises(NotFound):
            fresh.load_as_of(City, rome, times[1] - MICRO)
    finally:
        fresh.close()
