"""The Flask application factory: ``create_app(settings)``, or ``create_app(twinning=...)``.

Nothing is built at import time: the factory takes what ``web.bootstrap`` builds (the
Programme, views, audit chain, idempotency store, queue connection), bootstraps the
admin token, and registers one blueprint per resource under /api/v1, the one error
processor, the OpenAPI document (/openapi.json), offline docs (/docs) and /healthz.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import TYPE_CHECKING, Any

from apiflask import APIFlask
from apiflask.exceptions import HTTPError
from flask import Request, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest, HTTPException

from config.settings import Settings
from web import bodylimit, docs, health, idempotency, metrics, openapi, ratelimit, requestid
from web.api import (
    admin,
    agreements,
    audit,
    cities,
    exports,
    history,
    meetings,
    meta,
    partnerships,
    projects,
    reports,
    users,
)
from web.bootstrap import Twinning, bootstrap
from web.http import EXTENSION
from web.pages import register_pages
from web.problems import handle_error

if TYPE_CHECKING:
    from redis import Redis

    from domain.application import Programme
    from domain.views import Views

MAX_BODY_BYTES = 1024 * 1024
_ROUTE_COMPILATION = threading.Lock()
log = logging.getLogger("twinning.web")
OWNED = "twinning.owned"  # the Twinning bootstrapped for this app, which close_app closes


def _object_without_twins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``{"name": "Rome", "name": "Yantai"}`` is ambiguous: parsers disagree on which one wins."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"the key {key!r} appears twice in one object")
        found[key] = value
    return found


class StrictJSONProvider(DefaultJSONProvider):
    """Reads request bodies refusing duplicate keys (a 400); writes JSON as Flask does."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return json.loads(s, object_pairs_hook=_object_without_twins, **kwargs)


class ApiRequest(Request):
    """JSON bodies: an empty body reads as no body; pathological nesting and duplicate keys are a 400."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        if not self.get_data(cache=True):
            return None
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            raise BadRequest("the JSON body is nested too deeply") from None

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        """Say why the body is not JSON (Flask says only "Bad Request" outside debug mode)."""
        if e is None:
            return super().on_json_loading_failed(e)
        raise BadRequest(f"the body is not valid JSON: {e}"[:300]) from None


def create_app(
    settings: Settings | None = None,
    programme: Programme | None = None,
    views: Views | None = None,
    queue_connection: Redis | None = None,
    *,
    twinning: Twinning | None = None,
) -> APIFlask:
    """The app on ``twinning`` (the caller's, who closes it), or on one bootstrapped here from
    ``settings`` with the given parts (``close_app`` closes what was built for it).

    Without a ``queue_connection`` the app opens one on ``settings.redis_url``; without that the
    admin's job endpoints answer 503."""
    owned = twinning is None
    if twinning is None:
        twinning = bootstrap(settings, programme=programme, views=views, queue_connection=queue_connection)
    app = APIFlask(
        "twinning",
        title="twinning",
        version="1",
        spec_path="/openapi.json",
        docs_path="/docs",
        docs_ui="swagger-ui",
        docs_oauth2_redirect_path=None,
    )
    app.request_class = ApiRequest
    app.json = StrictJSONProvider(app)
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        AUTO_404_RESPONSE=False,
        AUTO_VALIDATION_ERROR_RESPONSE=False,
        AUTO_AUTH_ERROR_RESPONSE=False,
        AUTO_OPERATION_ID=True,
        AUTO_SERVERS=False,
        SERVERS=[{"url": "/"}],
        INFO=openapi.INFO,
        SECURITY_SCHEMES=openapi.SECURITY_SCHEMES,
        **docs.config(),
    )
    try:
        twinning.prepare_web()
    except BaseException:
        if owned:
            twinning.close()
        raise
    app.extensions[EXTENSION] = twinning
    if owned:
        app.extensions[OWNED] = twinning

    # Werkzeug compiles each route from ast objects, and CPython 3.11.7 (this machine's) can fail with
    # "AST constructor recursion depth mismatch" (gh-106905) when two threads do that at once, as
    # apps built side by side in one process would: seen in test_workers_starting_together_*.
    with _ROUTE_COMPILATION:
        _install_error_handling(app)
        requestid.install(app)
        bodylimit.install(app, MAX_BODY_BYTES)
        idempotency.install(app)
        settings = twinning.settings
        app.config["AUTH_FAILURE_LIMIT"] = settings.auth_failure_limit
        ratelimit.install(
            app,
            trusted_proxies=settings.trusted_proxies,
            redis=twinning.queue_connection if settings.redis_url else None,  # embedded mode counts in process
        )
        _install_options(app)
        for module in (
            meta,
            users,
            cities,
            partnerships,
            meetings,
            agreements,
            projects,
            history,
            reports,
            audit,
            exports,
            admin,
        ):
            app.register_blueprint(module.blueprint())
        docs.install(app)
        health.install(app)
        metrics.install(app)
        openapi.install(app)
        register_pages(app)  # the pages for people (web/pages/), at the root beside /api/v1
    return app


def close_app(app: APIFlask) -> None:
    """Close what was bootstrapped for the app (not a ``Twinning`` or parts it was given)."""
    twinning = app.extensions.pop(OWNED, None)
    if twinning is not None:
        twinning.close()


def _install_error_handling(app: APIFlask) -> None:
    app.error_processor(handle_error)  # APIFlask's HTTPError (validation, abort)
    app.register_error_handler(HTTPError, handle_error)
    app.register_error_handler(HTTPException, handle_error)  # 404, 405, 413, malformed JSON…
    app.register_error_handler(Exception, handle_error)  # DomainError, ApiProblem, anything unexpected


def _install_options(app: APIFlask) -> None:
    @app.after_request
    def options_without_a_body(response):
        """Flask's automatic OPTIONS answer is an empty text/html 200: say the same as 204, Allow only."""
        if request.method == "OPTIONS" and response.status_code == 200 and not response.get_data():
            response.status_code = 204
            del response.headers["Content-Type"]
        return response
