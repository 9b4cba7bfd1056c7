"""End-to-end helpers: real processes (``twinning serve``, honcho with the Procfile) driven over HTTP.

Every process is started in a session of its own with its output in a file, and is
killed (its whole process group) at teardown whatever happened, so a failing test
leaves nothing running. Waits are polls with deadlines, never long sleeps.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from tests.support.services import PG_HOST, PG_PORT, PG_USER
from tests.support.workers import free_port, wait_until

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ADMIN_TOKEN = "e2e-admin-token-" + "a" * 32
_OURS = (
    "TWINNING_",
    "REDIS_URL",
    "SMTP_URL",
    "MEETING_REMINDER_OFFSETS",
    "INVITATION_NUDGE_AFTER",
    "PORT",
    "WEB_CONCURRENCY",
    "GUNICORN_",
)

__all__ = ["ADMIN_TOKEN", "BIN", "ROOT", "Api", "Proc", "base_env", "free_port", "iso_in", "pids_gone", "wait_until"]


def base_env(**settings: str) -> dict[str, str]:
    """This environment without any twinning setting of the caller's, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(settings)
    return env


class Proc:
    """A process in a session of its own; output (stdout and stderr) in ``log_path``."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str], log_path: Path) -> None:
        self.args, self.log_path = args, log_path
        self._log = open(log_path, "ab")
        self.popen = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal_group(self, signum: int = signal.SIGTERM) -> None:
        try:
            os.killpg(self.popen.pid, signum)
        except ProcessLookupError:
            pass

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM to the process group; its exit code (after a SIGKILL if it did not stop in time)."""
        self.signal_group(signal.SIGTERM)
        return self.wait(timeout)

    def wait(self, timeout: float) -> int:
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.signal_group(signal.SIGKILL)
            self.popen.wait(10)
            raise AssertionError(f"{self.args[0]} did not stop within {timeout}s:\n{self.output()[-4000:]}") from None
        finally:
            self._log.close()

    def kill(self) -> None:
        if self.alive():
            self.signal_group(signal.SIGKILL)
            self.popen.wait(10)
        self._log.close()


@pytest.fixture
def processes():
    """Start processes with ``processes.start(...)``; all are killed at teardown."""
    started: list[Proc] = []

    class Starter:
        def start(self, args: list[str], cwd: Path, env: dict[str, str], log_path: Path) -> Proc:
            proc = Proc([str(a) for a in args], cwd, env, log_path)
            started.append(proc)
            return proc

    yield Starter()
    for proc in started:
        proc.kill()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


class Api:
    """JSON over real HTTP (urllib), with a bearer token per call."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def call(self, method: str, path: str, token: str | None = None, body: Any = None, timeout: float = 10) -> Answer:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                raw, status, headers = response.read(), response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            raw, status, headers = error.read(), error.code, dict(error.headers)
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode("utf-8", "replace")
        return Answer(status, headers, parsed)

    def get(self, path: str, token: str | None = None) -> Any:
        answer = self.call("GET", path, token)
        assert answer.status == 200, (path, answer.status, answer.body)
        return answer.body

    def post(self, path: str, token: str, body: Any, status: int = 201) -> Any:
        answer = self.call("POST", path, token, body)
        assert answer.status == status, (path, answer.status, answer.body)
        return answer.body

    def up(self) -> bool:
        try:
            return self.call("GET", "/healthz", timeout=2).status == 200
        except (OSError, urllib.error.URLError):
            return False

    def wait_up(self, proc: Proc, timeout: float = 30.0) -> None:
        def ready() -> bool:
            if not proc.alive():
                raise AssertionError(f"the process exited ({proc.popen.returncode}):\n{proc.output()[-4000:]}")
            return self.up()

        wait_until(ready, timeout, interval=0.1, what=f"{self.base_url}/healthz")

    # -- the story's steps ----------------------------------------------------------------------

    def user(self, admin: str, role: str, email: str, city_id: str | None = None) -> str:
        body = {"name": email.split("@")[0], "email": email, "role": role}
        if city_id:
            body["city_id"] = city_id
        return self.post("/api/v1/users", admin, body)["token"]

    def city(self, facilitator: str, name: str, country: str, tz: str) -> str:
        body = {
            "name": name,
            "country": country,
            "timezone": tz,
            "themes_offered": ["urban-agriculture"],
            "themes_sought": ["smart-city"],
        }
        return self.post("/api/v1/cities", facilitator, body)["id"]

    def inbox(self, token: str, kind: str | None = None, subject_id: str | None = None) -> list[dict]:
        items = self.get("/api/v1/me/notifications?limit=100", token)["items"]
        return [
            n
            for n in items
            if (kind is None or n["kind"] == kind) and (subject_id is None or n["subject"]["id"] == subject_id)
        ]


def create_database() -> tuple[str, str]:
    """A fresh PostgreSQL database of its own: (name, URL)."""
    import psycopg

    name = f"twinning_e2e_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True, connect_timeout=3
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        from tests.support.services import service_missing

        service_missing("PostgreSQL at 127.0.0.1:5432")
    return name, f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_database():
    name, url = create_database()
    yield url
    drop_database(name)


def pids_gone(pids: list[int]) -> bool:
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        except PermissionError:
            return False
        # a zombie is gone for our purposes
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                if stat.read().split(")")[-1].split()[0] == "Z":
                    continue
        except OSError:
            continue
        return False
    return True


def iso_in(seconds: float) -> str:
    from datetime import datetime, timedelta

    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat(timespec="seconds")
