"""Processes for the kill -9 tests: spawning them, killing a whole process tree as a machine
failure would, an SMTP server that never answers, and an RQ worker killed in the middle of a
send and another that takes over the abandoned jobs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tests.reliability.conftest import ROOT, child_env, free_port, wait_until


def spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )


def descendants(pid: int) -> list[int]:
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


def kill9(process: subprocess.Popen) -> None:
    """SIGKILL to the process and every descendant, as a machine failure would: an RQ worker's work
    horse puts itself in a process group of its own, so the worker's group alone would miss it."""
    for pid in [process.pid, *descendants(process.pid)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(10)
    assert process.returncode == -signal.SIGKILL


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


def rq_worker(name: str, database_url: str, redis_url: str, smtp_url: str, log: Path) -> subprocess.Popen:
    """The real ``rq worker --with-scheduler`` of the twinning queue."""
    rq = str(Path(sys.executable).with_name("rq"))
    env = child_env(TWINNING_DATABASE=database_url, REDIS_URL=redis_url, TWINNING_MODE="test", SMTP_URL=smtp_url)
    return spawn([rq, "worker", "--with-scheduler", "--url", redis_url, "--name", name, "twinning"], env, log)


def kill_worker_mid_send(database_url: str, redis_url: str, tmp_path: Path, what: str) -> None:
    """A worker takes the queued jobs, is stuck at its first email (the server never answers),
    and its whole process tree is killed with SIGKILL."""
    stalling = StallingSmtp()
    log = tmp_path / "worker.log"
    worker = rq_worker("doomed", database_url, redis_url, f"smtp://127.0.0.1:{stalling.port}", log)
    try:
        wait_until(lambda: stalling.connections, timeout=60, what=f"{what} ({log})")
    finally:
        kill9(worker)
        stalling.close()


def expire_the_killed_workers_hold(queue) -> None:
    """Two RQ timers run out now rather than in minutes:
    - the killed worker's scheduler lock (61 s): until it expires no other worker moves
      scheduled jobs (the retry) onto the queue;
    - the abandoned job's heartbeat (at least 60 s), after which a worker's maintenance (every
      --maintenance-interval, 10 minutes by default) retries it: run here as of 2 minutes on."""
    for key in queue.connection.scan_iter("rq:scheduler-lock:*"):
        queue.connection.delete(key)
    queue.started_job_registry.cleanup(timestamp=time.time() + 120)


def rescue(
    database_url: str,
    redis_url: str,
    smtp_url: str,
    tmp_path: Path,
    done: Callable[[], bool],
    what: str,
    timeout: float,
) -> None:
    """A second worker, with a working SMTP server, runs until ``done``."""
    log = tmp_path / "rescuer.log"
    rescuer = rq_worker("rescuer", database_url, redis_url, smtp_url, log)
    try:
        wait_until(done, timeout=timeout, what=f"{what} ({log})")
    finally:
        rescuer.send_signal(signal.SIGTERM)
        rescuer.wait(15)
