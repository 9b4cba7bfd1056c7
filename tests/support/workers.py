"""Fixtures for the workers: a real SMTP server (aiosmtpd), a webhook receiver, the RQ queue on
the run's Redis db, a job context installed for in-process workers, and helpers to dispatch
and to run a real RQ worker in burst mode until something happened."""

from __future__ import annotations

import email
import email.policy
import http.server
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from rq import SimpleWorker

from config.settings import persistence_env
from workers.context import DeliverySettings, JobContext, install_context, reset_context
from workers.dispatcher import Dispatcher
from workers.worker import make_queue


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], object], timeout: float = 10.0, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


# -- SMTP ---------------------------------------------------------------------------------


class _Collector:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    collector: _Collector

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        with self.collector.lock:
            return list(self.collector.messages)

    def to(self, address: str, kind: str | None = None) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in str(m["To"]) and (kind is None or m["X-Twinning-Kind"] == kind)]

    def wait_for(self, address: str, kind: str | None = None, count: int = 1, timeout: float = 10.0):
        return wait_until(
            lambda: (found := self.to(address, kind)) and len(found) >= count and found,
            timeout,
            what=f"{count} {kind or ''} mail(s) to {address}",
        )


@pytest.fixture
def smtp_server():
    collector = _Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, collector)
    finally:
        controller.stop()


# -- webhook ------------------------------------------------------------------------------


@dataclass
class WebhookServer:
    url: str
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def webhook_server():
    received: list[tuple[dict[str, str], bytes]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received.append(({k: v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield WebhookServer(f"http://127.0.0.1:{server.server_address[1]}/hooks/twinning", received)
    finally:
        server.shutdown()
        server.server_close()


# -- RQ -----------------------------------------------------------------------------------


@pytest.fixture
def queue(redis_url):
    q = make_queue(redis_url)
    yield q
    q.connection.close()


def run_worker(queue, until: Callable[[], object] | None = None, timeout: float = 10.0, interval: float = 0.2):
    """A real RQ SimpleWorker, in this process, in burst mode with the scheduler, again and again
    until ``until()`` holds (or once if no condition is given)."""
    deadline = time.monotonic() + timeout
    while True:
        SimpleWorker([queue], connection=queue.connection).work(
            burst=True, with_scheduler=True, logging_level="WARNING"
        )
        if until is None:
            return None
        value = until()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s running the worker")
        time.sleep(interval)


@pytest.fixture
def job_context(programme, tmp_path, smtp_server):
    """Install a context for jobs run in this process: the test's Programme, SMTP to the test server,
    a 3-second meeting reminder. ``job_context.replace(**delivery)`` changes delivery settings."""

    class Installed:
        def __init__(self) -> None:
            self.context = JobContext(
                programme=programme,
                delivery=DeliverySettings(
                    smtp_url=smtp_server.url,
                    outbox_dir=tmp_path / "outbox",
                    sender="twinning@iuc.example",
                    secret="test-secret",
                ),
                reminder_offsets=(timedelta(seconds=3),),
            )
            install_context(self.context)

        def replace(self, **delivery) -> JobContext:
            self.context = self.context.with_delivery(**delivery)
            install_context(self.context)
            return self.context

    installed = Installed()
    yield installed
    reset_context()


@pytest.fixture
def dispatcher(programme, queue, database_url):
    d = Dispatcher.open(
        programme,
        queue,
        persistence_env(database_url),
        reminder_offsets=(timedelta(seconds=3),),
        invitation_nudge_after=timedelta(days=7),
    )
    yield d
    d.close()


def dispatch(programme, processor) -> int:
    """Everything recorded after the processor's position, through the project's Follower."""
    from domain.followers import Follower

    return Follower(programme, processor).run_once()


def pending_batch(programme, after: int = 0):
    """The (id, event) pairs after ``after`` and the Tracking for them — to call ``process`` by hand."""
    from eventsourcing.persistence import Tracking

    notifications = programme.recorder.select_notifications(after + 1, 10_000)
    batch = [(n.id, programme.mapper.to_domain_event(n)) for n in notifications]
    return batch, Tracking("dispatcher", notifications[-1].id)


def outbox_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.eml"))
