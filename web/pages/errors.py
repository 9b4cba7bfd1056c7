"""Errors on pages answer HTML pages (400, 403, 404, 405, 410, 429, 500, 503), translated.

The status comes from the one error processor (``web.problems.handle_error``), so a domain error
maps to the same status on a page as on the API; only its body differs. The API's answers
(problem+json) are untouched.
"""

from __future__ import annotations

from apiflask.exceptions import HTTPError
from flask import Flask, render_template
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from domain.errors import DomainError
from web.pages.base import is_page_request
from web.pages.security import CSRFError
from web.problems import handle_error

KEEP = ("Retry-After", "X-Request-Id", "Allow")


def titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("The request could not be understood"), _("Please go back, reload the page and try again.")),
        403: (_("You cannot open this page"), _("Your role does not allow this.")),
        404: (_("Page not found"), _("There is no page at this address.")),
        405: (_("This address does not take that kind of request"), _("Please use the page's own buttons.")),
        409: (_("This could not be done"), ""),
        410: (_("This link can no longer be used"), ""),
        412: (_("Someone else changed this meanwhile"), _("Please reload the page to see the new state.")),
        422: (_("Some of what was given is not valid"), ""),
        429: (_("Too many attempts"), _("Please wait a moment and try again.")),
        500: (_("Something went wrong on our side"), _("The error has been logged. Please try again later.")),
        503: (_("The service is busy or unavailable"), _("Please try again in a moment.")),
    }


def error_page(status: int, detail: str = "", headers: dict[str, str] | None = None):
    title, hint = titles().get(status, titles()[500 if status >= 500 else 400])
    body = render_template("errors/error.html", status=status, title=title, hint=hint, detail=detail, me=_signed_in())
    return body, status, headers or {}


def _signed_in():
    """The nav for someone signed in; none if the store itself is what failed (the page must still render)."""
    from web.pages.session import current_principal

    try:
        return current_principal()
    except Exception:
        return None


def install(app: Flask) -> None:
    def page_or_problem(error: BaseException):
        problem = handle_error(error)  # logs what is unexpected, once
        if not is_page_request():
            return problem
        if isinstance(error, CSRFError):
            return error_page(400, _("The form had expired or did not come from this site. Please try again."))
        detail = ""
        if isinstance(error, DomainError) and problem.status_code not in (500, 503):
            detail = str(error)
        headers = {k: v for k, v in problem.headers.items() if k in KEEP}
        return error_page(problem.status_code, detail, headers)

    app.error_processor(page_or_problem)
    for kind in (HTTPError, HTTPException, Exception):
        app.register_error_handler(kind, page_or_problem)
