"""The RQ worker as the Procfile starts it: its lines in the project's format, skipped jobs saying
so, and no silent death — a worker killed with SIGKILL takes its scheduler with it, so the
process manager sees the death and the next worker takes the scheduler lock at once.

On RQ's own worker class the forked scheduler outlived its worker: an orphan holding honcho's
pipe and the scheduler lock, so honcho logged nothing and no new worker could schedule."""

from __future__ import annotations

import os
import re
import shlex
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rq.scheduler import RQScheduler

from tests.e2e.conftest import ROOT, base_env, pids_gone, wait_until
from workers.scheduling import QUEUE_NAME, JobSpec, enqueue, job_id
from workers.worker import make_queue

pytestmark = pytest.mark.slow
LOCK = RQScheduler.get_locking_key(QUEUE_NAME)


def procfile_worker(redis_url: str, name: str) -> list[str]:
    """The Procfile's ``worker`` command, for this Redis and with a name of its own."""
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("worker:"))
    args = shlex.split(line.split(":", 1)[1].replace("$REDIS_URL", redis_url))
    args = args[1:] if args[0] == "exec" else args
    return [str(Path(sys.executable).with_name(args[0])), *args[1:-1], "--name", name, args[-1]]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == pid:
                found.append(int(entry.name))
    return found


def test_a_worker_killed_with_sigkill_takes_its_scheduler_along_and_frees_the_lock(
    processes, tmp_path, redis_url, database_url
):
    env = base_env(REDIS_URL=redis_url, TWINNING_DATABASE=database_url, TWINNING_MODE="test")
    doomed = processes.start(procfile_worker(redis_url, "doomed"), ROOT, env, tmp_path / "doomed.log")
    queue = make_queue(redis_url)
    wait_until(lambda: queue.connection.exists(LOCK) and children(doomed.pid), 30, 0.1, "the scheduler to start")
    (scheduler,) = children(doomed.pid)
    held_by = queue.connection.get(LOCK)

    os.kill(doomed.pid, signal.SIGKILL)  # the worker alone, as the OOM killer would
    doomed.popen.wait(10)
    try:
        wait_until(lambda: pids_gone([scheduler]), 5, 0.1, f"the orphaned scheduler {scheduler} to exit")
    except AssertionError:
        os.kill(scheduler, signal.SIGKILL)  # an orphan is no child of the test's to clean up otherwise
        raise
    assert queue.connection.get(LOCK) != held_by  # released on its way out, not left to expire

    rescuer = processes.start(procfile_worker(redis_url, "rescuer"), ROOT, env, tmp_path / "rescuer.log")
    wait_until(lambda: "Acquired scheduler lock" in rescuer.output(), 15, 0.1, "the new worker to take the lock")
    assert queue.connection.get(LOCK) not in (None, held_by)
    rescuer.stop(30)
    queue.connection.close()


def test_worker_lines_have_time_level_logger_and_job_id_and_a_skipped_reminder_says_why(
    processes, tmp_path, redis_url, database_url, cast
):
    app = cast.programme
    session = app.schedule_meeting(
        cast.facilitator,
        "Kick-off",
        "online",
        datetime.now(UTC) + timedelta(days=2),
        60,
        [cast.city("rome"), cast.city("yantai")],
    ).aggregate
    app.cancel_meeting(cast.facilitator, str(session.id), "The venue in Rome is closed")
    queue = make_queue(redis_url)
    spec = JobSpec(
        job_id("remind-meeting", session.id, 1, 3600), "workers.jobs.send_meeting_reminder", (str(session.id), 1, 3600)
    )
    assert enqueue(queue, spec)
    env = base_env(REDIS_URL=redis_url, TWINNING_DATABASE=database_url, TWINNING_MODE="test", TWINNING_LOG_LEVEL="INFO")
    worker = processes.start(procfile_worker(redis_url, "mannheim"), ROOT, env, tmp_path / "worker.log")
    wait_until(lambda: "skipped:" in worker.output(), 30, 0.1, "the reminder job to run")
    assert worker.stop(30) == 0
    lines = worker.output().strip().splitlines()
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[[^\]]+\] (DEBUG|INFO|WARNING|ERROR) +[\w.]+: ")
    assert lines and all(stamp.match(line) for line in lines), "\n".join(lines)
    (skipped,) = [line for line in lines if "skipped:" in line]
    assert f"[{spec.job_id}] INFO    workers.jobs: skipped: the session is no longer scheduled" in skipped
    queue.connection.close()
