"""The city directory: cities with their profiles and stakeholders."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from domain.errors import DomainError, InvalidValue
from domain.limits import MAX_SEARCH
from domain.model.city import City
from domain.model.statuses import CityStatus
from domain.regions import region_of
from domain.storage import marks
from domain.values import _CONTROL
from domain.views import timeline
from domain.views.codec import contains, dump, instant, member, sort_key, unaccented
from domain.views.context import Context, handles, looks_up
from domain.views.paging import Page, Where, check_limit, check_text, decode_cursor, encode_cursor, like, split
from domain.views.table import Table
from domain.views.timeline import tells
from domain.views.told import Country, Names, Told, word

CITIES = Table(
    "view_cities",
    "id, name, local_name?, country, region, timezone, population:bigint?, description?, working_hours:json?,"
    " themes_offered:json, themes_sought:json, status, sort_key, search, registered_at:instant, updated_at:instant,"
    " version:int, position:bigint",
    key="id",
    indexes={"by_name": "sort_key, id", "by_region": "region, sort_key, id", "by_status": "status, sort_key, id"},
)
# A removed stakeholder stays, marked, so that the timeline can still name it.
STAKEHOLDERS = Table(
    "view_stakeholders",
    "city_id, stakeholder_id, name, kind, themes:json, position:bigint, removed_position:bigint?",
    key="city_id, stakeholder_id",
)
# Every name a city has had, from the position it took it: timelines name cities as they were then.
NAMES = Table("view_city_names", "city_id, position:bigint, name", key="city_id, position", compact=True)
TABLES = (CITIES, STAKEHOLDERS, NAMES)
PROFILE_COLUMNS = ("name", "local_name", "timezone", "population", "description")


def region(country: str) -> str:
    try:
        return region_of(country)
    except (DomainError, KeyError):
        return "unknown"


def _search(name: str | None, local_name: str | None) -> str:
    return unaccented(name) + "\n" + unaccented(local_name)


@looks_up("names")
def _load_names(db: Any, city_id: str) -> list[tuple[int, str]]:
    rows = db.all(f"SELECT position, name FROM {NAMES.name} WHERE city_id = ? ORDER BY position", (city_id,))
    return [(r["position"], r["name"]) for r in rows]


@looks_up("numbers")
def _load_number(db: Any, city_id: str) -> int | None:
    """A city's number on the timeline: the log position of its registration."""
    return db.scalar(f"SELECT position FROM {CITIES.name} WHERE id = ?", (city_id,))


@looks_up("stakeholders")
def _load_stakeholders(db: Any, city_id: str) -> dict[str, str]:
    rows = db.all(f"SELECT stakeholder_id, name FROM {STAKEHOLDERS.name} WHERE city_id = ?", (city_id,))
    return {r["stakeholder_id"]: r["name"] for r in rows}


def name(ctx: Context, city_id: str, position: int) -> str:
    """The city's name just before ``position`` (its id if it had none)."""
    found = city_id
    for since, called in ctx.get("names", city_id) or ():
        if since >= position:
            break
        found = called
    return found


# -- handlers --------------------------------------------------------------------------------


@handles(City.CityRegistered)
def registered(ctx: Context, position: int, e: Any) -> None:
    cid, at = str(e.originator_id), instant(e.timestamp)
    CITIES.insert(
        ctx.db,
        id=cid,
        name=e.name,
        local_name=e.local_name,
        country=e.country,
        region=region(e.country),
        timezone=e.timezone,
        population=e.population,
        description=e.description,
        working_hours=None if e.working_hours is None else dump(e.working_hours),
        themes_offered=dump(list(e.themes_offered)),
        themes_sought=dump(list(e.themes_sought)),
        status=CityStatus.ACTIVE,
        sort_key=sort_key(e.name),
        search=_search(e.name, e.local_name),
        registered_at=at,
        updated_at=at,
        version=e.originator_version,
        position=position,
    )
    NAMES.insert(ctx.db, city_id=cid, position=position, name=e.name)
    ctx.put("numbers", cid, position)
    timeline.record_city(ctx, cid, position)


@tells(City.CityRegistered)
def _registered(ctx: Context, position: int, e: Any) -> str:
    return Told(
        "{city} joined the programme ({country}, {zone})", city=e.name, country=Country(e.country), zone=e.timezone
    )


@handles(City.ProfileUpdated)
def profile_updated(ctx: Context, position: int, e: Any) -> None:
    cid, changes = str(e.originator_id), dict(e.changes)
    columns: dict[str, Any] = {}
    for key in sorted(changes):
        value = changes[key]
        if key in PROFILE_COLUMNS:
            columns[key] = value
        elif key == "working_hours":
            columns[key] = None if value is None else dump(value)
        elif key in ("themes_offered", "themes_sought"):
            columns[key] = dump(list(value))
    if "name" in changes or "local_name" in changes:
        current = (
            ctx.db.held_row(CITIES.name, id=cid)
            or ctx.db.one(f"SELECT name, local_name FROM {CITIES.name} WHERE id = ?", (cid,))
            or {}
        )
        new_name = changes.get("name", current.get("name"))
        local = changes["local_name"] if "local_name" in changes else current.get("local_name")
        columns.update(sort_key=sort_key(new_name), search=_search(new_name, local))
    ctx.touch(CITIES.name, e, cid, **columns)
    if "name" in changes:
        NAMES.insert(ctx.db, city_id=cid, position=position, name=changes["name"])
    timeline.record_city(ctx, cid, position)


@tells(City.ProfileUpdated)
def _profile_updated(ctx: Context, position: int, e: Any) -> str:
    fields = Names([word(k.replace("_", " ")) for k in sorted(e.changes)], together=False)
    return Told("{city} updated its profile: {fields}", city=name(ctx, str(e.originator_id), position), fields=fields)


@handles(City.StakeholderAdded)
def stakeholder_added(ctx: Context, position: int, e: Any) -> None:
    cid = str(e.originator_id)
    STAKEHOLDERS.insert(
        ctx.db,
        city_id=cid,
        stakeholder_id=e.stakeholder_id,
        name=e.name,
        kind=e.kind,
        themes=dump(list(e.themes)),
        position=position,
    )
    ctx.touch(CITIES.name, e, cid)
    timeline.record_city(ctx, cid, position)


@tells(City.StakeholderAdded)
def _stakeholder_added(ctx: Context, position: int, e: Any) -> str:
    return Told(
        "{city} added a {kind} stakeholder: {stakeholder}",
        city=name(ctx, str(e.originator_id), position),
        kind=word(e.kind),
        stakeholder=e.name,
    )


@handles(City.StakeholderRemoved)
def stakeholder_removed(ctx: Context, position: int, e: Any) -> None:
    cid = str(e.originator_id)
    key = {"city_id": cid, "stakeholder_id": e.stakeholder_id}
    ctx.db.update(STAKEHOLDERS.name, key, {"removed_position": position})
    ctx.touch(CITIES.name, e, cid)
    timeline.record_city(ctx, cid, position)


@tells(City.StakeholderRemoved)
def _stakeholder_removed(ctx: Context, position: int, e: Any) -> str:
    cid = str(e.originator_id)
    removed = (ctx.get("stakeholders", cid) or {}).get(e.stakeholder_id)
    return Told(
        "{city} removed a stakeholder: {stakeholder}",
        city=name(ctx, cid, position),
        stakeholder=removed or e.stakeholder_id,
    )


@handles(City.CityRetired)
def retired(ctx: Context, position: int, e: Any) -> None:
    cid = str(e.originator_id)
    ctx.touch(CITIES.name, e, cid, status=CityStatus.RETIRED)
    timeline.record_city(ctx, cid, position)


@tells(City.CityRetired)
def _retired(ctx: Context, position: int, e: Any) -> str:
    return Told("{city} left the programme", city=name(ctx, str(e.originator_id), position))


# -- queries ---------------------------------------------------------------------------------


class CityQueries:
    """Mixed into ``Views``."""

    def cities(
        self,
        region: str | None = None,
        theme: str | None = None,
        q: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        country: str | None = None,
    ) -> Page:
        """Cities by name; ``theme`` offered or sought; ``q`` a case-insensitive substring of name or local name."""
        limit = check_limit(limit)
        after = decode_cursor("cities", cursor, str, str)
        where = Where()
        if region := check_text(region, "region"):
            where.add("region = ?", region)
        if status := check_text(status, "status"):
            where.add("status = ?", status)
        if country := check_text(country, "country"):
            where.add("country = ?", country.upper())
        if theme := check_text(theme, "theme"):
            where.add(f"({contains('themes_offered')} OR {contains('themes_sought')})", member(theme), member(theme))
        if q is not None and q.strip():
            if len(q) > MAX_SEARCH:
                raise InvalidValue("q", f"must be at most {MAX_SEARCH} characters")
            if _CONTROL.search(q):
                raise InvalidValue("q", "must not contain control characters")
            where.add("search LIKE ? ESCAPE '!'", like(q.strip()))
        if after:
            where.add("(sort_key > ? OR (sort_key = ? AND id > ?))", after[0], after[0], after[1])
        with self._read() as db:
            rows = db.all(
                f"SELECT * FROM {CITIES.name}{where.sql()} ORDER BY sort_key, id LIMIT ?", (*where.params, limit + 1)
            )
            rows, next_cursor = split(rows, limit, lambda r: encode_cursor("cities", r["sort_key"], r["id"]))
            return {"items": city_items(db, rows), "next_cursor": next_cursor}

    def city(self, city_id: str) -> dict[str, Any] | None:
        with self._read() as db:
            rows = db.all(f"SELECT * FROM {CITIES.name} WHERE id = ?", (str(city_id),))
            return city_items(db, rows)[0] if rows else None


def city_items(db: Any, rows: list[dict]) -> list[dict]:
    ids = [r["id"] for r in rows]
    stakeholders: dict[str, list[dict]] = defaultdict(list)
    if ids:
        for stored in db.all(
            f"SELECT * FROM {STAKEHOLDERS.name} WHERE city_id IN ({marks(ids)}) AND removed_position IS NULL"
            " ORDER BY position, stakeholder_id",
            ids,
        ):
            s = STAKEHOLDERS.decode(stored)
            stakeholders[s["city_id"]].append(
                {"id": s["stakeholder_id"], "name": s["name"], "kind": s["kind"], "themes": s["themes"]}
            )
    items = []
    for stored in rows:
        r = CITIES.decode(stored)
        items.append(
            {
                **{k: r[k] for k in ("id", "name", "local_name", "country", "region", "timezone", "population")},
                "description": r["description"],
                "working_hours": r["working_hours"],
                "themes_offered": r["themes_offered"],
                "themes_sought": r["themes_sought"],
                "status": r["status"],
                "version": r["version"],
                "stakeholders": stakeholders[r["id"]],
                "created_at": r["registered_at"],
                "registered_at": r["registered_at"],  # deprecated alias of created_at, for one release
                "updated_at": r["updated_at"],
            }
        )
    return items
