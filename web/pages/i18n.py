"""English and Simplified Chinese (Flask-Babel), and dates in the person's own time zone.

The language is, in order: the switch on every page (a cookie), the person's ``language``
preference (``Views.preferences``, once the notifications work lands), ``Accept-Language``,
English. The time zone: the person's preference, else their city's, else UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Blueprint, Flask, g, redirect, request
from flask_babel import Babel, format_date, format_datetime, get_locale

from web.http import services
from web.pages.base import HERE, page_blueprint
from web.pages.session import current_principal, safe_next
from web.pages.telling import told

LANGUAGES = ("en", "zh_Hans")
HTML_LANG = {"en": "en", "zh_Hans": "zh-Hans"}
NAMES = {"en": "English", "zh_Hans": "简体中文"}
COOKIE = "twinning_lang"
DEFAULT_LANGUAGE = "en"  # domain.model.statuses.Language.EN, every person's language until they choose
TRANSLATIONS = HERE / "translations"


class CataloguesMissing(RuntimeError):
    pass


def install(app: Flask) -> None:
    for code in LANGUAGES:
        compiled = TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo"
        if not compiled.is_file():
            raise CataloguesMissing(f"{compiled} is missing: run `make catalogues` to compile the message catalogues")
    app.config.update(BABEL_DEFAULT_LOCALE="en", BABEL_TRANSLATION_DIRECTORIES=str(TRANSLATIONS))
    Babel(app, locale_selector=language, timezone_selector=time_zone)
    app.jinja_env.filters["datetime_local"] = datetime_local
    app.jinja_env.filters["date_local"] = date_local
    app.jinja_env.filters["input_local"] = input_local
    app.jinja_env.filters["iso_instant"] = iso_instant
    app.jinja_env.filters["told"] = told
    app.jinja_env.globals.update(
        html_lang=html_lang, current_language=current_language, language_names=NAMES, page_time_zone=time_zone
    )


def blueprint() -> Blueprint:
    bp = page_blueprint("language")

    @bp.post("/language")
    def switch():
        """The switch on every page: a form, so it works without JavaScript."""
        chosen = _normalise(request.form.get("lang"))
        response = redirect(safe_next(request.form.get("next"), "/"), 303)
        if chosen:
            _save_preference(chosen)
            remember_language(response, chosen)
        return response

    return bp


def remember_language(response, tag: str):
    """This browser's language (the cookie the selector reads first), e.g. after the preference was saved."""
    chosen = _normalise(tag)
    if chosen:
        secure = bool(request.environ.get("wsgi.url_scheme") == "https") or _secure_cookies()
        response.set_cookie(COOKIE, chosen, max_age=365 * 86400, httponly=True, samesite="Lax", secure=secure)
    return response


def _save_preference(chosen: str) -> None:
    """Signed in, the switch is also the person's language preference (mail, .ics, other browsers)."""
    principal = current_principal()
    if principal is not None:
        services().programme.change_preferences(principal, principal.user_id, language=HTML_LANG[chosen])


def _secure_cookies() -> bool:
    from flask import current_app

    return bool(current_app.config.get("SESSION_COOKIE_SECURE"))


def _normalise(tag: str | None) -> str | None:
    tag = (tag or "").strip().lower().replace("-", "_")
    if tag.startswith("zh"):
        return "zh_Hans"  # the one Chinese we write; a reader of Traditional reads it better than English
    if tag.startswith("en"):
        return "en"
    return None


def _preference(key: str) -> str | None:
    """The signed-in person's preference ``key`` (``language``, ``timezone``), if the views keep them."""
    principal = current_principal()
    preferences = getattr(services().views, "preferences", None)
    if principal is None or preferences is None:
        return None
    found = preferences(principal.user_id)
    value = found.get(key) if isinstance(found, dict) else getattr(found, key, None)
    if key == "language" and value == DEFAULT_LANGUAGE:
        # The view cannot tell English chosen from English by default; the browser's language then decides
        # (a choice made here also sets the cookie, which comes first).
        return None
    return value or None


def language() -> str:
    if "page_language" in g:
        return g.page_language
    chosen = _normalise(request.cookies.get(COOKIE)) or _normalise(_preference("language"))
    if chosen is None:
        for tag, _quality in request.accept_languages:
            chosen = _normalise(tag)
            if chosen:
                break
    g.page_language = chosen or "en"
    return g.page_language


def time_zone() -> str:
    if "page_time_zone" in g:
        return g.page_time_zone
    zone = _preference("timezone")
    principal = current_principal()
    if not zone and principal is not None and principal.city_id:
        city = services().views.city(principal.city_id)
        zone = city.get("timezone") if city else None
    try:
        ZoneInfo(zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    g.page_time_zone = zone or "UTC"
    return g.page_time_zone


def current_language() -> str:
    return str(get_locale() or "en")


def html_lang() -> str:
    return HTML_LANG.get(current_language(), "en")


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def datetime_local(value: Any, format: str = "medium") -> str:
    """A moment in the viewer's time zone and language (``{{ meeting.starts_at|datetime_local }}``);
    a naive datetime is taken as UTC, as the store keeps them."""
    moment = _as_datetime(value)
    if moment is None:
        return "" if value is None else str(value)
    return format_datetime(moment, format)


def date_local(value: Any, format: str = "medium") -> str:
    """A day in the viewer's language; a moment is first put in the viewer's time zone."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return format_date(date.fromisoformat(value), format)
        except ValueError:
            return value
    moment = _as_datetime(value)
    if moment is not None:
        return format_date(moment.astimezone(ZoneInfo(time_zone())).date() if moment.tzinfo else moment, format)
    if isinstance(value, date):
        return format_date(value, format)
    return "" if value is None else str(value)


def input_local(value: Any) -> str:
    """A moment as a datetime-local field's value in the viewer's time zone (``2026-05-04T10:30:00``)."""
    moment = _as_datetime(value)
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(ZoneInfo(time_zone())).replace(tzinfo=None).isoformat(timespec="seconds")


def iso_instant(value: Any) -> str:
    """The exact instant in ISO 8601 with its offset, for a link (``?at=``) that must not round."""
    moment = _as_datetime(value)
    return "" if moment is None else moment.isoformat()
