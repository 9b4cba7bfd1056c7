"""User: officers, facilitators, auditors and admins, and their bearer tokens (stored only as hashes)."""

from __future__ import annotations

import pytest

from domain.application import hash_token
from domain.errors import Duplicate, InvalidValue, NotAuthenticated, PermissionDenied, UnknownReference
from domain.model.indexes import TokenOwner
from domain.model.user import User, UserDeactivatedError


def test_officer_needs_a_city(people):
    app = people.programme
    before = app.recorder.max_notification_id()
    with pytest.raises(InvalidValue) as refused:
        app.create_user(people.admin, "Officer without a city", "nobody@rome.example", "officer")
    assert refused.value.field == "city_id"
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize("role", ["facilitator", "auditor", "admin"])
def test_only_officers_belong_to_a_city(people, role):
    with pytest.raises(InvalidValue) as refused:
        people.programme.create_user(people.admin, "Staff", "staff@iuc.example", role, city_id=people.city("rome"))
    assert refused.value.field == "city_id"


@pytest.mark.parametrize("role", ["mayor", "Officer", "", "system"])
def test_unknown_role_is_refused(people, role):
    with pytest.raises(InvalidValue) as refused:
        people.programme.create_user(people.admin, "Someone", "someone@iuc.example", role)
    assert refused.value.field == "role"


def test_officer_city_must_exist(people):
    with pytest.raises(UnknownReference) as refused:
        people.programme.create_user(
            people.admin, "Officer", "o@x.example", "officer", city_id="00000000-0000-0000-0000-000000000000"
        )
    assert refused.value.field == "city_id"


@pytest.mark.parametrize("email", ["officer@rome.example", "OFFICER@Rome.Example", " officer@rome.example "])
def test_email_is_unique_whatever_its_case(people, email):
    app = people.programme
    before = app.recorder.max_notification_id()
    with pytest.raises(Duplicate):
        app.create_user(people.admin, "Second Rome officer", email, "officer", city_id=people.city("rome"))
    assert app.recorder.max_notification_id() == before


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "@rome.example", "two words@rome.example", ""])
def test_email_must_look_like_one(people, email):
    with pytest.raises(InvalidValue) as refused:
        people.programme.create_user(people.admin, "Someone", email, "auditor")
    assert refused.value.field == "email"


def test_new_user_gets_a_token_that_authenticates_with_role_and_city(people):
    app = people.programme
    issued = app.create_user(
        people.admin, "Chengdu second officer", "second@chengdu.example", "officer", city_id=people.city("chengdu")
    )
    principal = app.authenticate(issued.token)
    assert (principal.user_id, principal.role, principal.city_id, principal.name) == (
        str(issued.user.id),
        "officer",
        people.city("chengdu"),
        "Chengdu second officer",
    )


def test_tokens_are_stored_only_as_hashes(people):
    app = people.programme
    issued = app.create_user(people.admin, "Auditor two", "auditor2@iuc.example", "auditor")
    user = app.load(User, issued.user.id)
    assert user.token_hashes == [hash_token(issued.token)]
    notifications = app.recorder.select_notifications(1, 10_000)
    assert all(issued.token.encode() not in n.state for n in notifications)
    assert app.load(TokenOwner, TokenOwner.create_id(hash_token(issued.token))).user_id == str(issued.user.id)


def test_revoked_token_no_longer_authenticates(people):
    app = people.programme
    issued = app.create_user(people.admin, "Auditor two", "auditor2@iuc.example", "auditor")
    second = app.issue_token(people.admin, str(issued.user.id))
    assert app.authenticate(second.token).user_id == str(issued.user.id)
    revoked = app.revoke_tokens(people.admin, str(issued.user.id)).aggregate
    assert revoked.token_hashes == []
    for token in (issued.token, second.token):
        with pytest.raises(NotAuthenticated):
            app.authenticate(token)
    fresh = app.issue_token(people.admin, str(issued.user.id))
    assert app.authenticate(fresh.token).role == "auditor"
    with pytest.raises(NotAuthenticated):
        app.authenticate(issued.token)


def test_revoking_when_no_token_is_held_records_nothing(people):
    app = people.programme
    issued = app.create_user(people.admin, "Auditor two", "auditor2@iuc.example", "auditor")
    app.revoke_tokens(people.admin, str(issued.user.id))
    version = app.load(User, issued.user.id).version
    again = app.revoke_tokens(people.admin, str(issued.user.id))
    assert (again.aggregate.version, again.position) == (version, None)


def test_deactivated_user_cannot_authenticate(people):
    app = people.programme
    issued = app.create_user(
        people.admin, "Rome second officer", "second@rome.example", "officer", city_id=people.city("rome")
    )
    deactivated = app.deactivate_user(people.admin, str(issued.user.id)).aggregate
    assert (deactivated.active, deactivated.token_hashes) == (False, [])
    with pytest.raises(NotAuthenticated):
        app.authenticate(issued.token)
    with pytest.raises(UserDeactivatedError):
        app.issue_token(people.admin, str(issued.user.id))
    with pytest.raises(UserDeactivatedError):
        app.deactivate_user(people.admin, str(issued.user.id))
    assert not app.load(User, issued.user.id).holds(hash_token(issued.token))


@pytest.mark.parametrize("token", ["", "unknown-token", "x" * 513])
def test_unknown_or_malformed_token_does_not_authenticate(people, token):
    with pytest.raises(NotAuthenticated):
        people.programme.authenticate(token)


def test_bootstrapping_the_admin_twice_creates_one_admin(people):
    app = people.programme
    before = app.recorder.max_notification_id()
    again = app.ensure_admin("admin-token-for-unit-tests-" + "x" * 24)  # the token conftest.py bootstraps
    assert again == people.admin
    assert app.recorder.max_notification_id() == before
    with pytest.raises(Duplicate):
        app.create_user(people.admin, "Another admin", "admin@twinning.local", "admin")


def test_users_read_themselves_and_only_admins_and_auditors_read_others(people):
    app = people.programme
    rome, yantai = people.officer("rome"), people.officer("yantai")
    assert app.user(rome, rome.user_id).email == "officer@rome.example"
    with pytest.raises(PermissionDenied):
        app.user(rome, yantai.user_id)
    with pytest.raises(PermissionDenied):
        app.user(people.facilitator, yantai.user_id)
    assert app.user(people.auditor, yantai.user_id).city_id == people.city("yantai")
    assert app.user(people.admin, yantai.user_id).role == "officer"
