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

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rq import SimpleWorker

from config.settings import persistence_env
from domain.views import Views
from tests.reliability.conftest import ROOT, child_env, events_named, free_port, twinning_command, wait_until
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


def _spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill9(process: subprocess.Popen) -> None:
    """SIGKILL to the process and every descendant, as a machine failure would: an RQ worker's work
    horse puts itself in a process group of its own, so the worker's group alone would miss it."""
    for pid in [process.pid, *_descendants(process.pid)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(10)
    assert process.returncode == -signal.SIGKILL


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
    runner = _spawn([sys.executable, "-c", PROJECTOR_RUNNER, str(flag)], env, tmp_path / "runner.log")
    try:
        wait_until(
            flag.exists, timeout=60, what=f"the projector to be inside its second batch ({(tmp_path / 'runner.log')})"
        )
    finally:
        _kill9(runner)
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
    runner = _spawn([sys.executable, "-c", DISPATCHER_RUNNER, str(flag)], env, tmp_path / "runner.log")
    try:
        wait_until(flag.exists, timeout=60, what="the dispatcher to have enqueued its batch")
    finally:
        _kill9(runner)

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


class StallingSmtp:
    """Accepts connections and never says a word: an SMTP client waits for the greeting."""

    def __init__(self) -> None:
        self.port = free_port()
        self.server = socket.create_server(("127.0.0.1", self.port))
        self.server.settimeout(0.2)
        self.connections: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections.append(connection)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        for connection in self.connections:
            connection.close()
        self.server.close()


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
    stalling = StallingSmtp()
    env = child_env(
        TWINNING_DATABASE=database_url,
        REDIS_URL=redis_url,
        TWINNING_MODE="test",
        SMTP_URL=f"smtp://127.0.0.1:{stalling.port}",
    )
    rq = str(Path(sys.executable).with_name("rq"))
    worker = _spawn(
        [rq, "worker", "--with-scheduler", "--url", redis_url, "--name", "doomed", "twinning"],
        env,
        tmp_path / "worker.log",
    )
    try:
        wait_until(
            lambda: stalling.connections,
            timeout=60,
            what=f"the job to be sending its first email ({tmp_path / 'worker.log'})",
        )
    finally:
        _kill9(worker)
        stalling.close()
    job = queue.fetch_job(spec.job_id)
    assert job.get_status() == "started"  # abandoned, mid-job
    assert len(events_named(app, "NotificationSent")) == 1  # the first delivery was recorded …
    assert job.meta.get("undelivered")  # … and its email written ahead
    assert smtp_server.messages == []

    # Two RQ timers now run out, and the test makes them run out at once rather than wait:
    # - the killed worker's scheduler lock (61 s) — until it expires no other worker moves
    #   scheduled jobs (the retry) onto the queue;
    # - the abandoned job's heartbeat (≥ 60 s), after which a worker's maintenance (every
    #   --maintenance-interval, 10 minutes by default) retries it: that maintenance is run here
    #   as of 2 minutes from now.
    for key in queue.connection.scan_iter("rq:scheduler-lock:*"):
        queue.connection.delete(key)
    queue.started_job_registry.cleanup(timestamp=time.time() + 120)
    assert job.get_status(refresh=True) in ("scheduled", "queued")  # retried, not failed
    rescuer = _spawn(
        [rq, "worker", "--with-scheduler", "--url", redis_url, "--name", "rescuer", "twinning"],
        child_env(TWINNING_DATABASE=database_url, REDIS_URL=redis_url, TWINNING_MODE="test", SMTP_URL=smtp_server.url),
        tmp_path / "rescuer.log",
    )
    try:
        wait_until(
            lambda: queue.fetch_job(spec.job_id).get_status() == "finished",
            timeout=60,
            what=f"the retried job to finish ({tmp_path / 'rescuer.log'})",
        )
    finally:
        rescuer.send_signal(signal.SIGTERM)
        rescuer.wait(15)
    keys = [e.key for e in events_named(app, "NotificationSent")]
    assert len(keys) == len(set(keys)) == 2  # one per officer, recorded once
    mails = Counter(str(m["To"]).rsplit("<", 1)[-1].rstrip(">") for m in smtp_server.messages)
    assert mails == Counter({"officer@rome.example": 1, "officer@yantai.example": 1}), mails
    assert queue.fetch_job(spec.job_id).meta.get("undelivered") == {}
