"""Benchmark: a command answered → its list shows it, through the production arrangement.

gunicorn (``config/gunicorn.py``, 2 workers, as the Procfile runs it) serves a temporary store,
and the Procfile's projector (``twinning project``, its own process) feeds the views.
A client with one keep-alive connection registers a city (``POST /api/v1/cities``) and,
as soon as the command is answered, reads the directory (``GET /api/v1/cities?q=<its
name>``, without ``?after=``) again and again until the city is in it. The time from
the answer to the first list that shows the city is one sample; the table gives p50,
p95 and max over the samples (after a few warm-up ones), per store.

On PostgreSQL the projector wakes on the store's notification (``domain.listener``);
on SQLite it polls (``twinning project``'s default 0.2 s). One more PostgreSQL row runs
a projector that polls only (``--no-listen``, see ``follow`` below), to show what
listening brings. A random pause between samples (up to 1.25 poll intervals) keeps
the commands out of step with the poll cycle, so polling is measured at random moments.

    python -m bench.visibility                      # 200 samples on PostgreSQL and SQLite
    python -m bench.visibility --store postgres --samples 500
    python -m bench.visibility --quick              # a few samples, to check that it works
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from bench.report import Figure, Section, percentile, quick
from bench.server import ROOT, gunicorn
from bench.stores import temporary_store

TARGET_MS = 100.0
SAMPLES = 200
WARMUP = 5
VISIBLE_TIMEOUT = 30.0
PROJECTOR_POLL_INTERVAL = 0.2  # ``twinning project``'s default


class Client:
    """One keep-alive connection to the server, as a browser or an API client keeps it."""

    def __init__(self, port: int, token: str) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        self.conn.request(method, path, body=None if body is None else json.dumps(body), headers=self.headers)
        response = self.conn.getresponse()
        data = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path} -> {response.status} {data[:300]!r}")
        return json.loads(data) if data else {}

    def close(self) -> None:
        self.conn.close()


def sample(client: Client, name: str) -> tuple[float, float]:
    """(command ms, answered → visible ms) for one new city."""
    began = time.perf_counter()
    client.call("POST", "/api/v1/cities", {"name": name, "country": "IT", "timezone": "Europe/Rome"})
    answered = time.perf_counter()
    path = f"/api/v1/cities?q={quote(name)}"
    while not client.call("GET", path)["items"]:
        if time.perf_counter() - answered > VISIBLE_TIMEOUT:
            raise RuntimeError(f"{name} not in the directory {VISIBLE_TIMEOUT:.0f} s after the command")
    return (answered - began) * 1000, (time.perf_counter() - answered) * 1000


def process_env(database_url: str, var_dir: str) -> dict[str, str]:
    env = {
        **os.environ,
        # Not production: that mode refuses SQLite and an unset SMTP_URL, and the processes serve
        # and follow the same either way (the mode only decides what is refused at start).
        "TWINNING_MODE": "test",
        "TWINNING_SECRET": "bench-secret",
        "TWINNING_DATABASE": database_url,
        "TWINNING_VAR_DIR": var_dir,
        "TWINNING_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    return env


@contextmanager
def projector(database_url: str, listen: bool) -> Iterator[subprocess.Popen]:
    """``twinning project`` (the Procfile's projector), or with ``listen=False`` this module's polling one."""
    if listen:
        command = [sys.executable, "-m", "web.cli", "project"]
    else:
        command = [sys.executable, "-m", "bench.visibility", "--follow", database_url, "--no-listen"]
    with tempfile.TemporaryDirectory(prefix="twinning-bench-projector-") as var_dir:
        log = open(Path(var_dir) / "projector.log", "wb")
        process = subprocess.Popen(
            command, cwd=ROOT, env=process_env(database_url, var_dir), stdout=log, stderr=subprocess.STDOUT
        )
        try:
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
            if process.returncode not in (0, -signal.SIGTERM):
                print((Path(var_dir) / "projector.log").read_text()[-2000:], file=sys.stderr)


def measure(store: str, samples: int, listen: bool = True) -> dict:
    with temporary_store(store) as url, gunicorn(url, workers=2) as server, projector(url, listen) as process:
        client = Client(server.port, server.token)
        try:
            commands, visible = [], []
            for number in range(WARMUP + samples):
                if process.poll() is not None:
                    raise RuntimeError(f"the projector exited with {process.returncode}")
                command_ms, visible_ms = sample(client, f"Probe {number:04d}")
                if number >= WARMUP:
                    commands.append(command_ms)
                    visible.append(visible_ms)
                time.sleep(random.uniform(0, 1.25 * PROJECTOR_POLL_INTERVAL))
        finally:
            client.close()
    return {"commands": commands, "visible": visible}


def row(store: str, projector_kind: str, result: dict) -> list[object]:
    visible = result["visible"]
    return [
        store,
        projector_kind,
        len(visible),
        f"{percentile(result['commands'], 0.5):.1f}",
        f"{percentile(visible, 0.5):.1f}",
        f"**{percentile(visible, 0.95):.1f}**",
        f"{max(visible):.1f}",
    ]


HEADER = ["store", "projector", "samples", "command p50 ms", "visible p50 ms", "visible p95 ms", "visible max ms"]


def run(stores: list[str], small: bool | None = None, samples: int | None = None) -> list[Section]:
    small = quick() if small is None else small
    samples = samples or (10 if small else SAMPLES)
    section = Section(
        "Command answered → its list shows it (POST /cities, then GET /cities?q= without ?after=), "
        "gunicorn -w 2 and the projector process"
    )
    rows = []
    for store in stores:
        listens = store == "postgres"
        kind = "twinning project (LISTEN)" if listens else f"twinning project (polls {PROJECTOR_POLL_INTERVAL} s)"
        result = measure(store, samples)
        rows.append(row(store, kind, result))
        p95 = percentile(result["visible"], 0.95)
        section.figures.append(
            Figure(
                f"command → list p95 ({store})",
                f"{p95:.0f} ms",
                f"≤ {TARGET_MS:.0f} ms" if listens else "– (polling)",
                p95 <= TARGET_MS if listens else None,
            )
        )
        if listens:
            polled = measure(store, samples, listen=False)
            rows.append(row(store, f"polling only ({PROJECTOR_POLL_INTERVAL} s)", polled))
    section.table(HEADER, rows, "llrrrrr")
    section.notes.append(
        "visible = from the command's answer to the first list that shows the item; the client polls the list "
        "back to back on one keep-alive connection, so each figure includes up to one list request's time."
    )
    return [section]


def follow(database_url: str, listen: bool, poll_interval: float) -> int:
    """A projector of the views alone, like ``twinning project`` but with listening chosen (``--follow``)."""
    from config.settings import persistence_env
    from domain.application import Programme
    from domain.followers import Follower
    from domain.views import Views

    env = persistence_env(database_url)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    programme = Programme(env=env)
    views = Views(env)
    try:
        Follower(programme, views, listen=listen).run(stop, poll_interval=poll_interval)
    finally:
        views.close()
        programme.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--samples", type=int, help=f"samples per row (default {SAMPLES}; quick 10)")
    parser.add_argument("--quick", action="store_true", help="a few samples, to check that it works")
    parser.add_argument("--follow", metavar="DATABASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--no-listen", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.follow:
        return follow(args.follow, not args.no_listen, PROJECTOR_POLL_INTERVAL)
    stores = ["postgres", "sqlite"] if args.store == "both" else [args.store]
    for section in run(stores, args.quick or quick(), args.samples):
        print(section.render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
