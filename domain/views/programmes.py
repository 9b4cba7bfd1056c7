"""Programmes and their clusters: who is in which, and what a cluster's page shows.

Queries (mixed into ``Views``): ``programmes()``, ``programme(id)`` (with its cities and
clusters), ``programme_cities(id)``, ``programmes_of_city(city_id)``, ``clusters(programme_id)``
and ``cluster(id)`` (its members, its sessions and the projects of its members on its themes).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from domain.model.agreement import Agreement
from domain.model.cluster import Cluster
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
from domain.views.timeline import quoted, tells

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
CLUSTERS = Table(
    "view_clusters",
    "id, programme_id, name, themes:json, formed_at:instant, updated_at:instant, version:int, position:bigint",
    key="id",
    indexes={"by_programme": "programme_id, position"},
)
CLUSTER_CITIES = Table(
    "view_cluster_cities",
    "cluster_id, city_id, joined_at:instant, position:bigint",
    key="cluster_id, city_id",
    indexes={"by_city": "city_id, cluster_id"},
)
TABLES = (PROGRAMMES, PROGRAMME_CITIES, CLUSTERS, CLUSTER_CITIES)


@looks_up("programmes", copy=dict)
def _load_programme(db: Any, pid: str) -> dict[str, Any] | None:
    row = db.one(f"SELECT code, name FROM {PROGRAMMES.name} WHERE id = ?", (pid,))
    return None if row is None else {"code": row["code"], "name": row["name"]}


@looks_up("clusters")
def _load_cluster(db: Any, cid: str) -> dict[str, Any] | None:
    row = db.one(f"SELECT name, programme_id FROM {CLUSTERS.name} WHERE id = ?", (cid,))
    return None if row is None else {"name": row["name"], "programme_id": row["programme_id"]}


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
    timeline.record(ctx, [e.city_id], position)


@handles(CooperationProgramme.CityLeft)
def city_left(ctx: Context, position: int, e: Any) -> None:
    pid = str(e.originator_id)
    ctx.db.delete(PROGRAMME_CITIES.name, {"programme_id": pid, "city_id": e.city_id})
    ctx.touch(PROGRAMMES.name, e, pid)
    timeline.record(ctx, [e.city_id], position)


@handles(CooperationProgramme.FacilitatorAssigned)
def facilitator_assigned(ctx: Context, position: int, e: Any) -> None:
    pid = str(e.originator_id)
    held = ctx.db.held_row(PROGRAMMES.name, id=pid)
    stored = held or ctx.db.one(f"SELECT facilitator_ids FROM {PROGRAMMES.name} WHERE id = ?", (pid,))
    ctx.touch(PROGRAMMES.name, e, pid, facilitator_ids=dump([*load(stored["facilitator_ids"]), e.user_id]))


@handles(CooperationProgramme.ProgrammeClosed)
def closed(ctx: Context, position: int, e: Any) -> None:
    ctx.touch(PROGRAMMES.name, e, status=ProgrammeStatus.CLOSED, ends_on=day(e.ends_on))


@handles(Cluster.ClusterFormed)
def cluster_formed(ctx: Context, position: int, e: Any) -> None:
    cid, at = str(e.originator_id), instant(e.timestamp)
    CLUSTERS.insert(
        ctx.db,
        id=cid,
        programme_id=e.programme_id,
        name=e.name,
        themes=dump(list(e.themes)),
        formed_at=at,
        updated_at=at,
        version=e.originator_version,
        position=position,
    )
    ctx.put("clusters", cid, {"name": e.name, "programme_id": e.programme_id})


@handles(Cluster.CityJoinedCluster)
def city_joined_cluster(ctx: Context, position: int, e: Any) -> None:
    cid = str(e.originator_id)
    CLUSTER_CITIES.insert(ctx.db, cluster_id=cid, city_id=e.city_id, joined_at=instant(e.timestamp), position=position)
    ctx.touch(CLUSTERS.name, e, cid)
    timeline.record(ctx, [e.city_id], position)


@handles(Cluster.CityLeftCluster)
def city_left_cluster(ctx: Context, position: int, e: Any) -> None:
    cid = str(e.originator_id)
    ctx.db.delete(CLUSTER_CITIES.name, {"cluster_id": cid, "city_id": e.city_id})
    ctx.touch(CLUSTERS.name, e, cid)
    timeline.record(ctx, [e.city_id], position)


# -- what the timeline and history say ------------------------------------------------------


def _programme(ctx: Context, e: Any) -> str:
    found = ctx.get("programmes", str(e.originator_id))
    return found["name"] if found else str(e.originator_id)


def _cluster(ctx: Context, e: Any) -> str:
    found = ctx.get("clusters", str(e.originator_id))
    return quoted(found["name"]) if found else str(e.originator_id)


@tells(CooperationProgramme.ProgrammeLaunched)
def _launched(ctx: Context, position: int, e: Any) -> str:
    return f"The programme {e.name} ({e.code}) was launched, starting on {day(e.starts_on)}"


@tells(CooperationProgramme.CityJoined)
def _city_joined(ctx: Context, position: int, e: Any) -> str:
    return f"{name(ctx, e.city_id, position)} joined the programme {_programme(ctx, e)}"


@tells(CooperationProgramme.CityLeft)
def _city_left(ctx: Context, position: int, e: Any) -> str:
    return f"{name(ctx, e.city_id, position)} left the programme {_programme(ctx, e)}"


@tells(CooperationProgramme.FacilitatorAssigned)
def _facilitator(ctx: Context, position: int, e: Any) -> str:
    return f"A facilitator was assigned to the programme {_programme(ctx, e)}"


@tells(CooperationProgramme.ProgrammeClosed)
def _closed(ctx: Context, position: int, e: Any) -> str:
    return f"The programme {_programme(ctx, e)} closed on {day(e.ends_on)}"


@tells(Cluster.ClusterFormed)
def _formed(ctx: Context, position: int, e: Any) -> str:
    return f"The cluster {quoted(e.name)} was formed"


@tells(Cluster.CityJoinedCluster, Cluster.CityLeftCluster)
def _cluster_member(ctx: Context, position: int, e: Any) -> str:
    verb = "joined" if isinstance(e, Cluster.CityJoinedCluster) else "left"
    return f"{name(ctx, e.city_id, position)} {verb} the cluster {_cluster(ctx, e)}"


# -- queries ---------------------------------------------------------------------------------


def _cities(db: Any, table: Table, column: str, ids: list[str]) -> dict[str, list[dict]]:
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
    cities = _cities(db, PROGRAMME_CITIES, "programme_id", [r["id"] for r in rows])
    items = []
    for stored in rows:
        r = PROGRAMMES.decode(stored)
        del r["position"]
        members = cities[r["id"]]
        items.append({**r, "cities": members, "city_ids": [c["city_id"] for c in members]})
    return items


def _cluster_items(db: Any, rows: list[dict]) -> list[dict]:
    cities = _cities(db, CLUSTER_CITIES, "cluster_id", [r["id"] for r in rows])
    items = []
    for stored in rows:
        r = CLUSTERS.decode(stored)
        del r["position"]
        items.append({**r, "cities": cities[r["id"]], "city_ids": [c["city_id"] for c in cities[r["id"]]]})
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
            clusters = db.all(f"SELECT * FROM {CLUSTERS.name} WHERE programme_id = ? ORDER BY position", (item["id"],))
            return {**item, "clusters": _cluster_items(db, clusters)}

    def programme_by_code(self, code: str) -> dict[str, Any] | None:
        with self._read() as db:
            row = db.one(f"SELECT id FROM {PROGRAMMES.name} WHERE code = ?", (code,))
        return None if row is None else self.programme(row["id"])

    def programme_cities(self, programme_id: str) -> list[dict[str, Any]]:
        with self._read() as db:
            return _cities(db, PROGRAMME_CITIES, "programme_id", [str(programme_id)])[str(programme_id)]

    def programmes_of_city(self, city_id: str) -> list[str]:
        """The ids of the programmes the city belongs to."""
        with self._read() as db:
            rows = db.all(f"SELECT programme_id FROM {PROGRAMME_CITIES.name} WHERE city_id = ?", (str(city_id),))
        return [r["programme_id"] for r in rows]

    def clusters(self, programme_id: str) -> list[dict[str, Any]]:
        with self._read() as db:
            rows = db.all(
                f"SELECT * FROM {CLUSTERS.name} WHERE programme_id = ? ORDER BY position", (str(programme_id),)
            )
            return _cluster_items(db, rows)

    def cluster(self, cluster_id: str) -> dict[str, Any] | None:
        """A cluster with its members, its sessions (meetings scheduled as its sessions) and its projects
        (the programme's pilot projects with a member city in the cluster and a theme of the cluster)."""
        from domain.views.meetings import MEETINGS, meeting_items
        from domain.views.projects import PROJECT_CITIES, PROJECTS, project_items

        with self._read() as db:
            rows = db.all(f"SELECT * FROM {CLUSTERS.name} WHERE id = ?", (str(cluster_id),))
            if not rows:
                return None
            item = _cluster_items(db, rows)[0]
            sessions = db.all(
                f"SELECT * FROM {MEETINGS.name} WHERE cluster_id = ? ORDER BY starts_at, id", (item["id"],)
            )
            candidates = []
            if item["city_ids"]:
                candidates = db.all(
                    f"SELECT * FROM {PROJECTS.name} WHERE programme_id = ? AND id IN (SELECT project_id FROM"
                    f" {PROJECT_CITIES.name} WHERE city_id IN ({marks(item['city_ids'])})) ORDER BY position",
                    (item["programme_id"], *item["city_ids"]),
                )
            themes = set(item["themes"])
            projects = [p for p in project_items(db, candidates, self.today()) if themes & set(p["themes"])]
            return {**item, "sessions": meeting_items(db, sessions), "projects": projects}


@tells(
    Partnership.ProgrammeAssigned,
    Meeting.ProgrammeAssigned,
    Agreement.ProgrammeAssigned,
    PilotProject.ProgrammeAssigned,
)
def _assigned(ctx: Context, position: int, e: Any) -> str:
    found = ctx.get("programmes", e.programme_id)
    return f"Placed in the programme {found['name'] if found else e.programme_id} by the upgrade"
