"""Production as the Procfile runs it: honcho starts gunicorn, the RQ worker, the dispatcher and
the projector on a fresh PostgreSQL database, the run's Redis db and a real SMTP server.

A session scheduled over HTTP gets its reminder mail, with its .ics, at the SMTP server;
SIGTERM to honcho stops every process cleanly. Starting four processes at once on a
fresh database is itself the table-creation race the schema lock exists for.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import ADMIN_TOKEN, BIN, ROOT, Api, base_env, free_port, iso_in, pids_gone, wait_until

pytestmark = pytest.mark.slow


def test_procfile_processes_deliver_a_reminder_by_smtp(tmp_path, processes, fresh_database, redis_url, smtp_server):
    port = free_port()
    env = base_env(
        TWINNING_DATABASE=fresh_database,
        REDIS_URL=redis_url,
        SMTP_URL=smtp_server.url,
        PORT=str(port),
        TWINNING_MODE="production",
        TWINNING_SECRET="e2e-production-secret",
        TWINNING_ADMIN_TOKEN=ADMIN_TOKEN,
        MEETING_REMINDER_OFFSETS="3s",
        TWINNING_VAR_DIR=str(tmp_path / "var"),
        TWINNING_MAIL_FROM="programme@iuc.example",
        WEB_CONCURRENCY="2",
    )
    honcho = processes.start(
        [BIN / "honcho", "start", "-f", ROOT / "Procfile", "-d", ROOT], ROOT, env, tmp_path / "honcho.log"
    )
    api = Api(f"http://127.0.0.1:{port}")
    api.wait_up(honcho, timeout=45)
    wait_until(
        lambda: all(f"{name}.1 started" in honcho.output() for name in ("web", "worker", "dispatcher", "projector")),
        10,
        what="every Procfile process started",
    )
    health = api.get("/healthz")
    assert health["status"] == "ok" and health["redis"]["ok"], health

    facilitator = api.user(ADMIN_TOKEN, "facilitator", "facilitator@e2e.example")
    rome = api.city(facilitator, "Rome", "IT", "Europe/Rome")
    yantai = api.city(facilitator, "Yantai", "CN", "Asia/Shanghai")
    rome_officer = api.user(ADMIN_TOKEN, "officer", "officer@rome.example", rome)
    yantai_officer = api.user(ADMIN_TOKEN, "officer", "officer@yantai.example", yantai)
    partnership = api.post(
        "/api/v1/partnerships",
        rome_officer,
        {
            "title": "Urban agriculture exchange",
            "proposer_city_id": rome,
            "invited_city_ids": [yantai],
            "themes": ["urban-agriculture"],
        },
    )
    api.post(f"/api/v1/partnerships/{partnership['id']}/accept", yantai_officer, {"city_id": yantai}, 200)
    meeting = api.post(
        "/api/v1/meetings",
        facilitator,
        {
            "title": "Kick-off",
            "kind": "online",
            "starts_at": iso_in(15),  # the one worker first sends the invitation, answer and activation notices
            "duration_minutes": 60,
            "invited_city_ids": [rome, yantai],
            "partnership_id": partnership["id"],
        },
    )

    mail = smtp_server.wait_for("officer@yantai.example", kind="meeting_reminder", timeout=30)[0]
    assert "programme@iuc.example" in str(mail["From"])
    calendar = next(p for p in mail.walk() if p.get_content_type() == "text/calendar")
    ics = calendar.get_content()
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert "BEGIN:VCALENDAR" in ics and "METHOD:REQUEST" in ics and meeting["id"] in ics
    smtp_server.wait_for("officer@rome.example", kind="meeting_reminder", timeout=10)
    # The inbox (a read model fed by the projector process) has it too.
    wait_until(
        lambda: api.inbox(yantai_officer, "meeting_reminder", meeting["id"]), 10, 0.2, "the reminder in the inbox"
    )

    children = [int(pid) for pid in re.findall(r"started \(pid=(\d+)\)", honcho.output())]
    assert len(children) == 4
    honcho.stop(timeout=30)
    wait_until(lambda: pids_gone(children), 15, 0.1, "every Procfile process to exit")
    log = honcho.output()
    for line in (
        "dispatcher: stopped at position",
        "views: stopped at position",
        "Shutting down: Master",
        "warm shut down requested",
    ):
        assert line in log, f"{line!r} missing:\n{log[-4000:]}"
    for name in ("web", "worker", "dispatcher", "projector"):
        assert re.search(rf"{name}\.1 stopped \(rc=0\)", log), f"{name} did not stop cleanly:\n{log[-4000:]}"
    assert "Traceback" not in log, log[-4000:]
