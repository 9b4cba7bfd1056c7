"""PilotProject: the members of an active partnership run a pilot, tracked through milestones."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidValue, NotFound, UnknownReference
from domain.model.partnership import PartnershipNotActive
from domain.model.project import MilestoneAlreadyAchieved, MilestoneExists, PilotProject, ProjectClosed

ROME, YANTAI = "city-rome", "city-yantai"
OFFICER = "user-rome-officer"


def pilot() -> PilotProject:
    project = PilotProject(
        title="Sino-Italian Faculty of Urban Agriculture",
        partnership_id="partnership-1",
        member_city_ids=[ROME, YANTAI],
        themes=["urban-agriculture"],
        description=None,
        actor=OFFICER,
    )
    project.plan_milestone("summer-school", "Summer school held", date(2021, 7, 1), actor=OFFICER)
    project.collect_events()
    return project


def recorded(aggregate) -> list[str]:
    return [type(event).__name__ for event in aggregate.collect_events()]


def partnership_of_rome_and_yantai(people) -> str:
    app = people.programme
    return str(
        app.propose_partnership(
            people.officer("rome"),
            "Urban agriculture research",
            people.city("rome"),
            [people.city("yantai"), people.city("chengdu")],
        ).aggregate.id
    )


def test_pilot_project_needs_an_active_partnership(people):
    app = people.programme
    pid = partnership_of_rome_and_yantai(people)
    before = app.recorder.max_notification_id()
    with pytest.raises(PartnershipNotActive):
        app.launch_project(people.officer("rome"), "Faculty", pid, ["urban-agriculture"])
    assert app.recorder.max_notification_id() == before
    app.accept_invitation(people.officer("yantai"), pid, people.city("yantai"))
    app.decline_invitation(people.officer("chengdu"), pid, people.city("chengdu"))
    project = app.launch_project(people.officer("yantai"), "Faculty", pid, ["urban-agriculture"]).aggregate
    assert project.status == "active"
    assert project.member_city_ids == [people.city("rome"), people.city("yantai")]
    app.conclude_partnership(people.officer("rome"), pid, "faculty founded")
    with pytest.raises(PartnershipNotActive):
        app.launch_project(people.officer("rome"), "Second faculty", pid)


def test_withdrawn_partnership_cannot_launch_a_project(people):
    app = people.programme
    pid = partnership_of_rome_and_yantai(people)
    app.withdraw_proposal(people.officer("rome"), pid, "postponed")
    with pytest.raises(PartnershipNotActive):
        app.launch_project(people.facilitator, "Faculty", pid)


def test_unknown_partnership_names_the_field(people):
    with pytest.raises(UnknownReference) as refused:
        people.programme.launch_project(people.facilitator, "Faculty", "00000000-0000-0000-0000-000000000000")
    assert refused.value.field == "partnership_id"


def test_milestone_ids_are_unique_in_a_project():
    project = pilot()
    with pytest.raises(MilestoneExists):
        project.plan_milestone("summer-school", "Second summer school", date(2022, 7, 1), actor=OFFICER)
    assert project.milestones["summer-school"]["title"] == "Summer school held"
    assert recorded(project) == []


def test_milestone_achieved_once():
    project = pilot()
    project.achieve_milestone("summer-school", date(2021, 7, 15), actor=OFFICER, note="First cohort of 30")
    assert recorded(project) == ["MilestoneAchieved"]
    with pytest.raises(MilestoneAlreadyAchieved):
        project.achieve_milestone("summer-school", date(2021, 8, 1), actor=OFFICER)
    milestone = project.milestones["summer-school"]
    assert (milestone["status"], milestone["achieved_on"], milestone["note"]) == (
        "achieved",
        date(2021, 7, 15),
        "First cohort of 30",
    )
    assert recorded(project) == []


def test_achieved_milestone_cannot_be_rescheduled():
    project = pilot()
    project.achieve_milestone("summer-school", date(2021, 7, 15), actor=OFFICER)
    with pytest.raises(MilestoneAlreadyAchieved):
        project.reschedule_milestone("summer-school", date(2021, 9, 1), "late", actor=OFFICER)
    assert project.milestones["summer-school"]["due_on"] == date(2021, 7, 1)


def test_rescheduling_moves_the_due_date_and_the_same_date_records_nothing():
    project = pilot()
    project.reschedule_milestone("summer-school", date(2021, 7, 1), "no change", actor=OFFICER)
    assert recorded(project) == []
    project.reschedule_milestone("summer-school", date(2021, 9, 1), "covid restrictions", actor=OFFICER)
    assert recorded(project) == ["MilestoneRescheduled"]
    assert project.milestones["summer-school"]["due_on"] == date(2021, 9, 1)


def test_unknown_milestone_is_not_found():
    project = pilot()
    with pytest.raises(NotFound):
        project.achieve_milestone("winter-school", date(2021, 1, 15), actor=OFFICER)
    with pytest.raises(NotFound):
        project.reschedule_milestone("winter-school", date(2021, 1, 15), "moved", actor=OFFICER)


def test_overdue_milestones_are_the_planned_ones_past_their_due_date():
    project = pilot()
    project.plan_milestone("lab", "Joint laboratory opened", date(2021, 3, 1), actor=OFFICER)
    project.plan_milestone("report", "Final report", date(2022, 1, 1), actor=OFFICER)
    project.achieve_milestone("lab", date(2021, 2, 20), actor=OFFICER)
    assert [m["id"] for m in project.overdue_milestones(date(2021, 8, 1))] == ["summer-school"]
    assert project.overdue_milestones(date(2021, 7, 1)) == []


@pytest.mark.parametrize("close", ["complete", "cancel"])
def test_closed_project_accepts_nothing_more(close):
    project = pilot()
    getattr(project, close)("the end", actor=OFFICER)
    assert project.status == {"complete": "completed", "cancel": "cancelled"}[close]
    assert project.summary == "the end"
    project.collect_events()
    for command in (
        lambda: project.plan_milestone("new", "New", date(2022, 1, 1), actor=OFFICER),
        lambda: project.achieve_milestone("summer-school", date(2021, 7, 15), actor=OFFICER),
        lambda: project.reschedule_milestone("summer-school", date(2021, 9, 1), "late", actor=OFFICER),
        lambda: project.complete("again", actor=OFFICER),
        lambda: project.cancel("again", actor=OFFICER),
    ):
        with pytest.raises(ProjectClosed):
            command()
    assert recorded(project) == []
    assert project.milestones["summer-school"]["status"] == "planned"


def test_milestone_dates_are_business_dates_kept_as_given(people):
    app = people.programme
    pid = partnership_of_rome_and_yantai(people)
    app.accept_invitation(people.officer("yantai"), pid, people.city("yantai"))
    app.decline_invitation(people.officer("chengdu"), pid, people.city("chengdu"))
    project_id = str(app.launch_project(people.officer("rome"), "Faculty", pid).aggregate.id)
    app.plan_milestone(
        people.officer("rome"), project_id, "Summer school held", date(2021, 7, 1), milestone_id="summer-school"
    )
    with pytest.raises(InvalidValue) as refused:
        app.plan_milestone(
            people.officer("rome"), project_id, "Dup id check", date(2021, 7, 1), milestone_id="bad\x07id"
        )
    assert refused.value.field == "milestone_id"
    achieved = app.achieve_milestone(people.officer("yantai"), project_id, "summer-school", date(2021, 7, 15)).aggregate
    assert achieved.milestones["summer-school"]["achieved_on"] == date(2021, 7, 15)
    stored = app.load(PilotProject, project_id)
    assert stored.milestones["summer-school"] == achieved.milestones["summer-school"]
    with pytest.raises(MilestoneAlreadyAchieved):
        app.achieve_milestone(people.officer("rome"), project_id, "summer-school", date(2021, 7, 16))
    planned_without_id = app.plan_milestone(people.officer("rome"), project_id, "Report", date(2022, 1, 1)).aggregate
    assert len(planned_without_id.milestones) == 2
