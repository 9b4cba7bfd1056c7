"""One blueprint per resource under /api/v1; ``api_blueprint`` gives each the shared request hooks."""

from __future__ import annotations

from apiflask import APIBlueprint
from flask import Response, request

from web import idempotency
from web.http import authenticate_request, check_if_match, services
from web.problems import ApiProblem

PREFIX = "/api/v1"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def check_body_media_type() -> None:
    """A write's body, when there is one, must be JSON (415 otherwise)."""
    if request.method in WRITE_METHODS and request.get_data(cache=True) and not _is_json(request.mimetype):
        shown = request.mimetype or "no Content-Type"
        raise ApiProblem(
            415,
            detail=f"send the body as application/json (got {shown})",
            headers={"Accept-Post": "application/json"} if request.method == "POST" else None,
        )


def _before_authenticated() -> Response | None:
    authenticate_request()
    check_body_media_type()
    if request.method in WRITE_METHODS:
        check_if_match()
    store = services().idempotency
    return idempotency.begin(store) if store is not None else None


def _after(response: Response) -> Response:
    return idempotency.finish(response)


def api_blueprint(name: str, tag: str, *, public: bool = False) -> APIBlueprint:
    bp = APIBlueprint(name, __name__, url_prefix=PREFIX, tag=tag)
    if public:
        bp.before_request(check_body_media_type)
    else:
        bp.before_request(_before_authenticated)
        bp.after_request(_after)
    return bp
