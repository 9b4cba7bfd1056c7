"""The request id: the ``X-Request-Id`` a request came with (when it looks like one) or a new one,
answered on the response and put on every log line written while the request is handled
(``config.logging.request_id``, a contextvar a logging filter copies onto each record)."""

from __future__ import annotations

import re
import uuid

from flask import Flask, g, request

from config.logging import request_id

HEADER = "X-Request-Id"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def install(app: Flask) -> None:
    @app.before_request
    def take_request_id() -> None:
        given = request.headers.get(HEADER, "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        g.request_id_token = request_id.set(g.request_id)

    @app.after_request
    def echo_request_id(response):
        response.headers[HEADER] = getattr(g, "request_id", None) or uuid.uuid4().hex
        return response

    @app.teardown_request
    def forget_request_id(_error: BaseException | None) -> None:
        # gunicorn's and waitress's threads serve one request after another: no id may leak into the next.
        token = g.pop("request_id_token", None)
        if token is not None:
            request_id.reset(token)
