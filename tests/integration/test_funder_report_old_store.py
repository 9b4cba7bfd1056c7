"""The funder's report over a store written by v0.1.0 (tests/fixtures/v0.1.0), after ``twinning upgrade``, on
SQLite and PostgreSQL: its figures are the log's, its old summary-only action plan is counted apart, and the old
``action-plan`` command now gives that partnership a plan aggregate."""

from __future__ import annotations

from datetime import date

from eventsourcing.utils import get_topic

from config.settings import persistence_env
from domain.access import SYSTEM
from domain.application import Programme
from domain.followers import Follower
from domain.model.action_plan import ActionPlan, plan_id_of
from domain.model.meeting import Meeting
from domain.model.partnership import Partnership
from domain.model.programme import programme_id_of
from domain.model.project import PilotProject
from domain.model.statuses import PartnershipStatus
from domain.views import Views
from tests.integration.test_upgrade_v010 import OLD_EVENTS, old_store  # noqa: F401  (the fixture on both stores)


def _count(notifications, cls) -> int:
    return sum(1 for n in notifications if n.topic == get_topic(cls))


def test_the_report_over_an_upgraded_v010_store_counts_what_its_log_holds(old_store):  # noqa: F811
    url, _ = old_store
    app = Programme(env=persistence_env(url))
    views = Views(persistence_env(url), log=app)
    try:
        old = list(app.recorder.select_notifications(1, OLD_EVENTS, stop=OLD_EVENTS))
        app.upgrade("default", "Default programme")
        pid = str(programme_id_of("default"))
        Follower(app, views).run_once()
        report = views.funder_report(pid, as_of=date(2021, 1, 31))

        assert report["pairings"]["total"] == _count(old, Partnership.PartnershipProposed)
        assert report["pairings"]["by_status"]["active"] == _count(old, Partnership.PartnershipActivated) - _count(
            old, Partnership.PartnershipConcluded
        )
        summaries = _count(old, Partnership.ActionPlanAdopted)
        assert summaries >= 1
        assert report["action_plans"] == {"total": 0, "adopted": 0, "drafted": 0, "summary_only": summaries}
        assert report["milestones"]["total"] == _count(old, PilotProject.MilestonePlanned)
        assert report["sessions"]["total"] == _count(old, Meeting.MeetingScheduled)
        assert len(report["progress_review"]) == _count(old, PilotProject.ProjectLaunched)

        active = next(
            p.originator_id
            for p in old
            if p.topic == get_topic(Partnership.PartnershipProposed)
            and app.load(Partnership, p.originator_id).status == PartnershipStatus.ACTIVE
        )
        app.adopt_action_plan(SYSTEM, str(active), "Joint work plan 2021", date(2021, 1, 15))
        plan = app.load(ActionPlan, plan_id_of(active))
        assert plan.programme_id == pid and [o["text"] for o in plan.objectives.values()] == ["Joint work plan 2021"]
        Follower(app, views).run_once()
        after = views.funder_report(pid, as_of=date(2021, 1, 31))["action_plans"]
        assert after["total"] == after["adopted"] == 1
    finally:
        views.close()
        app.close()
