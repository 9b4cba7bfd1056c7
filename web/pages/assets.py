"""The pages' static files (CSS, htmx) at /assets/…, served by the app itself: no CDN."""

from __future__ import annotations

from flask import Blueprint

from web.pages.base import HERE, PREFIX, TEMPLATES


def blueprint() -> Blueprint:
    return Blueprint(
        PREFIX + "assets",
        __name__,
        static_folder=str(HERE / "static"),
        static_url_path="/assets",
        template_folder=str(TEMPLATES),
    )
