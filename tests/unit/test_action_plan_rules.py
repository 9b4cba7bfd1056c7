"""ActionPlan (UCAP): Rome and Yantai's plan, its actions, indicators and adoption by both members."""

from __future__ import annotations

from datetime import date

import pytest

from domain.application.programmes import FacilitatorOutsideProgramme
from domain.errors import InvalidValue, NotFound, PermissionDenied
from domain.model.action_plan import (
    ActionClosed,
    ActionNotStarted,
    ActionPlan,
    ActionPlanAlreadyAdopted,
    ActionPlanExists,
    plan_id_of,
)
from domain.model.partnership import Partnership, PartnershipNotActive
from domain.model.statuses import ActionPlanStatus, ActionStatus

ROME, YANTAI, MANNHEIM = "city-rome", "city-yantai", "city-mannheim"
OFFICER = "user-rome-officer"


def plan() -> ActionPlan:
    made = ActionPlan(
        partnership_id="partnership-1", member_city_ids=[ROME, YANTAI], title="Rome–Yantai UCAP", actor=OFFICER
    )
    made.add_objective("o1", "A joint faculty of urban agriculture", actor=OFFICER)
    made.add_action("a1", "Summer school", YANTAI, date(2020, 6, 1), date(2020, 9, 30), "EUR 20k", actor=OFFICER)
    made.define_indicator("i1", "Students trained", "people", 0, 120, actor=OFFICER)
    made.collect_events()
    return made


def recorded(aggregate) -> list[str]:
    return [type(event).__name__ for event in aggregate.collect_events()]


def test_an_action_goes_planned_started_done_and_each_step_is_recorded_with_its_actor():
    ucap = plan()
    ucap.start_action("a1", date(2020, 6, 2), actor=OFFICER)
    ucap.finish_action("a1", date(2020, 9, 15), actor=OFFICER)
    events = ucap.collect_events()
    assert [type(e).__name__ for e in events] == ["ActionStarted", "ActionDone"]
    assert all(e.actor == OFFICER for e in events)
    assert ucap.actions["a1"]["status"] == ActionStatus.DONE and ucap.actions["a1"]["done_on"] == date(2020, 9, 15)
    with pytest.raises(ActionClosed):
        ucap.drop_action("a1", date(2020, 10, 1), "too late", actor=OFFICER)


def test_an_action_is_started_before_it_is_done_and_dropped_actions_stay_dropped():
    ucap = plan()
    with pytest.raises(ActionNotStarted):
        ucap.finish_action("a1", date(2020, 9, 1), actor=OFFICER)
    ucap.drop_action("a1", date(2020, 7, 1), "COVID-19 travel restrictions", actor=OFFICER)
    assert ucap.actions["a1"]["status"] == ActionStatus.DROPPED
    with pytest.raises(ActionClosed):
        ucap.start_action("a1", date(2020, 7, 2), actor=OFFICER)
    assert recorded(ucap) == ["ActionDropped"]


def test_the_responsible_city_must_be_a_member_and_the_action_must_end_after_it_starts():
    ucap = plan()
    with pytest.raises(InvalidValue) as outsider:
        ucap.add_action("a2", "Fair", MANNHEIM, date(2020, 1, 1), date(2020, 2, 1), None, actor=OFFICER)
    assert outsider.value.field == "responsible_city_id"
    with pytest.raises(InvalidValue) as backwards:
        ucap.add_action("a2", "Fair", ROME, date(2020, 3, 1), date(2020, 2, 1), None, actor=OFFICER)
    assert backwards.value.field == "ends_on"
    assert recorded(ucap) == []


def test_indicator_values_are_kept_in_date_order_and_an_unknown_indicator_is_named():
    ucap = plan()
    ucap.report_value("i1", 80, date(2020, 12, 1), "second cohort", actor=OFFICER)
    ucap.report_value("i1", 35, date(2020, 9, 1), None, actor=OFFICER)
    assert [v["value"] for v in ucap.indicators["i1"]["values"]] == [35.0, 80.0]
    with pytest.raises(NotFound, match="'i9'"):
        ucap.report_value("i9", 1, date(2020, 9, 1), None, actor=OFFICER)
    with pytest.raises(InvalidValue) as not_a_number:
        ucap.report_value("i1", float("nan"), date(2020, 9, 1), None, actor=OFFICER)
    assert not_a_number.value.field == "value"
    with pytest.raises(InvalidValue):
        ucap.report_value("i1", 10**400, date(2020, 9, 1), None, actor=OFFICER)
    with pytest.raises(InvalidValue):
        ucap.define_indicator("i2", "Trees", "trees", 5, 5, actor=OFFICER)


def test_the_plan_is_adopted_once_every_member_city_has_adopted_it():
    ucap = plan()
    ucap.adopt(ROME, date(2020, 11, 2), actor=OFFICER)
    assert ucap.status == ActionPlanStatus.DRAFTED
    with pytest.raises(ActionPlanAlreadyAdopted):
        ucap.adopt(ROME, date(2020, 11, 3), actor=OFFICER)
    with pytest.raises(InvalidValue):
        ucap.adopt(MANNHEIM, date(2020, 11, 3), actor=OFFICER)
    ucap.adopt(YANTAI, date(2020, 11, 16), actor="user-yantai-officer")
    assert ucap.status == ActionPlanStatus.ADOPTED and ucap.adopted_on == date(2020, 11, 16)
    assert recorded(ucap) == ["MemberAdoptedActionPlan", "MemberAdoptedActionPlan", "ActionPlanAdopted"]


# -- through the Programme (in memory) ---------------------------------------------------------


def active_partnership(people) -> str:
    app = people.programme
    pid = str(
        app.propose_partnership(
            people.officer("rome"), "Urban agriculture research", people.city("rome"), [people.city("yantai")]
        ).aggregate.id
    )
    app.accept_invitation(people.officer("yantai"), pid, people.city("yantai"))
    return pid


def test_the_old_action_plan_command_creates_the_plan_with_its_summary_as_first_objective(people):
    app, pid = people.programme, active_partnership(people)
    answer = app.adopt_action_plan(people.officer("yantai"), pid, "Joint faculty", date(2020, 11, 30))
    assert answer.aggregate.action_plan == {"summary": "Joint faculty", "adopted_on": date(2020, 11, 30)}
    ucap = app.load(ActionPlan, plan_id_of(pid))
    assert [o["text"] for o in ucap.objectives.values()] == ["Joint faculty"]
    assert ucap.status == ActionPlanStatus.ADOPTED and ucap.adopted_on == date(2020, 11, 30)
    assert set(ucap.adoptions) == {people.city("rome"), people.city("yantai")}
    app.adopt_action_plan(people.officer("rome"), pid, "Joint faculty, extended", date(2021, 2, 1))
    ucap = app.load(ActionPlan, plan_id_of(pid))
    assert [o["text"] for o in ucap.objectives.values()] == ["Joint faculty", "Joint faculty, extended"]
    assert ucap.adopted_on == date(2020, 11, 30)


def test_a_partnership_has_one_plan_drafted_by_a_member_while_it_is_active(people):
    app = people.programme
    proposed = str(
        app.propose_partnership(
            people.officer("rome"), "Mobility", people.city("rome"), [people.city("chongqing")]
        ).aggregate.id
    )
    with pytest.raises(PartnershipNotActive):
        app.draft_action_plan(people.officer("rome"), proposed, "UCAP")
    pid = active_partnership(people)
    with pytest.raises(PermissionDenied):
        app.draft_action_plan(people.officer("mannheim"), pid, "UCAP")
    app.draft_action_plan(people.officer("rome"), pid, "UCAP", ["Faculty"])
    with pytest.raises(ActionPlanExists):
        app.draft_action_plan(people.facilitator, pid, "UCAP again")
    assert app.load(Partnership, pid).version == 3


def test_a_non_member_officer_cannot_report_and_nothing_is_recorded(people):
    app, pid = people.programme, active_partnership(people)
    plan_id = str(app.draft_action_plan(people.officer("rome"), pid, "UCAP").aggregate.id)
    indicator = app.define_indicator(people.officer("yantai"), plan_id, "Students", "people", 0, 100)
    iid = next(iter(indicator.aggregate.indicators))
    version = indicator.aggregate.version
    with pytest.raises(PermissionDenied):
        app.report_indicator_value(people.officer("mannheim"), plan_id, iid, 10, date(2020, 9, 1))
    with pytest.raises(PermissionDenied):
        app.adopt_plan_for_city(people.officer("rome"), plan_id, people.city("yantai"), date(2020, 9, 1))
    assert app.load(ActionPlan, plan_id).version == version


def test_a_facilitator_acts_on_a_plan_only_in_their_programme(people):
    app = people.programme
    iuc = str(
        app.launch_programme(
            people.admin, "iuc-asia", "IUC Asia", ["europe", "east-asia"], date(2017, 1, 1)
        ).aggregate.id
    )
    for city in ("rome", "yantai"):
        app.join_programme(people.admin, iuc, people.city(city))
    pid = active_partnership(people)
    with pytest.raises(FacilitatorOutsideProgramme):
        app.draft_action_plan(people.facilitator, pid, "UCAP")
    plan = app.draft_action_plan(people.officer("rome"), pid, "UCAP").aggregate
    assert plan.programme_id == iuc
    with pytest.raises(FacilitatorOutsideProgramme):
        app.add_objective(people.facilitator, str(plan.id), "Take over")
    app.assign_facilitator(people.admin, iuc, people.facilitator.user_id)
    assert app.add_objective(people.facilitator, str(plan.id), "Faculty").aggregate.objectives
