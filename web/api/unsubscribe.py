"""One-click unsubscribe (RFC 8058), at the root: ``/unsubscribe/<token>``, not under /api/v1.

Every mail's ``List-Unsubscribe`` header names this link; it works without signing in, the
signed token (``workers.unsubscribe``) being the proof. ``POST`` (what a mail client's
one-click sends, ``List-Unsubscribe=One-Click``, and the page's button) sets the person's
email preference to ``off``, acting as that person. ``GET`` only shows a page with that
button: mail scanners follow links, and a GET must change nothing. A forged or altered
token is 404 and records nothing. No CSRF token: the request carries no session to ride
on, and RFC 8058 POSTs come without cookies (pages that add CSRF protection exempt this blueprint).
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from markupsafe import escape

from domain.access import Principal
from domain.errors import InvalidValue, NotFound, RuleBroken
from domain.model.statuses import EmailMode, Language
from domain.model.user import User
from web.http import services
from web.problems import ApiProblem
from workers.messages import Words
from workers.messages import unsubscribe as texts
from workers.unsubscribe import read_unsubscribe_token

PAGE = """<!doctype html>
<html lang="{lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title></head>
<body>
<main>
<h1>{title}</h1>
<p>{text}</p>
{form}
</main>
</body>
</html>
"""
FORM = """<form method="post" action="{action}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">{button}</button>
</form>"""


def _language(user: User | None) -> str:
    """Accept-Language when it names one of ours, else the person's own language."""
    best = request.accept_languages.best_match(["en", "zh-Hans", "zh-CN", "zh"])
    if best:
        return Language.ZH_HANS if best.startswith("zh") else Language.EN
    return user.language if user is not None else Language.EN


def _page(w: Words, status: int, text: str, form: str = "") -> Response:
    html = PAGE.format(lang=w.language, title=escape(texts.page_title(w)), text=escape(text), form=form)
    return Response(html, status=status, mimetype="text/html", headers={"Cache-Control": "no-store"})


def _user(token: str) -> User | None:
    user_id = read_unsubscribe_token(services().settings.secret, token)
    if user_id is None:
        return None
    try:
        return services().programme.load(User, user_id)
    except (NotFound, InvalidValue):  # signed by us for someone since gone, or for a malformed id
        return None


def _not_found() -> Response:
    """A page for a browser (or a client that asks for nothing in particular), else a problem."""
    accepts = request.accept_mimetypes
    if accepts.provided and accepts.best_match(["text/html", "application/problem+json"]) != "text/html":
        raise ApiProblem(404, detail="this unsubscribe link is not valid")
    w = Words(_language(None))
    return _page(w, 404, texts.invalid(w))


def blueprint() -> Blueprint:
    bp = Blueprint("unsubscribe", __name__)

    @bp.get("/unsubscribe/<token>")
    def ask(token: str) -> Response:
        user = _user(token)
        if user is None:
            return _not_found()
        w = Words(_language(user))
        form = FORM.format(action=escape(request.path), button=escape(texts.button(w)))
        return _page(w, 200, texts.ask(w, user.email), form)

    @bp.post("/unsubscribe/<token>")
    def unsubscribe(token: str) -> Response:
        user = _user(token)
        if user is None:
            return _not_found()
        person = Principal(user_id=str(user.id), role=user.role, city_id=user.city_id, name=user.name)
        try:
            services().programme.change_preferences(person, str(user.id), email=EmailMode.OFF)
        except RuleBroken:  # a deactivated person: no mail goes to them anyway
            pass
        w = Words(_language(user))
        return _page(w, 200, texts.done(w, user.email))

    return bp
