"""gunicorn as the production ``web`` process, started for a benchmark and stopped after it.

``config/gunicorn.py`` with ``-w 2`` (its gthread workers), bound to a free port on
127.0.0.1, against the given store; the admin is bootstrapped from a known token.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADMIN_TOKEN = "bench-admin-token-" + "z" * 30


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    token: str = ADMIN_TOKEN

    def request(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            headers = {"Authorization": f"Bearer {token or self.token}", "Content-Type": "application/json"}
            conn.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
            response = conn.getresponse()
            data = response.read()
            return response.status, (json.loads(data) if data and data[:1] in b"{[" else {})
        finally:
            conn.close()

    def workers(self) -> list[int]:
        """The pids of gunicorn's worker processes (the master's children)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []


def rss_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


@contextmanager
def gunicorn(database_url: str, workers: int = 2, ready_timeout: float = 90.0) -> Iterator[Server]:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="twinning-bench-web-") as var_dir:
        env = {
            **os.environ,
            # Not production: that mode refuses SQLite and an unset SMTP_URL, and the web process
            # serves the same either way (the mode only decides what is refused at start).
            "TWINNING_MODE": "test",
            "TWINNING_SECRET": "bench-secret",
            "TWINNING_DATABASE": database_url,
            "TWINNING_ADMIN_TOKEN": ADMIN_TOKEN,
            "TWINNING_VAR_DIR": var_dir,
            "TWINNING_LOG_LEVEL": "WARNING",
            "WEB_CONCURRENCY": str(workers),
            "PORT": str(port),
            "PYTHONPATH": str(ROOT),
        }
        env.pop("REDIS_URL", None)
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "config" / "gunicorn.py"),
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--access-logfile",
            "/dev/null",
            "web.wsgi:app",
        ]
        log = open(Path(var_dir) / "gunicorn.log", "wb")
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        server = Server(port, process)
        try:
            deadline = time.monotonic() + ready_timeout
            while True:
                if process.poll() is not None:
                    raise RuntimeError("gunicorn exited: " + (Path(var_dir) / "gunicorn.log").read_text()[-2000:])
                try:
                    status, _ = server.request("GET", "/api/v1/me")
                    if status == 200 and len(server.workers()) >= workers:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        "gunicorn did not answer in time: " + (Path(var_dir) / "gunicorn.log").read_text()[-2000:]
                    )
                time.sleep(0.2)
            # Every worker boots its app (post_worker_init); make sure each has answered once.
            for _ in range(4 * workers):
                server.request("GET", "/api/v1/me")
            yield server
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            log.close()
