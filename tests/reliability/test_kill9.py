"""kill -9: the projector and the dispatcher killed in the middle of a batch, an RQ worker killed in
the middle of a job — real processes, real SIGKILL — and every event is processed exactly once,
every notification sent exactly once.

To be sure the kill lands *inside* a batch, the first run of each follower is a small runner
(``python -c``) that does the real work and then holds its batch open (the projector: rows
written, transaction not committed; the dispatcher: jobs enqueued, tracking not recorded)
until it is killed. The restart is the real command (``twinning project`` / ``twinning
dispatch``). The RQ worker is the real ``rq worker --with-scheduler``, stuck in an SMTP
conversation with a server that never answers, and the whole process group is killed.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from rq import SimpleWorker

from config.settings import persistence_env
from domain.views import Views
from tests.reliability.conftest import ROOT, child_env, events_named, twinning_command, wait_until
from tests.reliability.processes import expire_the_killed_workers_hold, kill9, kill_worker_mid_send, rescue, spawn
from workers.scheduling import JobSpec, enqueue, job_id

pytestmark = pytest.mark.slow

PROJECTOR_RUNNER = """
import sys, threading, time, pathlib
from config.settings import Settings
from domain.followers import Follower
from domain.views import Views
from web.bootstrap import bootstrap

flag, twinning = pathlib.Path(sys.argv[1]), bootstrap(Settings.from_env())
programme, views = twinning.programme, twinning.views
applied = []
original = Views.apply

def apply(self, db, batch):
    original(self, db, batch)
    applied.append(len(batch))
    if len(applied) == 2:                      # the second batch: rows written, not committed …
        flag.write_text(str(batch[-1][0]))
        time.sleep(600)                        # … until SIGKILL

Views.apply = apply
Follower(programme, views, batch_size=40).run(threading.Event(), poll_interval=0.05)
"""

DISPATCHER_RUNNER = """
import sys, threading, time, pathlib
from config.settings import Settings
from workers import dispatcher

flag = pathlib.Path(sys.argv[1])

def hold(self, tracking):                       # every job of the batch enqueued, tracking not yet recorded …
    flag.write_text(str(tracking.notification_id))
    time.sleep(600)                            # … until SIGKILL

dispatcher.Dispatcher._before_tracking = hold
dispatcher.run_dispatcher(Settings.from_env(), threading.Event(), poll_interval=0.05)
"""


def _run(args: list[str], env: dict[str, str], timeout: float = 60) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout + done.stderr


def _lots_of_events(cast, count: int = 60) -> None:
    """Partnerships proposed and answered, sessions scheduled: a few hundred events touching every city."""
    app, cities = cast.programme, list(cast.city_ids)
    asian = [c for c in cities if c in ("yantai", "chongqing", "chengdu")]
    european = [c for c in cities if c not in asian]
    for i in range(count):
        proposer, invited = european[i % len(european)], asian[i % len(asian)]
        pid = str(
            app.propose_partnership(
                cast.officer(proposer), f"Partnership {i}", cast.city(proposer), [cast.city(invited)], ["smart-city"]
            ).aggregate.id
        )
        if i % 3:
            app.accept_invitation(cast.officer(invited), pid, cast.city(invited))
        else:
            app.decline_invitation(cast.officer(invited), pid, cast.city(invited), "not now")
        if i % 10 == 0:
            starts = datetime.now(UTC) + timedelta(days=30 + i)
            app.schedule_meeting(
                cast.facilitator, f"Session {i}", "online", starts, 60, [cast.city(proposer), cast.city(invited)]
            )


def test_the_projector_killed_mid_batch_and_restarted_processes_every_event_once(cast, database_url, tmp_path):
    _lots_of_events(cast)
    head = cast.programme.recorder.max_notification_id()
    env = child_env(TWINNING_DATABASE=database_url, TWINNING_MODE="test")
    flag = tmp_path / "in-batch"
    runner = spawn([sys.executable, "-c", PROJECTOR_RUNNER, str(flag)], env, tmp_path / "runner.log")
    try:
        wait_until(
            flag.exists, timeout=60, what=f"the projector to be inside its second batch ({(tmp_path / 'runner.log')})"
        )
    finally:
        kill9(runner)
    views = Views(persistence_env(database_url))
    try:
        first_batch_end = views.position()
        assert 0 < first_batch_end < int(flag.read_text()) < head
        with views._read() as db:  # the second batch's rows died with its transaction
            assert db.scalar("SELECT COUNT(*) FROM view_timeline WHERE position > ?", (first_batch_end,)) == 0

        _run([*twinning_command(), "project", "--once"], env)  # the real projector, restarted
        assert views.position() == head
        live = views.dump()
        assert sum(len(rows) for rows in live.values()) > head
        views.rebuild(cast.programme)
        assert views.dump() == live, "the views after a kill -9 and a restart differ from a rebuild"
    finally:
        views.close()


def test_the_dispatcher_killed_between_enqueueing_and_tracking_enqueues_nothing_twice(
    cast, database_url, redis_url, queue, job_context, smtp_server, tmp_path
):
    app = cast.programme
    starts = datetime.now(UTC) + timedelta(days=2)
    app.schedule_meeting(cast.facilitator, "Kick-off", "online", starts, 60, [cast.city("rome"), cast.city("yantai")])
    app.propose_partnership(
        cast.officer("rome"), "Urban farming", cast.city("rome"), [cast.city("yantai")], ["urban-agriculture"]
    )
    env = child_env(TWINNING_DATABASE=database_url, REDIS_URL=redis_url, TWINNING_MODE="test")
    flag = tmp_path / "in-batch"
    runner = spawn([sys.executable, "-c", DISPATCHER_RUNNER, str(flag)], env, tmp_path / "runner.log")
    try:
        wait_until(flag.exists, timeout=60, what="the dispatcher to have enqueued its batch")
    finally:
        kill9(runner)

    def jobs() -> set[str]:
        return set(queue.job_ids) | set(queue.scheduled_job_registry.get_job_ids())

    enqueued = jobs()
    assert len(enqueued) > 10  # invitations, suggestions, reminders, nudges, the weekly digest
    _run([*twinning_command(), "dispatch", "--once"], env)  # the real dispatcher, restarted
    assert jobs() == enqueued, "the restarted dispatcher enqueued a job twice, or lost one"
    head = app.recorder.max_notification_id()
    from workers.dispatcher import Dispatcher

    tracker = Dispatcher.open(app, queue, persistence_env(database_url))
    try:
        assert tracker.position() == head
    finally:
        tracker.close()
    SimpleWorker([queue], connection=queue.connection).work(burst=True, logging_level="WARNING")
    keys = [e.key for e in events_named(app, "NotificationSent")]
    assert keys and len(keys) == len(set(keys))
    sent = Counter(m["X-Twinning-Notification"] for m in smtp_server.messages)
    assert sent and all(n == 1 for n in sent.values()), sent
    assert {m["X-Twinning-Kind"] for m in smtp_server.messages} >= {"invitation", "suggestion"}


def test_an_rq_worker_killed_mid_job_has_the_job_retried_and_each_notification_sent_once(
    cast, database_url, redis_url, queue, job_context, smtp_server, tmp_path
):
    app = cast.programme
    starts = datetime.now(UTC) + timedelta(days=2)
    meeting = app.schedule_meeting(
        cast.facilitator, "Kick-off", "online", starts, 60, [cast.city("rome"), cast.city("yantai")]
    ).aggregate
    spec = JobSpec(
        job_id("invite-meeting", meeting.id, "v1"),
        "workers.jobs.send_meeting_invitation",
        (str(meeting.id), [cast.city("rome"), cast.city("yantai")], 1),
    )
    assert enqueue(queue, spec)
    kill_worker_mid_send(database_url, redis_url, tmp_path, "the job to be sending its first email")
    job = queue.fetch_job(spec.job_id)
    assert job.get_status() == "started"  # abandoned, mid-job
    assert len(events_named(app, "NotificationSent")) == 1  # the first delivery was recorded …
    assert job.meta.get("undelivered")  # … and its email written ahead
    assert smtp_server.messages == []

    expire_the_killed_workers_hold(queue)
    assert job.get_status(refresh=True) in ("scheduled", "queued")  # retried, not failed
    rescue(
        database_url,
        redis_url,
        smtp_server.url,
        tmp_path,
        lambda: queue.fetch_job(spec.job_id).get_status() == "finished",
        "the retried job to finish",
        timeout=60,
    )
    keys = [e.key for e in events_named(app, "NotificationSent")]
    assert len(keys) == len(set(keys)) == 2  # one per officer, recorded once
    mails = Counter(str(m["To"]).rsplit("<", 1)[-1].rstrip(">") for m in smtp_server.messages)
    assert mails == Counter({"officer@rome.example": 1, "officer@yantai.example": 1}), mails
    assert queue.fetch_job(spec.job_id).meta.get("undelivered") == {}
