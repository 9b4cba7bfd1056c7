"""Plans for pilot projects and agreements: milestones due or overdue, agreements left unsigned."""

from __future__ import annotations

from datetime import timedelta

from eventsourcing.domain import DomainEvent

from domain.model.agreement import Agreement
from domain.model.project import PilotProject
from domain.model.statuses import AgreementStatus, MilestoneStatus, ProjectStatus
from workers.dispatcher.base import J, Plan, Planning, notice_at, short
from workers.jobs import AGREEMENT_UNSIGNED_AFTER, MILESTONE_WARNING
from workers.scheduling import JobSpec, job_id


def milestone(event: DomainEvent, planning: Planning) -> list[JobSpec]:
    pid, mid, due = str(event.originator_id), event.milestone_id, event.due_on
    today = planning.now.date()
    specs = []
    if due >= today:
        specs.append(
            JobSpec(
                job_id("milestone", pid, short(mid), due.isoformat(), "soon"),
                J + "send_milestone_due",
                (pid, mid, due.isoformat(), "soon"),
                at=notice_at(due - MILESTONE_WARNING),
                description=f"milestone {mid!r} of project {pid} due on {due}",
            )
        )
    specs.append(
        JobSpec(
            job_id("milestone", pid, short(mid), due.isoformat(), "overdue"),
            J + "send_milestone_due",
            (pid, mid, due.isoformat(), "overdue"),
            at=notice_at(due + timedelta(days=1)),
            description=f"milestone {mid!r} of project {pid} overdue after {due}",
        )
    )
    project = planning.programme.load(PilotProject, pid)
    current = project.milestones.get(mid)
    if (
        project.status != ProjectStatus.ACTIVE
        or current is None
        or current["status"] != MilestoneStatus.PLANNED
        or current["due_on"] != due
    ):
        return []  # achieved, moved or closed since: nothing to remind of
    return specs


def agreement_drafted(event: DomainEvent, planning: Planning) -> list[JobSpec]:
    aid = str(event.originator_id)
    if planning.programme.load(Agreement, aid).status != AgreementStatus.DRAFTED:
        return []
    return [
        JobSpec(
            job_id("agreement-unsigned", aid),
            J + "send_agreement_unsigned",
            (aid,),
            at=event.timestamp + AGREEMENT_UNSIGNED_AFTER,
            description=f"agreement '{event.title}' unsigned after 30 days",
        )
    ]


PLANS = {
    PilotProject.MilestonePlanned: Plan(milestone, timed=True),
    PilotProject.MilestoneRescheduled: Plan(milestone, timed=True),
    Agreement.AgreementDrafted: Plan(agreement_drafted, timed=True),
}
