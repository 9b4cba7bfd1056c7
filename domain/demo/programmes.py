"""The demo's programmes (``programmes.json``): IUC Asia 2017-2020 with its four thematic clusters,
and the IURC Asia-Australasia programme that took over in January 2021 with some of its cities.

The seed names the four clusters' count, not their names: the demo groups the 2020
pilot projects by their themes into four clusters, each holding the cities of its
partnerships. Every step looks first, so a second run records nothing.
"""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from typing import TYPE_CHECKING
from uuid import NAMESPACE_URL, uuid5

from domain.access import SYSTEM, Principal
from domain.model.cluster import Cluster
from domain.model.partnership import Partnership
from domain.model.programme import CooperationProgramme
from domain.model.statuses import Role

if TYPE_CHECKING:  # pragma: no cover
    from domain.demo.loader import DemoLoader

_NAMESPACE = uuid5(NAMESPACE_URL, "https://twinning.example/demo/programmes")


def programmes_data() -> dict:
    return json.loads(resources.files("domain.demo").joinpath("programmes.json").read_text(encoding="utf-8"))


class ProgrammesLoader:
    def __init__(self, loader: DemoLoader) -> None:
        self.loader, self.app = loader, loader.app
        self.data = programmes_data()
        self.ids: dict[str, str] = {}  # programme code -> id

    @property
    def main(self) -> str:
        """The programme the 2020 facts belong to (IUC Asia)."""
        return self.ids[self.data["programmes"][0]["code"]]

    def launch(self, facilitators: dict[str, Principal]) -> None:
        users = self.data["users"]
        for label, user in users.items():
            facilitators[label] = self.loader._user(
                label.replace("_", " "), user["name"], user["email"], Role.FACILITATOR
            )
        for item in self.data["programmes"]:
            programme = self.app.programme_by_code(item["code"])
            if programme is None:
                programme = self.app.launch_programme(
                    SYSTEM,
                    item["code"],
                    item["name"],
                    item["regions"],
                    date.fromisoformat(item["starts_on"]),
                    date.fromisoformat(item["ends_on"]) if item["ends_on"] else None,
                ).aggregate
            self.ids[item["code"]] = str(programme.id)
            facilitator = facilitators[item["facilitator"]]
            if facilitator.user_id not in programme.facilitator_ids:
                self.app.assign_facilitator(SYSTEM, str(programme.id), facilitator.user_id)

    def join(self, city_key: str, city_id: str) -> None:
        for item in self.data["programmes"]:
            if item["cities"] != "all" and city_key not in item["cities"]:
                continue
            programme = self.app.load(CooperationProgramme, self.ids[item["code"]])
            if city_id not in programme.city_ids:
                self.app.join_programme(SYSTEM, str(programme.id), city_id)

    def clusters(self) -> None:
        for item in self.data["programmes"]:
            for cluster in item["clusters"]:
                self._cluster(self.ids[item["code"]], cluster)

    def _cluster(self, programme_id: str, item: dict) -> None:
        cid = uuid5(_NAMESPACE, f"cluster/{item['key']}")
        if not self.app.exists(cid):
            self.app.form_cluster(SYSTEM, programme_id, item["name"], item["themes"], new_id=cid)
        members: list[str] = []
        for key in item["partnerships"]:
            partnership = self.app.load(Partnership, self.loader.partnership_id(key))
            members += [c for c in partnership.member_city_ids if c not in members]
        joined = self.app.load(Cluster, cid).city_ids
        for city_id in members:
            if city_id not in joined:
                self.app.join_cluster(SYSTEM, str(cid), city_id)
