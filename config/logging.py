"""Logging for every process: one line per event — UTC time, level, logger, message.

``configure_logging(level)`` is called by the ``twinning`` command line; gunicorn takes
``logging_dict(level)`` as its ``logconfig_dict`` (config/gunicorn.py), so the web, the
followers and the embedded worker all write the same format to stderr::

    2026-11-03T09:14:07.512Z INFO    twinning.serve: serving http://127.0.0.1:8000

A traceback stays on the same line (its lines joined with `` | ``), so a log line is
always one event, whatever collects the output (honcho, journald, a container runtime).
"""

from __future__ import annotations

import logging
import logging.config
import time
from typing import Any

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
NOISY = {
    "werkzeug": "INFO",
    "rq.worker": "WARNING",
    "rq.scheduler": "WARNING",
    "psycopg.pool": "WARNING",
    "gunicorn.error": "INFO",
    "gunicorn.access": "INFO",
}


class OneLineFormatter(logging.Formatter):
    """``FORMAT`` with UTC ISO-8601 times (milliseconds, ``Z``); newlines of a message or traceback folded."""

    converter = time.gmtime

    def __init__(self, fmt: str = FORMAT) -> None:
        super().__init__(fmt)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created)) + f".{int(record.msecs):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return " | ".join(line.rstrip() for line in text.splitlines() if line.strip())


def logging_dict(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dict: the root logger to stderr with ``OneLineFormatter``."""
    level = (level or "INFO").upper()
    loggers: dict[str, Any] = {
        name: {"level": floor if _rank(floor) > _rank(level) else level, "propagate": True, "handlers": []}
        for name, floor in NOISY.items()
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"line": {"()": OneLineFormatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "line", "stream": "ext://sys.stderr"}},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": loggers,
    }


def _rank(level: str) -> int:
    value = logging.getLevelName(level.upper())
    return value if isinstance(value, int) else logging.INFO


def configure_logging(level: str = "INFO") -> None:
    """Install the one-line format on the root logger (idempotent: replaces earlier handlers)."""
    logging.config.dictConfig(logging_dict(level))
    logging.captureWarnings(True)
