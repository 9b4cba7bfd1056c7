"""Logging for every process: one line per event — UTC time, request id, level, logger, message.

``configure_logging(level)`` is called by the ``twinning`` command line and by the RQ
worker class (workers/worker.py); gunicorn takes ``logging_dict(level)`` as its
``logconfig_dict`` (config/gunicorn.py). So the web, the RQ worker and its scheduler, the
dispatcher, the projector and the embedded server all write the same format to stderr::

    2026-11-03T09:14:07.512Z [5f0c9e2a…] INFO    twinning.web: …
    2026-11-03T09:14:08.004Z [-] INFO    twinning.dispatcher: …

The request id is the ``X-Request-Id`` a request came with or was answered with (web),
the job id (RQ worker), ``-`` outside of both; it lives in a contextvar (``request_id``)
that a filter on the handler copies onto every record, so libraries' lines carry it too.

A traceback stays on the same line (its lines joined with `` | ``), so a log line is
always one event, whatever collects the output (honcho, journald, a container runtime).
``TWINNING_LOG_FORMAT=json`` writes JSON lines instead (python-json-logger): ``time``,
``level``, ``logger``, ``request_id``, ``message`` and ``exc_info`` when there is one.
"""

from __future__ import annotations

import logging
import logging.config
import os
import time
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

FORMAT = "%(asctime)s [%(request_id)s] %(levelname)-7s %(name)s: %(message)s"
FORMATS = ("line", "json")
NOISY = {
    "werkzeug": "INFO",
    "waitress": "INFO",
    "rq.worker": "WARNING",
    "rq.scheduler": "WARNING",
    "psycopg.pool": "WARNING",
    "gunicorn.error": "INFO",
    "gunicorn.access": "INFO",
}

request_id: ContextVar[str | None] = ContextVar("twinning_request_id", default=None)


class RequestIdFilter(logging.Filter):
    """Put the current request (or job) id on the record, ``-`` when there is none."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id.get() or "-"
        return True


def _utc(record: logging.LogRecord) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"


class OneLineFormatter(logging.Formatter):
    """``FORMAT`` with UTC ISO-8601 times (milliseconds, ``Z``); newlines of a message or traceback folded."""

    def __init__(self, fmt: str = FORMAT) -> None:
        super().__init__(fmt)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc(record)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get() or "-"
        text = super().format(record)
        return " | ".join(line.rstrip() for line in text.splitlines() if line.strip())


class JsonLineFormatter(JsonFormatter):
    """One JSON object per line with the same fields as the line format."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc(record)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get() or "-"
        return super().format(record)


def log_format(environ: dict[str, str] | None = None) -> str:
    """``TWINNING_LOG_FORMAT``: ``line`` (default) or ``json``; anything else reads as ``line``."""
    value = (environ if environ is not None else os.environ).get("TWINNING_LOG_FORMAT", "line").strip().lower()
    return value if value in FORMATS else "line"


def logging_dict(level: str = "INFO", fmt: str | None = None) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dict: the root logger to stderr, one line (or JSON object) per event."""
    level = (level or "INFO").upper()
    fmt = fmt or log_format()
    loggers: dict[str, Any] = {
        name: {"level": floor if _rank(floor) > _rank(level) else level, "propagate": True, "handlers": []}
        for name, floor in NOISY.items()
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"line": {"()": OneLineFormatter}, "json": {"()": JsonLineFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": fmt,
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": loggers,
    }


def _rank(level: str) -> int:
    value = logging.getLevelName(level.upper())
    return value if isinstance(value, int) else logging.INFO


def configure_logging(level: str = "INFO", fmt: str | None = None) -> None:
    """Install the format on the root logger (idempotent: replaces earlier handlers)."""
    logging.config.dictConfig(logging_dict(level, fmt))
    logging.captureWarnings(True)
