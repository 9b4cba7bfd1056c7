"""The IUC 2020 demo programme loads from its data file, and loading it again records nothing."""

from __future__ import annotations

from datetime import date

from domain.demo.loader import demo_id, load_demo
from domain.model.agreement import Agreement
from domain.model.meeting import Meeting
from domain.model.partnership import Partnership
from domain.model.project import PilotProject


def test_demo_programme_loads_once_and_a_second_run_records_no_event(programme):
    first = load_demo(programme, secret="demo-secret")
    second = load_demo(programme, secret="demo-secret")

    assert len(first.city_ids) >= 30
    assert first.recorded > 300
    assert second.recorded == 0
    assert second.tokens == first.tokens
    assert programme.authenticate(first.tokens["officer of Rome"][1]).city_id == first.city_ids["rome"]


def test_demo_programme_carries_the_seeds_facts(programme):
    load_demo(programme, secret="demo-secret")

    railway = programme.load(PilotProject, demo_id("project", "cargo-railway"))
    opened = [m for m in railway.milestones.values() if m["status"] == "achieved"]
    assert opened and opened[0]["achieved_on"] == date(2018, 10, 1)

    mou = programme.load(Agreement, demo_id("agreement", "yantai-tuscia-mou"))
    assert mou.status == "in_force"
    assert {p["name"] for p in mou.parties} == {"Yantai University", "Tuscia University"}

    global_event = programme.load(Meeting, demo_id("meeting", "iuc-4th-global-event"))
    assert global_event.status == "held"
    assert global_event.outcome["attendance"] == 166
    assert global_event.starts_at.date() == date(2020, 12, 3)

    assert programme.load(Partnership, demo_id("partnership", "barcelona-liuzhou-liudong")).status == "active"
