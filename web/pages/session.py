"""Who is signed in: Flask's signed session cookie holding a session token, checked on every request.

The cookie is signed (``TWINNING_SECRET``), HttpOnly, SameSite=Lax and Secure — except in
embedded or test mode on plain http://127.0.0.1, where a browser would not send a Secure cookie.
The session token is one of the user's tokens in the store (``Programme.authenticate_session``),
so revoking the user's tokens or deactivating the user ends the session at the next request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, g, redirect, request, session, url_for

from domain.access import Principal
from domain.errors import NotAuthenticated
from web.http import EXTENSION, services

SESSION_KEY = "session"
SESSION_LIFETIME = timedelta(hours=12)
F = TypeVar("F", bound=Callable)
_UNSET = object()


def install(app: Flask) -> None:
    settings = app.extensions[EXTENSION].settings
    app.secret_key = settings.secret
    app.config.update(
        SESSION_COOKIE_NAME="twinning_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=cookie_secure(settings.mode, settings.public_url),
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
    )


def cookie_secure(mode: str, url: str) -> bool:
    """Secure everywhere but embedded or test mode served on plain http to the loopback address."""
    parts = urlsplit(url)
    local = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
    return not (mode in ("embedded", "test") and local)


def current_principal() -> Principal | None:
    """The signed-in domain Principal, or None (signed out, or the session has ended)."""
    found = g.get("page_principal", _UNSET)
    if found is not _UNSET:
        return found
    principal = None
    token = session.get(SESSION_KEY)
    if isinstance(token, str):
        try:
            principal = services().programme.authenticate_session(token)
        except NotAuthenticated:
            session.clear()  # revoked or deactivated: the cookie is dropped too
    g.page_principal = principal
    return principal


def session_token() -> str | None:
    token = session.get(SESSION_KEY)
    return token if isinstance(token, str) else None


def begin(token: str) -> None:
    session.clear()  # a fresh session on sign-in: nothing carried over from before
    session[SESSION_KEY] = token
    session.permanent = True
    g.pop("page_principal", None)


def end() -> None:
    session.clear()
    g.page_principal = None


def signed_in(*roles: str) -> Callable[[F], F]:
    """The page needs someone signed in (and, given ``roles``, one of them): signed out → the
    sign-in page with ``next``; the wrong role → the 403 page."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            principal = current_principal()
            if principal is None:
                return redirect(url_for("pages_signin.start", next=request.full_path.rstrip("?")))
            if roles and principal.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def safe_next(target: str | None, default: str = "/home") -> str:
    """Only a path on this site: ``next`` must never send a person elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
