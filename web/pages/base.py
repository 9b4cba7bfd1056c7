"""What every page module shares: its blueprint, the services, rendering with the common context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, render_template, request

from web.http import services

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
PREFIX = "pages_"  # every page blueprint's name starts so: that is how a request is known to be a page's
NOT_PAGES = ("/api/", "/openapi.json", "/docs", "/healthz", "/metrics")
HTML_LAST = ("application/problem+json", "application/json", "text/html")

__all__ = ["PREFIX", "TEMPLATES", "is_page_request", "page_blueprint", "render", "services"]


def page_blueprint(area: str) -> Blueprint:
    """A blueprint for one area of pages (``pages_<area>``), with the pages' templates."""
    return Blueprint(PREFIX + area, __name__, template_folder=str(TEMPLATES))


def is_page_request() -> bool:
    """A page's request, or one no route matched outside the API from a client that prefers HTML
    (a browser's mistyped address); an API client asking anything else keeps its problem+json."""
    if request.blueprint:
        return request.blueprint.startswith(PREFIX)
    path = request.path
    if any(path == p.rstrip("/") or path.startswith(p) for p in NOT_PAGES):
        return False
    return request.accept_mimetypes.best_match(HTML_LAST) == "text/html"


def render(template: str, status: int = 200, **context: Any):
    """A page: the template with the signed-in principal (``me``) and the page's context."""
    from web.pages.session import current_principal

    return render_template(template, me=current_principal(), **context), status
