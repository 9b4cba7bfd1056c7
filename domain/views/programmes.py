"""Programmes: their regions, facilitators and cities.

Queries (mixed into ``Views``): ``programmes(city_id=None)``, ``programme(id)`` (with its
cities and its clusters), ``programme_by_code(code)``, ``programme_cities(id)`` and
``programmes_of_city(city_id)``. Clusters: ``domain.views.clusters``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from domain.model.agreement import Agreement
from domain.model.meeting import Meeting
from domain.model.partnership import Partnership
from domain.model.programme import CooperationProgramme
from domain.model.project import PilotProject
from domain.model.statuses import ProgrammeStatus
from domain.storage import marks
from domain.views import timeline
from domain.views.cities import CITIES, name
from domain.views.codec import day, dump, instant, load
from domain.views.context import Context, handles, looks_up
from domain.views.table import Table
from domain.views.timeline import tells
from domain.views.told import Told

PROGRAMMES = Table(
    "view_programmes",
    "id, code, name, regions:json, starts_on:day, ends_on:day?, status, facilitator_ids:json,"
    " launched_at:instant, updated_at:instant, version:int, position:bigint",
    key="id",
    indexes={"by_code": "code"},
)
PROGRAMME_CITIES = Table(
    "view_programme_cities",
    "programme_id, city_id, joined_at:instant, position:bigint",
    key="programme_id, city_id",
    indexes={"by_city": "city_id, programme_id"},
)
TABLES = (PROGRAMMES, PROGRAMME_CITIES)


@looks_up("programmes", copy=dict)
def _load_programme(db: Any, pid: str) -> dict[str, Any] | None:
    row = db.one(f"SELECT code, name FROM {PROGRAMMES.name} WHERE id = ?", (pid,))
    return None if row is None else {"code": row["code"], "name": row["name"]}


# -- handlers --------------------------------------------------------------------------------


@handles(CooperationProgramme.ProgrammeLaunched)
def launched(ctx: Context, position: int, e: Any) -> None:
    pid, at = str(e.originator_id), instant(e.timestamp)
    PROGRAMMES.insert(
        ctx.db,
        id=pid,
        code=e.code,
        name=e.name,
        regions=dump(list(e.regions)),
        starts_on=day(e.starts_on),
        ends_on=day(e.ends_on),
        status=ProgrammeStatus.OPEN,
        facilitator_ids=dump([]),
        launched_at=at,
        updated_at=at,
        version=e.originator_version,
        position=position,
    )
    ctx.put("programmes", pid, {"code": e.code, "name": e.name})


@handles(CooperationProgramme.CityJoined)
def city_joined(ctx: Context, position: int, e: Any) -> None:
    pid = str(e.originator_id)
    PROGRAMME_CITIES.insert(
        ctx.db, programme_id=pid, city_id=e.city_id, joined_at=instant(e.timestamp), position=position
    )
    ctx.touch(PROGRAMMES.name, e, pid)
    timeline.record_city(ctx, e.city_id, position)


@handles(CooperationProgramme.CityLeft)
def city_left(ctx: Context, position: int, e: Any) -> None:
    pid = str(e.originator_id)
    ctx.db.delete(PROGRAMME_CITIES.name, {"programme_id": pid, "city_id": e.city_id})
    ctx.touch(PROGRAMMES.name, e, pid)
    timeline.record_city(ctx, e.city_id, position)


@handles(CooperationProgramme.FacilitatorAssigned)
def facilitator_assigned(ctx: Context, position: int, e: Any) -> None:
    pid = str(e.originator_id)
    held = ctx.db.held_row(PROGRAMMES.name, id=pid)
    stored = held or ctx.db.one(f"SELECT facilitator_ids FROM {PROGRAMMES.name} WHERE id = ?", (pid,))
    ctx.touch(PROGRAMMES.name, e, pid, facilitator_ids=dump([*load(stored["facilitator_ids"]), e.user_id]))


@handles(CooperationProgramme.ProgrammeClosed)
def closed(ctx: Context, position: int, e: Any) -> None:
    ctx.touch(PROGRAMMES.name, e, status=ProgrammeStatus.CLOSED, ends_on=day(e.ends_on))


# -- what the timeline and history say ------------------------------------------------------


def _programme(ctx: Context, e: Any) -> str:
    found = ctx.get("programmes", str(e.originator_id))
    return found["name"] if found else str(e.originator_id)


@tells(CooperationProgramme.ProgrammeLaunched)
def _launched(ctx: Context, position: int, e: Any) -> str:
    return Told(
        "The programme {programme} ({code}) was launched, starting on {day}",
        programme=e.name,
        code=e.code,
        day=day(e.starts_on),
    )


@tells(CooperationProgramme.CityJoined)
def _city_joined(ctx: Context, position: int, e: Any) -> str:
    return Told(
        "{city} joined the programme {programme}", city=name(ctx, e.city_id, position), programme=_programme(ctx, e)
    )


@tells(CooperationProgramme.CityLeft)
def _city_left(ctx: Context, position: int, e: Any) -> str:
    return Told(
        "{city} left the programme {programme}", city=name(ctx, e.city_id, position), programme=_programme(ctx, e)
    )


@tells(CooperationProgramme.FacilitatorAssigned)
def _facilitator(ctx: Context, position: int, e: Any) -> str:
    return Told("A facilitator was assigned to the programme {programme}", programme=_programme(ctx, e))


@tells(CooperationProgramme.ProgrammeClosed)
def _closed(ctx: Context, position: int, e: Any) -> str:
    return Told("The programme {programme} closed on {day}", programme=_programme(ctx, e), day=day(e.ends_on))


# -- queries ---------------------------------------------------------------------------------


def member_cities(db: Any, table: Table, column: str, ids: list[str]) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = defaultdict(list)
    if ids:
        for row in db.all(
            f"SELECT x.{column} AS owner, x.city_id, x.joined_at, c.name, c.country, c.region FROM {table.name} x"
            f" LEFT JOIN {CITIES.name} c ON c.id = x.city_id WHERE x.{column} IN ({marks(ids)})"
            " ORDER BY x.position, c.name",
            ids,
        ):
            found[row["owner"]].append(
                {k: row[k] for k in ("city_id", "name", "country", "region")} | {"joined_at": row["joined_at"]}
            )
    return found


def _programme_items(db: Any, rows: list[dict]) -> list[dict]:
    cities = member_cities(db, PROGRAMME_CITIES, "programme_id", [r["id"] for r in rows])
    items = []
    for stored in rows:
        r = PROGRAMMES.decode(stored)
        del r["position"]
        members = cities[r["id"]]
        items.append({**r, "cities": members, "city_ids": [c["city_id"] for c in members]})
    return items


class ProgrammeQueries:
    """Mixed into ``Views``."""

    def programmes(self, city_id: str | None = None) -> list[dict[str, Any]]:
        """Every programme, oldest first (``city_id``: those the city belongs to)."""
        with self._read() as db:
            if city_id:
                rows = db.all(
                    f"SELECT p.* FROM {PROGRAMMES.name} p JOIN {PROGRAMME_CITIES.name} x ON x.programme_id = p.id"
                    " WHERE x.city_id = ? ORDER BY p.position",
                    (str(city_id),),
                )
            else:
                rows = db.all(f"SELECT * FROM {PROGRAMMES.name} ORDER BY position")
            return _programme_items(db, rows)

    def programme(self, programme_id: str) -> dict[str, Any] | None:
        """A programme with its cities (``cities``, ``city_ids``) and its clusters (each with its cities)."""
        with self._read() as db:
            rows = db.all(f"SELECT * FROM {PROGRAMMES.name} WHERE id = ?", (str(programme_id),))
            if not rows:
                return None
            item = _programme_items(db, rows)[0]
            from domain.views.clusters import CLUSTERS, cluster_items  # clusters build on this module

            clusters = db.all(f"SELECT * FROM {CLUSTERS.name} WHERE programme_id = ? ORDER BY position", (item["id"],))
            return {**item, "clusters": cluster_items(db, clusters)}

    def programme_by_code(self, code: str) -> dict[str, Any] | None:
        with self._read() as db:
            row = db.one(f"SELECT id FROM {PROGRAMMES.name} WHERE code = ?", (code,))
        return None if row is None else self.programme(row["id"])

    def programme_cities(self, programme_id: str) -> list[dict[str, Any]]:
        with self._read() as db:
            return member_cities(db, PROGRAMME_CITIES, "programme_id", [str(programme_id)])[str(programme_id)]

    def programmes_of_city(self, city_id: str) -> list[str]:
        """The ids of the programmes the city belongs to."""
        with self._read() as db:
            rows = db.all(f"SELECT programme_id FROM {PROGRAMME_CITIES.name} WHERE city_id = ?", (str(city_id),))
        return [r["programme_id"] for r in rows]


@tells(
    Partnership.ProgrammeAssigned,
    Meeting.ProgrammeAssigned,
    Agreement.ProgrammeAssigned,
    PilotProject.ProgrammeAssigned,
)
def _assigned(ctx: Context, position: int, e: Any) -> str:
    found = ctx.get("programmes", e.programme_id)
    return Told(
        "Placed in the programme {programme} by the upgrade", programme=found["name"] if found else e.programme_id
    )
