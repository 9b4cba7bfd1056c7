"""The personal-data keys on both stores: a wrong master key is refused at start-up, a lost key table is
said in one line, and a store written before encryption is erased as far as it can be, saying where
its plain text remains."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest
from click.testing import CliRunner
from eventsourcing.persistence import Mapper

from config.settings import persistence_env
from domain.access import SYSTEM
from domain.application import Programme
from domain.audit import verify_programme
from domain.model.agreement import Agreement
from domain.model.indexes import UserEmail
from domain.model.user import User
from domain.privacy.keys import ERASURES, KEYRING, KEYS, KeyTableLost, WrongMasterKey
from domain.privacy.personal import pseudonym
from domain.storage import Storage
from tests.support.cast import build_programme, enrol
from web import cli as twinning_cli

NAME, EMAIL = "Marco Bellini", "marco.bellini@comune.roma.example"


class BeforeEncryption(Programme):
    """The programme as it was before this change: the library's mapper, personal fields in plain text."""

    name = "Programme"  # the same tables

    def construct_mapper(self):
        return Mapper(super().construct_mapper().transcoder)


def drop_key_tables(programme: Programme) -> None:
    with Storage(programme.factory.datastore).transaction(commit=True) as db:
        for table in (KEYS, ERASURES, KEYRING):
            db.run(f"DROP TABLE IF EXISTS {table}")


def cli(monkeypatch, database_url: str, **env: str):
    monkeypatch.setenv("TWINNING_DATABASE", database_url)
    for name in ("TWINNING_SECRET", "TWINNING_DATA_KEY", "TWINNING_MODE", "REDIS_URL", "SMTP_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(twinning_cli.common, "configure_logging", lambda level=None: None)
    return CliRunner().invoke(twinning_cli.cli, ["audit", "verify"])


def one_line_error(result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert all(word in lines[0] for word in words), lines[0]


def test_a_wrong_master_key_is_refused_at_start_up(database_url, monkeypatch):
    first = build_programme(database_url, TWINNING_DATA_KEY="rome-key-one")
    issued = first.create_user(SYSTEM, NAME, EMAIL, "admin", token="t" * 40)
    first.close()
    with pytest.raises(WrongMasterKey):
        build_programme(database_url, TWINNING_DATA_KEY="another-key")
    one_line_error(
        cli(monkeypatch, database_url, TWINNING_DATA_KEY="another-key"), "WrongMasterKey", "TWINNING_DATA_KEY"
    )
    again = build_programme(database_url, TWINNING_DATA_KEY="rome-key-one")
    try:
        assert again.load(User, issued.user.id).name == NAME
    finally:
        again.close()
    assert cli(monkeypatch, database_url, TWINNING_DATA_KEY="rome-key-one").exit_code == 0


def test_a_lost_key_table_is_said_in_one_line(database_url, monkeypatch):
    app = build_programme(database_url)
    user_id = app.create_user(SYSTEM, NAME, EMAIL, "admin", token="t" * 40).user.id
    # Keys lost while the programme runs (the rows gone): a read says so, it does not show "erased person".
    with Storage(app.factory.datastore).transaction(commit=True) as db:
        db.run(f"DELETE FROM {KEYS}")
    app.keys._ciphers.clear()  # as in another process, which never cached them
    with pytest.raises(KeyTableLost, match="lost or damaged"):
        app.load(User, user_id)
    # The tables gone: the next start refuses, in one line.
    drop_key_tables(app)
    app.close()
    with pytest.raises(KeyTableLost):
        build_programme(database_url)
    one_line_error(cli(monkeypatch, database_url), "KeyTableLost", "restore it from a backup")


def test_a_store_written_before_encryption_is_erased_and_says_what_stays_in_plain_text(database_url):
    old = BeforeEncryption(env=persistence_env(database_url))
    admin = old.ensure_admin("a" * 40)
    facilitator = old.authenticate(old.create_user(admin, "IUC facilitator", "fac@iuc.example", "facilitator").token)
    city_ids, officers = enrol(old, admin, facilitator, keys=("rome", "yantai"))
    marco = old.authenticate(old.create_user(admin, NAME, EMAIL, "officer", city_id=city_ids["rome"]).token)
    mou = old.draft_agreement(
        officers["yantai"],
        "Universities MoU",
        "mou",
        [
            {"name": "Yantai University", "city_id": city_ids["yantai"]},
            {"name": "Tuscia University", "city_id": city_ids["rome"]},
        ],
        ["urban-agriculture"],
    ).aggregate
    signed = old.sign_agreement(marco, str(mou.id), "Tuscia University", date(2020, 10, 30), signatory=NAME).position
    drop_key_tables(old)  # the store had none
    old.close()

    app = build_programme(database_url)
    try:
        assert app.load(User, marco.user_id).name == NAME, "an old plain event reads as it was"
        his = {UUID(marco.user_id), UserEmail.create_id(EMAIL)}
        written = [n for n in app.recorder.select_notifications(1, 1000) if n.originator_id in his]
        registered = {n.id for n in written if n.topic.endswith(("UserRegistered", "UserEmailClaimed"))}
        erasure = app.erase_person(admin, marco.user_id, "his request")
        shown = pseudonym(marco.user_id)
        assert len(registered) == 2 and erasure.plain_positions == sorted({signed, *registered})
        assert app.load(User, marco.user_id).name == shown
        (party,) = [p for p in app.load(Agreement, mou.id).parties if p["name"] == "Tuscia University"]
        assert party["signatory"] == shown, "the old plain signature reads as the pseudonym"
        history = app.history(User, marco.user_id)
        assert history[0].data["name"] == shown and history[0].data["email"] == shown
        assert verify_programme(app).ok
    finally:
        app.close()
