"""What every ``twinning`` command shares: settings, logging, the bootstrap, signals, tables."""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from urllib.parse import urlsplit, urlunsplit

import click

from config.logging import configure_logging
from config.settings import Settings, SettingsError
from web.bootstrap import Twinning, bootstrap

log = logging.getLogger("twinning.cli")
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100, "auto_envvar_prefix": None}
ENVIRONMENT_HELP = """
\b
Settings come from the environment:
  TWINNING_DATABASE      sqlite:///var/twinning.db (default) or postgresql://user@host/db
  TWINNING_VAR_DIR       local data: SQLite store, mail outbox (default ./var)
  REDIS_URL              the production queue (unset: an in-process Redis for `serve`)
  SMTP_URL               smtp://host:port (unset: mail written to var/outbox/ as .eml)
  TWINNING_ADMIN_TOKEN   bootstraps an admin holding this token
  TWINNING_SECRET        signs webhooks; the demo users' tokens derive from it
  MEETING_REMINDER_OFFSETS, INVITATION_NUDGE_AFTER   e.g. 24h,1h and 7d
  TWINNING_MODE          embedded (default), production or test
  TWINNING_LOG_LEVEL     INFO (default), DEBUG, WARNING …
  TWINNING_DEFAULT_PROGRAMME   code of the programme `twinning upgrade` makes for old stores (default)
"""


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


def setup(level: str | None = None) -> Settings:
    """The settings, and logging configured (at ``level``, or the settings' own)."""
    settings = load_settings()
    configure_logging(level or settings.log_level)
    return settings


def open_twinning(settings: Settings, *, embedded: bool = False) -> Twinning:
    """The bootstrap, or a one-line error naming the store (its password hidden) that could not be opened."""
    try:
        return bootstrap(settings, embedded=embedded)
    except Exception as error:
        raise click.ClickException(
            f"cannot open the store {store_label(settings)}: {type(error).__name__}: {error}"
        ) from None


def store_label(settings: Settings) -> str:
    return redact(settings.database_url)


def redact(url: str) -> str:
    """A URL without its password."""
    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT (Ctrl-C); pressing Ctrl-C again exits at once.

    A repeated SIGTERM is ignored: a process manager may send one to the process and one to
    its group (honcho does both), and that must not cut a clean stop short."""
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if stop.is_set():
            if signum == signal.SIGINT:
                log.warning("second Ctrl-C: exiting now, without a clean stop")
                os._exit(130)
            log.debug("%s again: already stopping", name)
            return
        log.info("%s received: stopping%s", name, " (Ctrl-C again to exit at once)" if signum == signal.SIGINT else "")
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    render = ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(), line, *render])
