"""The Flask application factory: ``create_app(settings, programme=None, views=None, queue_connection=None)``.

Nothing is built at import time: the factory opens the Programme (unless one is
given), bootstraps the admin token, opens the idempotency table, and registers
one blueprint per resource under /api/v1, the one error processor, the OpenAPI
document (/openapi.json), offline docs (/docs) and /healthz.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

from apiflask import APIFlask
from apiflask.exceptions import HTTPError
from flask import Request, g, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest, HTTPException

from config.settings import Settings
from web import bodylimit, docs, health, idempotency, openapi, ratelimit
from web.api import (
    admin,
    agreements,
    audit,
    cities,
    exports,
    history,
    lists,
    meetings,
    meta,
    partnerships,
    projects,
    reports,
    users,
)
from web.http import Services
from web.problems import handle_error

MAX_BODY_BYTES = 1024 * 1024
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
log = logging.getLogger("twinning.web")


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
    settings: Settings | None = None, programme: Any = None, views: Any = None, queue_connection: Any = None
) -> APIFlask:
    """``queue_connection``: a Redis client for the RQ queue (the embedded mode's in-process one); without
    it the app opens one on ``settings.redis_url``, and without that the admin's job endpoints answer 503."""
    settings = settings or Settings.from_env()
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
    owned: list[Any] = []
    if programme is None:
        from domain.application import Programme

        programme = Programme(env=settings.store_env())
        owned.append(programme)
    if settings.admin_token:
        _bootstrap_admin(programme, settings.admin_token)
    if views is None:
        views = lists.open_views(settings, owned)
    store = idempotency.open_store(settings.database_url)
    owned.append(store)
    if queue_connection is None and settings.redis_url:
        queue_connection = admin.open_connection(settings.redis_url)
        owned.append(queue_connection)
    app.extensions["twinning"] = Services(
        settings=settings,
        programme=programme,
        views=views,
        idempotency=store,
        follower=lists.follower_for(programme, views),
        queue_connection=queue_connection,
        owned=owned,
    )

    _install_error_handling(app)
    _install_request_id(app)
    bodylimit.install(app, MAX_BODY_BYTES)
    idempotency.install(app, store)
    app.config["AUTH_FAILURE_LIMIT"] = settings.auth_failure_limit
    ratelimit.install(
        app,
        trusted_proxies=settings.trusted_proxies,
        redis=queue_connection if settings.redis_url else None,  # embedded mode counts in process
    )
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
    openapi.install(app)
    return app


def _bootstrap_admin(programme: Any, token: str, attempts: int = 3) -> None:
    """``ensure_admin`` is idempotent, but two workers starting at once may race to create the admin."""
    from domain.errors import RuleBroken

    for attempt in range(1, attempts + 1):
        try:
            programme.ensure_admin(token)
            return
        except RuleBroken:  # Duplicate / ConcurrencyConflict: the other worker won; authenticate next time
            if attempt == attempts:
                raise


def close_app(app: APIFlask) -> None:
    """Close what the factory opened itself (not an injected Programme or Views)."""
    for thing in reversed(app.extensions["twinning"].owned):
        close = getattr(thing, "close", None)
        if close is not None:
            try:
                close()
            except Exception:
                log.warning("could not close %r", thing, exc_info=True)


def _install_error_handling(app: APIFlask) -> None:
    app.error_processor(handle_error)  # APIFlask's HTTPError (validation, abort)
    app.register_error_handler(HTTPError, handle_error)
    app.register_error_handler(HTTPException, handle_error)  # 404, 405, 413, malformed JSON…
    app.register_error_handler(Exception, handle_error)  # DomainError, ApiProblem, anything unexpected


def _install_request_id(app: APIFlask) -> None:
    @app.before_request
    def take_request_id() -> None:
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex

    @app.after_request
    def options_without_a_body(response):
        """Flask's automatic OPTIONS answer is an empty text/html 200: say the same as 204, Allow only."""
        if request.method == "OPTIONS" and response.status_code == 200 and not response.get_data():
            response.status_code = 204
            del response.headers["Content-Type"]
        return response

    @app.after_request
    def echo_request_id(response):
        response.headers["X-Request-Id"] = getattr(g, "request_id", None) or uuid.uuid4().hex
        return response
