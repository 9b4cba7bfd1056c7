"""A store written by v0.1.0's own code (tests/fixtures/v0.1.0) opens with today's code, on SQLite and
PostgreSQL: its events are upcast as they are read and never rewritten, the upgrade appends the
default programme once, and the audit chain over the old events verifies against the head v0.1.0 printed."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from eventsourcing.utils import get_topic

from config.settings import persistence_env
from domain.application import Programme
from domain.audit import verify_programme
from domain.followers import Follower
from domain.model.agreement import Agreement
from domain.model.meeting import Meeting
from domain.model.partnership import Partnership
from domain.model.programme import CooperationProgramme, programme_id_of
from domain.model.project import PilotProject
from domain.views import Views
from tests.support.services import PG_HOST, PG_PORT, PG_USER
from web import cli as twinning_cli

FIXTURE = Path(__file__).parents[1] / "fixtures" / "v0.1.0"
OLD_EVENTS = 473  # what v0.1.0 recorded (its `twinning audit head` printed 473:…)
UPCAST = {Partnership: 17, Meeting: 9, Agreement: 6, PilotProject: 16}  # created in v0.1.0, version 1 events
CREATED = {
    Partnership: Partnership.PartnershipProposed,
    Meeting: Meeting.MeetingScheduled,
    Agreement: Agreement.AgreementDrafted,
    PilotProject: PilotProject.ProjectLaunched,
}
CITIES = 32


def restore_dump(dbname: str, schema: str) -> None:
    """v0.1.0's pg_dump (schema public) restored into this test's own schema of the run's database."""
    text = (FIXTURE / "store.pg.sql").read_text(encoding="utf-8")
    text = text.replace('"public".', f'"{schema}".').replace("public.", f"{schema}.")
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER, "-d", dbname],
        input=text,
        text=True,
        check=True,
        capture_output=True,
    )


@pytest.fixture(params=["sqlite", "postgres"])
def old_store(request, tmp_path):
    """(database URL, the head v0.1.0 printed) of a fresh copy of the fixture store."""
    if request.param == "sqlite":
        shutil.copy(FIXTURE / "store.sqlite", tmp_path / "store.sqlite")
        yield f"sqlite:///{tmp_path / 'store.sqlite'}", (FIXTURE / "audit-head-sqlite.txt").read_text().strip()
        return
    run = request.getfixturevalue("postgres_run")
    schema = f"v010_{uuid.uuid4().hex[:10]}"
    run.execute(f"CREATE SCHEMA {schema}")
    try:
        restore_dump(run.dbname, schema)
        yield run.url(schema), (FIXTURE / "audit-head-postgres.txt").read_text().strip()
    finally:
        run.execute(f"DROP SCHEMA {schema} CASCADE")


def stored(app: Programme, stop: int) -> list:
    return list(app.recorder.select_notifications(1, stop, stop=stop))


def fingerprint(notifications: list) -> str:
    digest = hashlib.sha256()
    for n in notifications:
        digest.update(f"{n.id}|{n.originator_id}|{n.originator_version}|{n.topic}|".encode() + n.state)
    return digest.hexdigest()


def test_the_upgrade_from_v010_appends_a_default_programme_once_and_the_old_chain_still_verifies(old_store):
    url, kept_head = old_store
    app = Programme(env=persistence_env(url))
    try:
        old = stored(app, OLD_EVENTS)
        assert len(old) == OLD_EVENTS and app.recorder.max_notification_id() == OLD_EVENTS
        before = fingerprint(old)
        # The version 1 events of the classes that gained programme_id: upcast when read.
        for cls, count in UPCAST.items():
            created = [n for n in old if n.topic == get_topic(CREATED[cls])]
            assert len(created) == count
            assert all(b'"class_version"' not in n.state for n in created)
        assert verify_programme(app, kept_head).to_dict()["anchor"]["matches"] is True

        result = app.upgrade("default", "Default programme")

        pid = str(programme_id_of("default"))
        assert result.to_dict() == {
            "programme_id": pid,
            "launched": True,
            "cities_joined": CITIES,
            "assigned": {cls.__name__: count for cls, count in UPCAST.items()},
            "events_scanned": 80,  # 32 cities + 48 others created before the first programme
            "events_appended": 3 + CITIES + sum(UPCAST.values()),  # launched, registry opened+entered
        }
        assert fingerprint(stored(app, OLD_EVENTS)) == before  # appended, never rewritten
        again = app.upgrade("default", "Default programme")
        assert again.events_appended == 0 and not again.launched
        assert app.recorder.max_notification_id() == OLD_EVENTS + result.events_appended

        verified = verify_programme(app, kept_head).to_dict()
        assert verified["ok"] is True
        assert verified["events_checked"] == OLD_EVENTS + result.events_appended
        assert verified["anchor"] == {**verified["anchor"], "matches": True, "position": OLD_EVENTS}

        programme = app.load(CooperationProgramme, pid)
        assert programme.code == "default" and len(programme.city_ids) == CITIES
        assert programme.regions == ["east-asia", "europe"]
        for n in old:
            for cls in UPCAST:
                if n.topic == get_topic(CREATED[cls]):
                    assert app.load(cls, n.originator_id).programme_id == pid
        _views_show_the_default_programme(url, app, pid)
        _new_commands_resolve_to_it(app, pid, old)
    finally:
        app.close()


def _views_show_the_default_programme(url: str, app: Programme, pid: str) -> None:
    views = Views(persistence_env(url), log=app)
    try:
        Follower(app, views).run_once()
        shown = views.programme(pid)
        assert shown["name"] == "Default programme" and len(shown["city_ids"]) == CITIES
        assert len(views.partnerships(programme_id=pid, limit=100)["items"]) == UPCAST[Partnership]
        assert len(views.meetings(programme_id=pid, limit=100)["items"]) == UPCAST[Meeting]
        assert len(views.agreements(programme_id=pid, limit=100)["items"]) == UPCAST[Agreement]
        assert len(views.projects(programme_id=pid, limit=100)["items"]) == UPCAST[PilotProject]
    finally:
        views.close()


def _new_commands_resolve_to_it(app: Programme, pid: str, old: list) -> None:
    """After the upgrade a new partnership of two old cities lands in the default programme."""
    from domain.access import SYSTEM
    from domain.model.city import City

    cities = [app.load(City, n.originator_id) for n in old if n.topic == get_topic(City.CityRegistered)]
    europe = next(c for c in cities if c.country == "IT")
    china = next(c for c in cities if c.country == "CN")
    proposed = app.propose_partnership(SYSTEM, "After the upgrade", str(europe.id), [str(china.id)], ["mobility"])
    assert proposed.aggregate.programme_id == pid


def test_twinning_upgrade_prints_its_figures_and_a_second_run_appends_nothing(monkeypatch, tmp_path):
    shutil.copy(FIXTURE / "store.sqlite", tmp_path / "store.sqlite")
    for name in ("REDIS_URL", "SMTP_URL", "TWINNING_ADMIN_TOKEN", "TWINNING_MODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWINNING_DATABASE", f"sqlite:///{tmp_path / 'store.sqlite'}")
    monkeypatch.setenv("TWINNING_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("TWINNING_DEFAULT_PROGRAMME", "iuc-asia-archive")
    monkeypatch.setenv("TWINNING_DEFAULT_PROGRAMME_NAME", "IUC Asia (from v0.1.0)")
    monkeypatch.setattr(twinning_cli.common, "configure_logging", lambda level=None: None)

    first = CliRunner().invoke(twinning_cli.cli, ["upgrade"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "83 events appended" in first.output and "'iuc-asia-archive' launched" in first.output
    second = CliRunner().invoke(twinning_cli.cli, ["upgrade", "--json"], catch_exceptions=False)
    assert second.exit_code == 0, second.output
    assert '"events_appended": 0' in second.output
    head = (FIXTURE / "audit-head-sqlite.txt").read_text().strip()
    verified = CliRunner().invoke(twinning_cli.cli, ["audit", "verify", "--head", head], catch_exceptions=False)
    assert verified.exit_code == 0 and "matches" in verified.output, verified.output
