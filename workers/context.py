"""The small per-process context that job functions run with.

An RQ worker process (``rq worker``) builds it lazily from the environment the first
time a job asks for it (``config.Settings.from_env()``: this is an entry point, so it
may read config). Tests and the embedded mode install one explicitly with
``install_context`` (and ``reset_context`` to go back to lazy).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from domain.application import Programme

if TYPE_CHECKING:
    from config.settings import Settings

DEFAULT_SENDER = "twinning@localhost"
DEFAULT_OFFSETS = (timedelta(hours=24), timedelta(hours=1))
DEFAULT_RETRY_FOR = timedelta(hours=24)


@dataclass(frozen=True)
class DeliverySettings:
    """Where notifications go besides the inbox."""

    smtp_url: str | None = None
    outbox_dir: Path = Path("var/outbox")
    sender: str = DEFAULT_SENDER
    webhook_url: str | None = None
    secret: str = "change-me"
    retry_for: timedelta = DEFAULT_RETRY_FOR  # DELIVERY_RETRY_FOR: how long a failing channel is retried
    public_url: str = "http://127.0.0.1:8000"  # TWINNING_PUBLIC_URL: where the mailed links point

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliverySettings:
        return cls(
            smtp_url=settings.smtp_url,
            outbox_dir=Path(settings.var_dir) / "outbox",
            sender=settings.mail_from or DEFAULT_SENDER,
            webhook_url=settings.webhook_url,
            secret=settings.secret,
            retry_for=settings.delivery_retry_for,
            public_url=settings.public_url,
        )


@dataclass
class JobContext:
    programme: Programme
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    reminder_offsets: tuple[timedelta, ...] = DEFAULT_OFFSETS
    invitation_nudge_after: timedelta = timedelta(days=7)
    invitation_expires_after: timedelta = timedelta(days=30)  # INVITATION_EXPIRES_AFTER
    suggestion_limit: int = 5
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    owns_programme: bool = False

    def now(self) -> datetime:
        return self.clock()

    def with_delivery(self, **changes: Any) -> JobContext:
        return replace(self, delivery=replace(self.delivery, **changes))

    def close(self) -> None:
        if self.owns_programme:
            self.programme.close()


def build_context(settings: Settings, programme: Programme | None = None) -> JobContext:
    """A context for these settings; opens a Programme on the settings' store unless one is given."""
    owns = programme is None
    if programme is None:
        programme = Programme(env=settings.store_env())
    return JobContext(
        programme=programme,
        delivery=DeliverySettings.from_settings(settings),
        reminder_offsets=tuple(settings.meeting_reminder_offsets),
        invitation_nudge_after=settings.invitation_nudge_after,
        invitation_expires_after=settings.invitation_expires_after,
        owns_programme=owns,
    )


_lock = threading.Lock()
_context: JobContext | None = None


def install_context(context: JobContext | None) -> JobContext | None:
    """Make ``context`` the one jobs in this process use; answers the one it replaces."""
    global _context
    with _lock:
        previous, _context = _context, context
    return previous


def reset_context() -> None:
    """Forget the installed context (closing it if it was built here), so the next job builds one lazily."""
    previous = install_context(None)
    if previous is not None:
        previous.close()


def current_context() -> JobContext:
    """The installed context, or one built from the environment (the RQ worker process's entry point)."""
    global _context
    with _lock:
        if _context is None:
            from config.settings import Settings  # entry point: only here may workers read config

            _context = build_context(Settings.from_env())
        return _context
