"""The WSGI entry point of production: ``gunicorn -c config/gunicorn.py 'web.wsgi:app'``.

Importing this module builds nothing: ``app`` creates the Flask app from
``Settings.from_env()`` the first time it is asked to (gunicorn's ``post_worker_init``
hook does that in each worker as it boots, so tables are created at start and not on
the first request). ``web.bootstrap`` creates them inside the schema lock, so several
workers and processes starting at once on a fresh PostgreSQL database do not race on
the DDL.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apiflask import APIFlask

    from config.settings import Settings


class LazyApp:
    """A WSGI callable that creates the real app once, on first use (thread-safe)."""

    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings
        self._app: APIFlask | None = None
        self._lock = threading.Lock()

    def load(self) -> APIFlask:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    from web.app import create_app

                    self._app = create_app(self._settings)
        return self._app

    def __call__(self, environ: dict, start_response: Any) -> Any:
        return self.load()(environ, start_response)

    def close(self) -> None:
        with self._lock:
            app, self._app = self._app, None
        if app is not None:
            from web.app import close_app

            close_app(app)


app = LazyApp()
application = app
