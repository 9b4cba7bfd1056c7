"""``twinning serve`` as a user runs it: one process, real HTTP, a reminder, a restart.

The story: the admin (TWINNING_ADMIN_TOKEN) creates a facilitator and two officers; Rome
and Yantai are registered; Rome proposes, Yantai accepts; a session starting in ~6 s
gets its reminder (MEETING_REMINDER_OFFSETS=3s) in Yantai's inbox and as an .eml in
var/outbox/. Then a second session is scheduled, the process is stopped (SIGTERM) and
started again: the partnership's history is unchanged, and the second session's
reminder — scheduled before the restart, in the in-process Redis that died with it —
is still delivered, re-armed from the store.
"""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from pathlib import Path

import pytest

from tests.e2e.conftest import ADMIN_TOKEN, BIN, Api, base_env, free_port, iso_in, wait_until

pytestmark = pytest.mark.slow


def start_serve(processes, workdir: Path, port: int, env: dict[str, str], log_name: str):
    return processes.start(
        [BIN / "twinning", "serve", "--host", "127.0.0.1", "--port", str(port)], workdir, env, workdir / log_name
    )


def reminder_mails(outbox: Path, to: str, meeting_id: str) -> list[email.message.EmailMessage]:
    found = []
    for path in sorted(outbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["X-Twinning-Kind"] == "meeting_reminder" and to in str(message["To"]):
            calendars = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
            if any(meeting_id in p.get_content() for p in calendars):
                found.append(message)
    return found


def test_serve_story_reminders_survive_a_restart(tmp_path, processes):
    port = free_port()
    env = base_env(
        TWINNING_ADMIN_TOKEN=ADMIN_TOKEN,
        MEETING_REMINDER_OFFSETS="3s",
        TWINNING_SECRET="e2e-serve-secret",
        TWINNING_VAR_DIR=str(tmp_path / "var"),
    )
    outbox = tmp_path / "var" / "outbox"
    api = Api(f"http://127.0.0.1:{port}")
    serve = start_serve(processes, tmp_path, port, env, "serve-1.log")
    api.wait_up(serve)
    banner = serve.output()
    assert f"http://127.0.0.1:{port}/docs" in banner and f"http://127.0.0.1:{port}/api/v1" in banner

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
    accepted = api.post(f"/api/v1/partnerships/{partnership['id']}/accept", yantai_officer, {"city_id": yantai}, 200)
    assert accepted["status"] == "active"

    def schedule(title: str, seconds: float) -> str:
        return api.post(
            "/api/v1/meetings",
            facilitator,
            {
                "title": title,
                "kind": "online",
                "starts_at": iso_in(seconds),
                "duration_minutes": 60,
                "invited_city_ids": [rome, yantai],
                "partnership_id": partnership["id"],
            },
        )["id"]

    # A session in ~6 s: its reminder (3 s before) reaches the inbox and the outbox.
    first = schedule("Kick-off", 6)
    reminder = wait_until(
        lambda: api.inbox(yantai_officer, "meeting_reminder", first),
        20,
        0.2,
        "the first session's reminder in Yantai's inbox",
    )[0]
    assert reminder["subject"] == {"kind": "meeting", "id": first}
    assert "email" in reminder["channels"]
    mail = wait_until(
        lambda: reminder_mails(outbox, "officer@yantai.example", first),
        10,
        0.2,
        "the first reminder as an .eml in var/outbox",
    )[0]
    assert "BEGIN:VCALENDAR" in next(p for p in mail.walk() if p.get_content_type() == "text/calendar").get_content()

    # A session in ~20 s, scheduled before the restart; its invitation shows the dispatcher has
    # planned its reminder (in the in-process Redis, lost with the process).
    second = schedule("Follow-up", 20)
    wait_until(lambda: api.inbox(yantai_officer, "invitation", second), 10, 0.2, "the second session's invitation")
    history = api.get(f"/api/v1/partnerships/{partnership['id']}/history", facilitator)
    assert not api.inbox(yantai_officer, "meeting_reminder", second)

    assert serve.stop() == 0, serve.output()[-3000:]
    stopped_at = datetime.now().astimezone()
    first_log = serve.output()
    assert "stopped (queue drained: True" in first_log, first_log[-3000:]
    assert not reminder_mails(outbox, "officer@yantai.example", second)

    serve = start_serve(processes, tmp_path, port, env, "serve-2.log")
    api.wait_up(serve)
    assert api.get(f"/api/v1/partnerships/{partnership['id']}/history", facilitator) == history
    assert "the last stop was clean" in serve.output()

    late = wait_until(
        lambda: api.inbox(yantai_officer, "meeting_reminder", second),
        35,
        0.25,
        "the second session's reminder after the restart",
    )[0]
    assert datetime.fromisoformat(late["sent_at"].replace("Z", "+00:00")) > stopped_at
    wait_until(lambda: reminder_mails(outbox, "officer@yantai.example", second), 10, 0.2, "the second reminder's .eml")
    # Each reminder once per officer, restart or not.
    assert len(api.inbox(yantai_officer, "meeting_reminder")) == 2
    assert len(reminder_mails(outbox, "officer@yantai.example", first)) == 1
    assert serve.stop() == 0, serve.output()[-3000:]
