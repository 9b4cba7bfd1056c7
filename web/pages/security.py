"""CSRF on every page's form, and the pages' security headers.

CSRF (Flask-WTF) is checked only on pages' requests: the JSON API under /api/v1 authenticates
with bearer tokens, which a browser never sends by itself, and the unsubscribe link in a mail
must work from the mail; so the default check is off and pages ask for it explicitly.
"""

from __future__ import annotations

from flask import Flask, request
from flask_wtf.csrf import CSRFError, CSRFProtect

from web.pages.base import is_page_request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def install(app: Flask) -> None:
    app.config.update(WTF_CSRF_CHECK_DEFAULT=False, WTF_CSRF_TIME_LIMIT=None, WTF_CSRF_SSL_STRICT=True)
    csrf = CSRFProtect(app)

    @app.before_request
    def protect_pages():
        if request.method in UNSAFE and is_page_request():
            csrf.protect()  # a missing or wrong token raises CSRFError: the 400 page (web/pages/errors.py)

    @app.after_request
    def page_headers(response):
        if is_page_request():
            for name, value in HEADERS.items():
                response.headers.setdefault(name, value)
            if response.mimetype == "text/html":
                response.headers.setdefault("Cache-Control", "no-store")  # pages show personal state
        return response


__all__ = ["CSRFError", "install"]
