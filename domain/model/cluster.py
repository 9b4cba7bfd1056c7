"""A thematic cluster: a named group of one programme's cities around themes (the seed's
four IUC Asia clusters), whose sessions invite all its members."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import RuleBroken


class CityJoinedClusterTwice(RuleBroken):
    code = "city-joined-cluster-twice"
    title = "A city joins a cluster once"


class CityNotInCluster(RuleBroken):
    code = "city-not-in-cluster"
    title = "The city is not a member of this cluster"


class Cluster(Aggregate):
    @event("ClusterFormed")
    def __init__(self, programme_id: str, name: str, themes: list[str], actor: str, id: UUID | None = None) -> None:
        self.programme_id = programme_id
        self.name = name
        self.themes = list(themes)
        self.city_ids: list[str] = []

    def admit(self, city_id: str, actor: str) -> None:
        if city_id in self.city_ids:
            raise CityJoinedClusterTwice(f"the city {city_id} is already in the cluster {self.name}")
        self._join(city_id=city_id, actor=actor)

    @event("CityJoinedCluster")
    def _join(self, city_id: str, actor: str) -> None:
        self.city_ids.append(city_id)

    def release(self, city_id: str, actor: str, reason: str | None = None) -> None:
        if city_id not in self.city_ids:
            raise CityNotInCluster(f"the city {city_id} is not in the cluster {self.name}")
        self._leave(city_id=city_id, reason=reason, actor=actor)

    @event("CityLeftCluster")
    def _leave(self, city_id: str, reason: str | None, actor: str) -> None:
        self.city_ids.remove(city_id)
