"""What the store holds of a personal field: ciphertext in events and snapshots, the rest as before."""

from __future__ import annotations

import copy
import json
from datetime import date

from domain.model.user import User
from domain.privacy.fields import PERSONAL_FIELDS
from domain.privacy.mapper import ENVELOPE
from domain.privacy.personal import Personal, pseudonym
from tests.support.cast import build_programme

NAME, EMAIL = "Giulia Ferraresi", "giulia.ferraresi@comune.roma.example"


def test_personal_fields_are_ciphertext_and_the_rest_is_as_before(cast, database_url):
    app = cast.programme
    issued = app.create_user(cast.admin, NAME, EMAIL, "officer", city_id=cast.city("rome"))
    (stored,) = app.recorder.select_events(issued.user.id, limit=1)
    state = json.loads(stored.state)
    assert NAME.encode() not in stored.state and EMAIL.encode() not in stored.state
    assert state["name"][ENVELOPE][0] == state["email"][ENVELOPE][0] == str(issued.user.id)
    assert state["role"] == "officer" and state["city_id"] == cast.city("rome"), "non-personal fields stay readable"
    assert stored.topic == "domain.model.user:User.UserRegistered"
    assert set(PERSONAL_FIELDS[User.UserRegistered]) == {"name", "email"}

    fresh = build_programme(database_url)  # another process: nothing cached
    try:
        user = fresh.load(User, issued.user.id)
    finally:
        fresh.close()
    assert user.name == NAME and isinstance(user.name, Personal) and user.name.subject == str(user.id)
    assert copy.deepcopy(user.name).subject == user.name.subject


def test_a_signatory_is_encrypted_under_the_key_of_the_officer_who_signed(cast):
    app, rome, yantai = cast.programme, cast.officer("rome"), cast.officer("yantai")
    parties = [
        {"name": "Yantai University", "city_id": cast.city("yantai")},
        {"name": "Tuscia University", "city_id": cast.city("rome")},
    ]
    mou = app.draft_agreement(yantai, "MoU", "mou", parties, ["urban-agriculture"]).aggregate
    app.sign_agreement(rome, str(mou.id), "Tuscia University", date(2020, 10, 30), signatory=NAME)
    stored = app.recorder.select_events(mou.id)[-1]
    assert json.loads(stored.state)["signatory"][ENVELOPE][0] == rome.user_id
    assert json.loads(stored.state)["party"] == "Tuscia University"


def test_snapshots_hold_personal_values_encrypted_and_erasure_drops_them(cast):
    app = cast.programme
    issued = app.create_user(cast.admin, NAME, EMAIL, "officer", city_id=cast.city("rome"))
    for _ in range(30):  # the 50th event of the user is snapshotted
        app.issue_token(cast.admin, str(issued.user.id))
        app.revoke_tokens(cast.admin, str(issued.user.id))
    snapshots = app.snapshots.recorder.select_events(issued.user.id)
    assert snapshots, "a snapshot was taken"
    assert all(NAME.encode() not in s.state and EMAIL.encode() not in s.state for s in snapshots)
    assert ENVELOPE.encode() in snapshots[-1].state
    fresh = app.load(User, issued.user.id)
    assert fresh.name == NAME and fresh.email == EMAIL
    app.erase_person(cast.admin, str(issued.user.id), "her request")
    assert not app.snapshots.recorder.select_events(issued.user.id), "snapshots are a cache: they go"
    assert app.load(User, issued.user.id).name == pseudonym(str(issued.user.id))


def test_every_sqlite_connection_overwrites_what_it_deletes(sqlite_url, monkeypatch):
    from config.settings import persistence_env
    from domain.storage import secure
    from domain.views import Views
    from web.idempotency import open_store

    library = secure._original

    def as_sqlite_is_built_elsewhere(pool):  # this machine's SQLite has it on by default: start from off
        connection = library(pool)
        connection._sqlite_conn.execute("PRAGMA secure_delete=OFF")
        return connection

    monkeypatch.setattr(secure, "_original", as_sqlite_is_built_elsewhere)

    app, views, answers = build_programme(sqlite_url), Views(persistence_env(sqlite_url)), open_store(sqlite_url)
    try:
        for datastore in (app.factory.datastore, views.factory.datastore, answers.storage.datastore):
            for commit in (False, True):
                with datastore.transaction(commit=commit) as cursor:
                    cursor.execute("PRAGMA secure_delete")
                    assert cursor.fetchone()[0] == 1
    finally:
        answers.close()
        views.close()
        app.close()
