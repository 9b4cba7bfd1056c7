"""kill -9 in the middle of the daily digests: the real ``rq worker --with-scheduler`` is stuck sending
the first digest to an SMTP server that never answers, and its whole process tree is killed. A
second worker retries the abandoned job: each person gets their digest exactly once.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.reliability.conftest import events_named
from tests.reliability.processes import expire_the_killed_workers_hold, kill_worker_mid_send, rescue
from tests.support.workers import dispatch, run_worker
from workers.digest_jobs import digest_spec
from workers.scheduling import enqueue

pytestmark = pytest.mark.slow

ZONES = ("Europe/Rome", "Asia/Shanghai", "America/New_York")  # one of them is between 09:00 and 23:00 now


def a_zone_in_its_day() -> str:
    """A zone whose clock has passed today's 08:00 by an hour at least: what was sent just now falls
    in the digest of its next local day (the window from today's 08:00 to tomorrow's)."""
    now = datetime.now(UTC)
    return next(zone for zone in ZONES if 9 <= now.astimezone(ZoneInfo(zone)).hour < 23)


def test_a_worker_killed_mid_digest_sends_each_persons_digest_once(
    cast, database_url, redis_url, queue, dispatcher, job_context, smtp_server, tmp_path
):
    app, zone = cast.programme, a_zone_in_its_day()
    daily = [cast.officer("rome"), cast.officer("yantai")]
    for officer in daily:
        app.change_preferences(officer, officer.user_id, email="daily", timezone=zone)
    for proposer, invited in (("chongqing", "rome"), ("mannheim", "yantai")):
        app.propose_partnership(
            cast.officer(proposer), f"Industry 4.0 with {invited}", cast.city(proposer), [cast.city(invited)]
        )
    dispatch(app, dispatcher)
    run_worker(queue)  # the invitations reach the daily officers' inboxes, not their mail
    assert not smtp_server.to("officer@rome.example") and not smtp_server.to("officer@yantai.example")

    tomorrow = (datetime.now(UTC).astimezone(ZoneInfo(zone)) + timedelta(days=1)).date()
    specs = [digest_spec(officer.user_id, tomorrow) for officer in daily]
    assert all(enqueue(queue, spec) for spec in specs)

    kill_worker_mid_send(database_url, redis_url, tmp_path, "the first digest to be on its way")
    statuses = [queue.fetch_job(spec.job_id).get_status() for spec in specs]
    assert sorted(statuses) == ["queued", "started"], statuses  # one abandoned mid-digest, one not begun
    assert len([e for e in events_named(app, "NotificationSent") if e.kind == "digest"]) == 1
    assert smtp_server.to("officer@rome.example", "digest") == []

    expire_the_killed_workers_hold(queue)
    rescue(
        database_url,
        redis_url,
        smtp_server.url,
        tmp_path,
        lambda: all(queue.fetch_job(spec.job_id).get_status() == "finished" for spec in specs),
        "both digests to be sent",
        timeout=90,
    )
    keys = [e.key for e in events_named(app, "NotificationSent") if e.kind == "digest"]
    assert len(keys) == len(set(keys)) == 2, keys  # one per person and local date, recorded once
    mails = Counter(
        str(m["To"]).rsplit("<", 1)[-1].rstrip(">") for m in smtp_server.messages if m["X-Twinning-Kind"] == "digest"
    )
    assert mails == Counter({"officer@rome.example": 1, "officer@yantai.example": 1}), mails
    for address in mails:
        (digest,) = smtp_server.to(address, "digest")
        assert "invites" in digest.get_body(("plain",)).get_content()
