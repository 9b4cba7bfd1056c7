"""Reading the views for a page, as the API's lists do (``web.api.lists``): ``?after=N`` waits for
the log position a command answered, so the page after a POST/redirect/GET shows the change."""

from __future__ import annotations

from flask import request

from domain.views import Views
from web.api.lists import _guard, read_views

__all__ = ["after_position", "guard", "views"]


def after_position() -> int | None:
    raw = request.args.get("after", "")
    return int(raw) if raw.isdigit() else None


def views() -> Views:
    """The views, once they have read what this person just did (``?after=`` on the redirect)."""
    return read_views(after_position())


guard = _guard
