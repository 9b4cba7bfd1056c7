"""Which IANA time zones each country uses, from the zone tables that tzdata ships.

``zone1970.tab`` lists the zones in use and every country sharing each one (Europe/Rome for
IT, SM and VA); ``zone.tab`` adds one zone per country for the ones it names by the country
(Europe/Vatican). A name that is a link to one of those zones (Asia/Chongqing, a link to
Asia/Shanghai) is the same zone: its compiled rules are the same bytes.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from domain.errors import InvalidValue


def _zoneinfo():
    return resources.files("tzdata") / "zoneinfo"


@cache
def zones_by_country() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for table in ("zone1970.tab", "zone.tab"):
        for line in (_zoneinfo() / table).read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            codes, _, zone = line.split("\t")[:3]
            for code in codes.split(","):
                found.setdefault(code, set()).add(zone)
    return {code: frozenset(zones) for code, zones in found.items()}


@cache
def _rules(zone: str) -> bytes | None:
    path = _zoneinfo().joinpath(*zone.split("/"))
    return path.read_bytes() if path.is_file() else None


def zone_used_in(country: str, zone: str) -> bool:
    used = zones_by_country().get(country, frozenset())
    if zone in used:
        return True
    rules = _rules(zone)
    return rules is not None and any(_rules(other) == rules for other in used)


def check_zone_of_country(country: str, zone: str, field: str = "timezone") -> str:
    """A city keeps the time of its country: Yantai (CN) is Asia/Shanghai, never Europe/Rome."""
    if not zone_used_in(country, zone):
        used = ", ".join(sorted(zones_by_country().get(country, ()))) or "none listed"
        raise InvalidValue(field, f"{zone} is not a time zone used in {country} (zones used there: {used})")
    return zone


@cache
def zones_in_use() -> tuple[str, ...]:
    """Every zone name some country uses (links included): what a city's ``timezone`` may be at all."""
    from zoneinfo import available_timezones

    used = {rules for zones in zones_by_country().values() for zone in zones if (rules := _rules(zone))}
    # check_timezone takes Area/Location names only (no "PRC", "Japan"): the same here
    return tuple(sorted(zone for zone in available_timezones() if "/" in zone and _rules(zone) in used))
