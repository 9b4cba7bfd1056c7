"""The programme's story end to end on a real store, read back by a fresh Application."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from domain.model.agreement import Agreement
from domain.model.meeting import Meeting
from domain.model.partnership import Partnership
from domain.model.project import PilotProject
from tests.support.cast import build_programme

CET = timezone(timedelta(hours=1))


def test_rome_and_yantai_cooperate_from_proposal_to_achieved_milestone(cast, database_url, clock):
    app, rome, yantai = cast.programme, cast.city("rome"), cast.city("yantai")
    proposal = app.propose_partnership(
        cast.officer("rome"),
        "Urban agriculture research",
        rome,
        [yantai],
        ["urban-agriculture"],
    ).aggregate
    app.accept_invitation(cast.officer("yantai"), str(proposal.id), yantai)

    starts = datetime(2020, 10, 28, 9, 0, tzinfo=CET)
    clock.current = starts - timedelta(days=7)  # the ceremony is planned a week ahead
    session = app.schedule_meeting(
        cast.facilitator, "MoU signing ceremony", "online", starts, 90, [rome, yantai], partnership_id=str(proposal.id)
    ).aggregate
    clock.current = starts + timedelta(hours=2)
    app.record_meeting_outcome(cast.facilitator, str(session.id), 40, "Yantai and Tuscia universities signed an MoU")

    mou = app.draft_agreement(
        cast.officer("yantai"),
        "Yantai University – Tuscia University MoU",
        "mou",
        [{"name": "Yantai University", "city_id": yantai}, {"name": "Tuscia University", "city_id": rome}],
        ["urban-agriculture"],
        partnership_id=str(proposal.id),
    ).aggregate
    app.sign_agreement(cast.officer("yantai"), str(mou.id), "Yantai University", date(2020, 10, 29))
    app.sign_agreement(cast.officer("rome"), str(mou.id), "Tuscia University", date(2020, 10, 30))

    project = app.launch_project(
        cast.officer("rome"), "Sino-Italian Faculty of Urban Agriculture", str(proposal.id), ["urban-agriculture"]
    ).aggregate
    app.plan_milestone(
        cast.officer("rome"), str(project.id), "Summer school held", date(2021, 7, 1), milestone_id="summer-school"
    )
    app.achieve_milestone(
        cast.officer("yantai"), str(project.id), "summer-school", date(2021, 7, 15), note="First cohort"
    )

    fresh = build_programme(database_url)
    try:
        assert fresh.load(Partnership, proposal.id).status == "active"
        assert fresh.load(Meeting, session.id).outcome["attendance"] == 40
        agreement = fresh.load(Agreement, mou.id)
        assert agreement.status == "in_force"
        assert agreement.in_force_on == date(2020, 10, 30)
        milestone = fresh.load(PilotProject, project.id).milestones["summer-school"]
        assert (milestone["status"], milestone["achieved_on"]) == ("achieved", date(2021, 7, 15))
        assert fresh.load(Meeting, session.id).starts_at == starts
    finally:
        fresh.close()
