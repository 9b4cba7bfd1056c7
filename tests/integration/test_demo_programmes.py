"""The demo loads IUC Asia 2017-2020 (its pilot cities and four thematic clusters) and the IURC
Asia-Australasia programme from January 2021 with some of the same cities, on both stores."""

from __future__ import annotations

from datetime import date

from config.settings import persistence_env
from domain.demo.loader import demo_data, demo_id, load_demo
from domain.demo.programmes import programmes_data
from domain.followers import Follower
from domain.model.city import City
from domain.model.partnership import Partnership
from domain.model.programme import CooperationProgramme, programme_id_of
from domain.model.project import PilotProject
from domain.regions import region_of
from domain.views import Views


def test_the_demo_loads_both_programmes_once(programme, database_url):
    first = load_demo(programme, secret="demo-secret")
    second = load_demo(programme, secret="demo-secret")
    assert second.recorded == 0

    iuc = programme.load(CooperationProgramme, programme_id_of("iuc-asia"))
    iurc = programme.load(CooperationProgramme, programme_id_of("iurc-asia-australasia"))
    assert (iuc.starts_on, iuc.ends_on) == (date(2017, 1, 1), date(2020, 12, 31))
    assert iurc.starts_on == date(2021, 1, 1) and iurc.ends_on is None
    assert "oceania" in iurc.regions and "south-east-asia" in iurc.regions

    regions = [region_of(programme.load(City, c).country) for c in iuc.city_ids]
    assert regions.count("europe") == 13  # the seed's 13 European pilot cities
    assert regions.count("east-asia") == 19  # its 18 Chinese pilot cities, and Nanjing of three 2020 projects
    continuing = {programme.load(City, c).name for c in iurc.city_ids}
    assert continuing == {"Rome", "Barcelona", "Bologna", "Stuttgart Region", "Yangzhou"}
    assert set(iurc.city_ids) <= set(iuc.city_ids)
    assert iuc.facilitator_ids != iurc.facilitator_ids

    for item in demo_data()["partnerships"]:
        assert programme.load(Partnership, demo_id("partnership", item["key"])).programme_id == str(iuc.id)
    for item in demo_data()["projects"]:
        assert programme.load(PilotProject, demo_id("project", item["key"])).programme_id == str(iuc.id)

    views = Views(persistence_env(database_url), log=programme)
    try:
        Follower(programme, views).run_once()
        shown = views.programme(str(iuc.id))
        clusters = shown["clusters"]
        assert len(clusters) == 4
        assert [c["name"] for c in clusters] == [c["name"] for c in programmes_data()["programmes"][0]["clusters"]]
        assert all(len(c["city_ids"]) >= 2 and set(c["city_ids"]) <= set(iuc.city_ids) for c in clusters)
        energy = views.cluster(next(c["id"] for c in clusters if "Energy" in c["name"]))
        assert {p["title"] for p in energy["projects"]}, energy  # the pilot projects of its members on its themes
        assert [p["code"] for p in views.programmes(city_id=first.city_ids["rome"])] == [
            "iuc-asia",
            "iurc-asia-australasia",
        ]
        # What users read carries no authoring notes of the seed.
        for meeting in views.meetings(programme_id=str(iuc.id), limit=50)["items"]:
            assert "seed" not in (meeting["summary"] or "").lower()
            assert "stands in" not in (meeting["summary"] or "").lower()
    finally:
        views.close()
