"""A command records all of its events or none, on both stores."""

from __future__ import annotations

import pytest

from domain.application import hash_token
from domain.errors import Duplicate, StaleVersion
from domain.model.city import City
from domain.model.indexes import CityName, TokenOwner
from domain.model.partnership import Partnership
from tests.support.cast import build_programme


def log_end(app) -> int:
    return app.recorder.max_notification_id() or 0


def events_named(app, name: str) -> list:
    return [
        e
        for e in map(app.mapper.to_domain_event, app.recorder.select_notifications(1, 100_000))
        if type(e).__name__ == name
    ]


def test_city_whose_name_is_claimed_is_not_registered_at_all(cast):
    app = cast.programme
    end = log_end(app)
    with pytest.raises(Duplicate):
        app.register_city(cast.facilitator, "ROME", "IT", "Europe/Rome", ["smart-city"], population=1)
    assert log_end(app) == end
    assert [e.name for e in events_named(app, "CityRegistered") if e.country == "IT"] == ["Rome"]


def test_user_whose_email_is_taken_leaves_no_user_and_no_token(cast):
    app = cast.programme
    end = log_end(app)
    token = "a-token-that-must-never-be-recorded-" + "y" * 16
    with pytest.raises(Duplicate):
        app.create_user(
            cast.admin, "Impostor", "officer@rome.example", "officer", city_id=cast.city("rome"), token=token
        )
    assert log_end(app) == end
    assert not app.exists(TokenOwner.create_id(hash_token(token)))
    assert len(app.officers_of(cast.city("rome"))) == 1


def test_rename_refused_at_the_last_moment_changes_neither_the_city_nor_the_names(cast, database_url, monkeypatch):
    """Another process takes the new name between our check and our write: the store refuses our whole command."""
    app, rome = cast.programme, cast.city("rome")
    other = build_programme(database_url)
    claim_name = app._claim_name

    def claim_after_someone_else(country, name, city_id, actor):
        claim = claim_name(country, name, city_id, actor)  # free when we looked...
        other.register_city(cast.facilitator, name, country, "Europe/Rome")  # ...taken before we write
        return claim

    monkeypatch.setattr(app, "_claim_name", claim_after_someone_else)
    try:
        with pytest.raises(Duplicate):
            app.update_city(cast.officer("rome"), rome, {"name": "Roma", "population": 2_844_000})
        end = log_end(app)
    finally:
        other.close()
    city = app.load(City, rome)
    assert (city.name, city.population, city.version) == ("Rome", None, 1)
    assert app.load(CityName, CityName.create_id("IT", "Rome")).city_id == rome, "the old name was not released"
    assert app.load(CityName, CityName.create_id("IT", "Roma")).city_id != rome
    assert [type(e).__name__ for e in map(app.mapper.to_domain_event, app.recorder.select_notifications(end, 1))] == [
        "CityNameClaimed"
    ], "the last thing recorded is the other process's claim"


def test_stale_expected_version_raises_and_records_nothing(cast):
    app, yantai = cast.programme, cast.city("yantai")
    pid = str(
        app.propose_partnership(
            cast.officer("rome"), "Urban agriculture", cast.city("rome"), [yantai, cast.city("chengdu")]
        ).aggregate.id
    )
    app.decline_invitation(cast.officer("chengdu"), pid, cast.city("chengdu"))
    end = log_end(app)
    with pytest.raises(StaleVersion) as stale:
        app.accept_invitation(cast.officer("yantai"), pid, yantai, expected_version=1)
    assert (stale.value.expected, stale.value.actual) == (1, 2)
    assert log_end(app) == end
    assert app.load(Partnership, pid).invitations[yantai]["status"] == "pending"
    with pytest.raises(StaleVersion):
        app.update_city(cast.officer("rome"), cast.city("rome"), {"name": "Roma"}, expected_version=7)
    with pytest.raises(StaleVersion):
        app.update_city(cast.officer("rome"), cast.city("rome"), {"population": 1}, expected_version=7)
    assert log_end(app) == end
    assert app.exists(CityName.create_id("IT", "Rome")) and not app.exists(CityName.create_id("IT", "Roma"))


def test_command_with_several_events_is_recorded_in_one_piece(cast):
    """The last answer records the answer and the activation together, at consecutive log positions."""
    app, yantai = cast.programme, cast.city("yantai")
    pid = str(
        app.propose_partnership(cast.officer("rome"), "Urban agriculture", cast.city("rome"), [yantai]).aggregate.id
    )
    end = log_end(app)
    position = app.accept_invitation(cast.officer("yantai"), pid, yantai).position
    assert position == log_end(app) == end + 2
    recorded = [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(end + 1, 10)]
    assert [(type(e).__name__, e.originator_version) for e in recorded] == [
        ("InvitationAccepted", 2),
        ("PartnershipActivated", 3),
    ]
