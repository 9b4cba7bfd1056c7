"""What the content pages read: the views (after a command's position), names, the viewer's zone, page links."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time, get_timezone_name
from flask import request, url_for
from flask_babel import get_locale

from domain.access import Principal, require_officer_of_any
from domain.errors import PermissionDenied
from web.pages import reads
from web.pages.base import page_blueprint
from web.pages.i18n import time_zone
from web.pages.labels import country, label, options
from web.pages.theme_names import theme_names

UTC_NAME = "UTC"


class GuardedViews:
    """The views with each query run through ``reads.guard``: one retry after a broken connection."""

    def __init__(self, found) -> None:
        self.found = found

    def __getattr__(self, name: str):
        query = getattr(self.found, name)
        if not callable(query):
            return query
        return lambda *args, **kwargs: reads.guard(lambda: query(*args, **kwargs))


def views() -> GuardedViews:
    """The views once they hold what a redirect's ``?after=`` names (``web.pages.reads.views``)."""
    return GuardedViews(reads.views())


def city_names(found, city_ids) -> dict[str, str]:
    """City id → name for the ids given (one read of the directory's rows each)."""
    names: dict[str, str] = {}
    for city_id in dict.fromkeys(str(c) for c in city_ids if c):
        row = found.city(city_id)
        names[city_id] = row["name"] if row else city_id
    return names


def all_cities(found) -> list[dict[str, Any]]:
    """Every active city, by name, for the pickers of the forms (the directory's own order)."""
    cities, cursor = [], None
    while True:
        page = found.cities(status="active", limit=200, cursor=cursor)
        cities.extend(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return cities


def viewer_zone(principal: Principal | None = None) -> str:
    """The viewer's time zone (the pages' one rule: preference, else their city's, else UTC)."""
    return time_zone()


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def page_url(endpoint: str, cursor: str | None, **values: Any) -> str | None:
    """The next page of a list: the same filters, the view's cursor (as the API's ``next_cursor``)."""
    if not cursor:
        return None
    kept = {k: v for k, v in request.args.items() if k not in ("cursor", "after") and v}
    kept.update({k: v for k, v in values.items() if v is not None})
    return url_for(endpoint, **kept, cursor=cursor)


def when(instant, zone_name: str, form: str = "medium") -> str:
    """An instant as the viewer's locale writes it, in the zone given (Babel; DST from tzdata).

    ``short`` is the day spelled out with the time to the minute (``Mar 4, 2030, 9:00 AM``,
    ``2030年3月4日 09:00``): a numeric day (3/4/30) reads differently in Rome and in Yantai."""
    if instant is None:
        return ""
    locale = get_locale()
    if form != "short":
        return format_datetime(instant, form, tzinfo=ZoneInfo(zone_name), locale=locale)
    local = instant.astimezone(ZoneInfo(zone_name))
    pattern = locale.datetime_formats["medium"]
    return pattern.format(format_time(local, "short", locale=locale), format_date(local, "medium", locale=locale))


def day(value, form: str = "medium") -> str:
    return "" if value is None else format_date(value, form, locale=get_locale())


def zone_label(zone_name: str) -> str:
    """The zone as the locale names it, with its IANA name (which people also search for)."""
    if zone_name == UTC_NAME:
        return UTC_NAME
    try:
        return f"{get_timezone_name(ZoneInfo(zone_name), locale=get_locale())} ({zone_name})"
    except (LookupError, ValueError):
        return zone_name


def may_act(principal: Principal | None, city_ids) -> bool:
    """Whether the domain lets the viewer act for one of these cities (the rule the commands apply)."""
    if principal is None:
        return False
    try:
        require_officer_of_any(principal, [str(c) for c in city_ids], "the city")
    except PermissionDenied:
        return False
    return True


def content_blueprint(area: str):
    """A page blueprint whose templates also get the content pages' helpers."""
    bp = page_blueprint(area)

    @bp.context_processor
    def helpers():
        return {
            "label": label,
            "options": options,
            "country": country,
            "when": when,
            "day": day,
            "zone_label": zone_label,
            "country_choices": lambda codes: sorted(((c, country(c)) for c in codes), key=lambda pair: pair[1]),
            "region_choices": lambda regions: [(r, label("region", r)) for r in regions],
            "theme_names": theme_names,
        }

    return bp
