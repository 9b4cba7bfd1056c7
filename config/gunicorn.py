"""gunicorn settings for the ``web`` process of the Procfile: ``gunicorn -c config/gunicorn.py 'web.wsgi:app'``.

Environment: ``HOST`` (the address bound, default 0.0.0.0: the web process of a container or
behind a proxy on another machine; ``127.0.0.1`` behind a proxy on this one), ``PORT``
(default 8000), ``WEB_CONCURRENCY`` (worker
processes, default 2), ``GUNICORN_THREADS`` (threads per worker, default 4),
``GUNICORN_TIMEOUT`` (seconds, default 30), ``TWINNING_LOG_LEVEL``, ``TWINNING_LOG_FORMAT``.
The access log names each request's ``X-Request-Id``, as the app's own lines do. The app itself reads
the rest of its settings (``TWINNING_DATABASE``, ``REDIS_URL`` …) from the environment.
"""

import os
import re
import sys
from pathlib import Path

# gunicorn loads this file by path: make the project importable for the logging config.
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from gunicorn.glogging import Logger  # noqa: E402

from config.logging import logging_dict, request_id  # noqa: E402
from config.settings import Settings, SettingsError  # noqa: E402

try:  # refuse a bad configuration in one line, before any worker boots (each would print a traceback)
    _settings = Settings.from_env()
except SettingsError as error:
    sys.stderr.write(f"twinning web: {error}\n")
    raise SystemExit(1) from None


SIGN_IN_LINKS = "/sign-in/"
_SIGN_IN_TOKEN = re.compile(r"/sign-in/[^\s?#]+")


class AccessLogger(Logger):
    """gunicorn writes the access line after the app has answered (and forgotten the request id):
    take it back from the response's ``X-Request-Id`` for that line."""

    def access(self, resp, req, environ, request_time):
        answered = next((value for name, value in resp.headers if name.lower() == "x-request-id"), None)
        token = request_id.set(answered)
        try:
            super().access(resp, req, environ, request_time)
        finally:
            request_id.reset(token)

    def atoms(self, resp, req, environ, request_time):
        """A one-time sign-in token (``GET /sign-in/<token>``) is never written to the access log."""
        found = super().atoms(resp, req, environ, request_time)
        return {k: _SIGN_IN_TOKEN.sub(SIGN_IN_LINKS + "…", v) if isinstance(v, str) else v for k, v in found.items()}


bind = f"{os.environ.get('HOST') or '0.0.0.0'}:{int(os.environ.get('PORT', '8000'))}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
preload_app = False  # each worker opens its own store connections after the fork
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
logger_class = AccessLogger
logconfig_dict = logging_dict(os.environ.get("TWINNING_LOG_LEVEL", "INFO"))
proc_name = "twinning-web"
control_socket_disable = True  # no control socket under $HOME: several gunicorns may share a machine


def on_starting(server):
    """/metrics sums the counters of every worker process (prometheus_client's multiprocess mode): the
    directory is set in the master, so every worker inherits it before it imports prometheus_client,
    and emptied, since a file of a previous run's worker would count again."""
    import shutil

    directory = Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(_settings.var_dir / "metrics" / "web")))
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    """A dead worker's live gauges go with it (its counters stay in the sum)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    """Create the app (and so the tables, under the schema lock) as the worker boots."""
    worker.wsgi.load()


def worker_exit(server, worker):
    """Close the worker's Programme, Views and idempotency store."""
    close = getattr(worker.wsgi, "close", None)
    if close is not None:
        close()
