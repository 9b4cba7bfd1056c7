"""Thematic clusters of a programme: their members, and what a cluster's page shows.

Queries (mixed into ``Views``): ``clusters(programme_id)`` and ``cluster(id)``: its members,
its sessions (meetings scheduled with its ``cluster_id``) and its projects (the programme's
pilot projects with a member city in the cluster and a theme of the cluster).
"""

from __future__ import annotations

from typing import Any

from domain.model.cluster import Cluster
from domain.storage import marks
from domain.views import timeline
from domain.views.cities import name
from domain.views.codec import dump, instant
from domain.views.context import Context, handles, looks_up
from domain.views.programmes import member_cities
from domain.views.table import Table
from domain.views.timeline import quoted, tells
from domain.views.told import Told

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
TABLES = (CLUSTERS, CLUSTER_CITIES)


@looks_up("clusters")
def _load_cluster(db: Any, cid: str) -> dict[str, Any] | None:
    row = db.one(f"SELECT name, programme_id FROM {CLUSTERS.name} WHERE id = ?", (cid,))
    return None if row is None else {"name": row["name"], "programme_id": row["programme_id"]}


# -- handlers --------------------------------------------------------------------------------


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
    timeline.record_city(ctx, e.city_id, position)


@handles(Cluster.CityLeftCluster)
def city_left_cluster(ctx: Context, position: int, e: Any) -> None:
    cid = str(e.originator_id)
    ctx.db.delete(CLUSTER_CITIES.name, {"cluster_id": cid, "city_id": e.city_id})
    ctx.touch(CLUSTERS.name, e, cid)
    timeline.record_city(ctx, e.city_id, position)


# -- what the timeline and history say ------------------------------------------------------


def _cluster(ctx: Context, e: Any) -> str:
    found = ctx.get("clusters", str(e.originator_id))
    return quoted(found["name"]) if found else str(e.originator_id)


@tells(Cluster.ClusterFormed)
def _formed(ctx: Context, position: int, e: Any) -> str:
    return Told("The cluster {cluster} was formed", cluster=quoted(e.name))


@tells(Cluster.CityJoinedCluster, Cluster.CityLeftCluster)
def _cluster_member(ctx: Context, position: int, e: Any) -> str:
    city, cluster = name(ctx, e.city_id, position), _cluster(ctx, e)
    if isinstance(e, Cluster.CityJoinedCluster):
        return Told("{city} joined the cluster {cluster}", city=city, cluster=cluster)
    return Told("{city} left the cluster {cluster}", city=city, cluster=cluster)


# -- queries ---------------------------------------------------------------------------------


def cluster_items(db: Any, rows: list[dict]) -> list[dict]:
    cities = member_cities(db, CLUSTER_CITIES, "cluster_id", [r["id"] for r in rows])
    items = []
    for stored in rows:
        r = CLUSTERS.decode(stored)
        del r["position"]
        items.append({**r, "cities": cities[r["id"]], "city_ids": [c["city_id"] for c in cities[r["id"]]]})
    return items


class ClusterQueries:
    """Mixed into ``Views``."""

    def clusters(self, programme_id: str) -> list[dict[str, Any]]:
        with self._read() as db:
            rows = db.all(
                f"SELECT * FROM {CLUSTERS.name} WHERE programme_id = ? ORDER BY position", (str(programme_id),)
            )
            return cluster_items(db, rows)

    def cluster(self, cluster_id: str) -> dict[str, Any] | None:
        """A cluster with its members, its sessions (meetings scheduled as its sessions) and its projects
        (the programme's pilot projects with a member city in the cluster and a theme of the cluster)."""
        from domain.views.meetings import MEETINGS, meeting_items
        from domain.views.projects import PROJECT_CITIES, PROJECTS, project_items

        with self._read() as db:
            rows = db.all(f"SELECT * FROM {CLUSTERS.name} WHERE id = ?", (str(cluster_id),))
            if not rows:
                return None
            item = cluster_items(db, rows)[0]
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
