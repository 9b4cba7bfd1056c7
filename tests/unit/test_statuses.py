"""Every status and kind the rules set is a member of its enum, live and as read back from the store.

The story walks each aggregate through every transition its rules allow (Rome, Yantai and
Chengdu's partnerships, their sessions, agreement and pilot project), and after each step
checks the aggregate as the command left it and as the store gives it back. It also
checks that every status of each enum is reached by some rule, so a member that no rule
sets (or a rule that sets a string of its own) does not go unnoticed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from types import SimpleNamespace

import pytest

from domain.access import SYSTEM
from domain.model.agreement import Agreement
from domain.model.city import City
from domain.model.meeting import Meeting
from domain.model.notification import Notification
from domain.model.partnership import Partnership
from domain.model.project import PilotProject
from domain.model.statuses import (
    AgreementKind,
    AgreementStatus,
    CityStatus,
    EmailMode,
    FeedbackOutcome,
    InvitationStatus,
    Language,
    MeetingKind,
    MeetingStatus,
    MilestoneStatus,
    NotificationKind,
    PartnershipStatus,
    ProjectStatus,
    Role,
    StakeholderKind,
    UserStatus,
)
from domain.model.user import User


def _typed_values(aggregate) -> list[tuple[str, object, type[StrEnum]]]:
    """(where, value, the enum it must belong to) for every status and kind the aggregate holds."""
    if isinstance(aggregate, City):
        return [("status", aggregate.status, CityStatus)] + [
            (f"stakeholder {s['name']}", s["kind"], StakeholderKind) for s in aggregate.stakeholders
        ]
    if isinstance(aggregate, Partnership):
        return [("status", aggregate.status, PartnershipStatus)] + [
            (f"invitation of {city}", i["status"], InvitationStatus) for city, i in aggregate.invitations.items()
        ]
    if isinstance(aggregate, Meeting):
        answers = getattr(aggregate, "feedback", {})
        return [("status", aggregate.status, MeetingStatus), ("kind", aggregate.kind, MeetingKind)] + [
            (f"{stage} of {city}", entry["outcome"], FeedbackOutcome)
            for stage, entries in answers.items()
            for city, entry in entries.items()
        ]
    if isinstance(aggregate, Agreement):
        return [("status", aggregate.status, AgreementStatus), ("kind", aggregate.kind, AgreementKind)]
    if isinstance(aggregate, PilotProject):
        return [("status", aggregate.status, ProjectStatus)] + [
            (f"milestone {m}", milestone["status"], MilestoneStatus) for m, milestone in aggregate.milestones.items()
        ]
    if isinstance(aggregate, User):
        return [
            ("role", aggregate.role, Role),
            ("status", aggregate.status, UserStatus),
            ("language", aggregate.language, Language),
            ("email mode", aggregate.email_mode, EmailMode),
        ]
    if isinstance(aggregate, Notification):
        return [("kind", aggregate.kind, NotificationKind)]
    raise AssertionError(f"no statuses known for {type(aggregate).__name__}")


class Watch:
    """Checks each aggregate a command leaves, and the same aggregate read back from the store."""

    def __init__(self, programme) -> None:
        self.programme = programme
        self.seen: dict[type[StrEnum], set[StrEnum]] = defaultdict(set)

    def __call__(self, recorded):
        aggregate = recorded.aggregate
        stored = self.programme.load(type(aggregate), aggregate.id)
        for copy, origin in ((aggregate, "as the command left it"), (stored, "read back from the store")):
            for where, value, enum in _typed_values(copy):
                assert type(value) is enum, f"{type(copy).__name__} {where} {origin}: {value!r} is not a {enum}"
                self.seen[enum].add(value)
        return aggregate

    def reached(self, *enums: type[StrEnum]) -> None:
        for enum in enums:
            assert self.seen[enum] == set(enum), f"no rule reaches {sorted(set(enum) - self.seen[enum])}"


@pytest.fixture
def watch(people):
    return Watch(people.programme)


def test_partnerships_go_through_every_status_as_members(people, watch):
    app, rome = people.programme, people.officer("rome")
    city = people.city
    activated = watch(
        app.propose_partnership(rome, "Urban agriculture research", city("rome"), [city("yantai"), city("chengdu")])
    )
    watch(app.accept_invitation(people.officer("yantai"), str(activated.id), city("yantai")))
    watch(app.decline_invitation(people.officer("chengdu"), str(activated.id), city("chengdu"), reason="not now"))
    watch(app.adopt_action_plan(rome, str(activated.id), "Two pilots in 2021", date(2020, 12, 10)))
    watch(app.conclude_partnership(rome, str(activated.id), "both pilots delivered"))

    withdrawn = watch(app.propose_partnership(rome, "Hydrogen buses", city("rome"), [city("chengdu")]))
    watch(app.withdraw_proposal(rome, str(withdrawn.id), reason="the budget moved"))

    declined = watch(app.propose_partnership(rome, "Heritage districts", city("rome"), [city("yantai")]))
    watch(app.decline_invitation(people.officer("yantai"), str(declined.id), city("yantai")))

    lapsed = watch(app.propose_partnership(rome, "Street lighting", city("rome"), [city("chengdu")]))
    watch(app.expire_invitation(SYSTEM, str(lapsed.id), city("chengdu")))

    watch.reached(PartnershipStatus, InvitationStatus)


def test_sessions_agreements_and_projects_reach_every_status_as_members(people, watch, clock):
    app, facilitator, rome = people.programme, people.facilitator, people.officer("rome")
    city = people.city
    clock.current = datetime(2020, 12, 1, 9, 0, tzinfo=UTC)
    cities = [city("rome"), city("yantai")]
    held = watch(
        app.schedule_meeting(facilitator, "Digital twins", MeetingKind.WEBINAR, clock() + timedelta(days=2), 90, cities)
    )
    watch(app.reschedule_meeting(facilitator, str(held.id), clock() + timedelta(days=3)))
    clock.advance(days=4)
    watch(app.record_meeting_outcome(facilitator, str(held.id), 40, "a pilot was agreed"))
    watch(app.give_feedback(rome, str(held.id), city("rome"), 5, "no_further_contact"))
    watch(app.give_feedback(people.officer("yantai"), str(held.id), city("yantai"), 4, "follow_up_planned"))
    watch(app.give_follow_up(rome, str(held.id), city("rome"), "negotiation_started"))
    watch(app.give_follow_up(people.officer("yantai"), str(held.id), city("yantai"), "agreement_reached"))
    cancelled = watch(
        app.schedule_meeting(facilitator, "Field visit", "field_visit", clock() + timedelta(days=9), 240, cities)
    )
    watch(app.cancel_meeting(facilitator, str(cancelled.id), "typhoon warning"))

    parties = [
        {"name": "Yantai University", "city_id": city("yantai")},
        {"name": "Tuscia University", "city_id": city("rome")},
    ]
    agreement = watch(app.draft_agreement(people.officer("yantai"), "Research MoU", "mou", parties))
    watch(app.sign_agreement(people.officer("yantai"), str(agreement.id), "Yantai University", date(2020, 12, 3)))
    watch(app.sign_agreement(rome, str(agreement.id), "Tuscia University", date(2020, 12, 4)))
    watch(app.terminate_agreement(rome, str(agreement.id), "superseded by a framework", date(2021, 6, 1)))

    partnership = app.propose_partnership(rome, "Smart lighting", city("rome"), [city("yantai")]).aggregate
    app.accept_invitation(people.officer("yantai"), str(partnership.id), city("yantai"))
    completed = watch(app.launch_project(rome, "Smart lighting pilot", str(partnership.id)))
    watch(app.plan_milestone(rome, str(completed.id), "Street survey", date(2021, 2, 1), milestone_id="survey"))
    watch(app.plan_milestone(rome, str(completed.id), "Lamps installed", date(2021, 6, 1), milestone_id="lamps"))
    watch(app.achieve_milestone(rome, str(completed.id), "survey", date(2021, 1, 28)))
    watch(app.complete_project(rome, str(completed.id), "the pilot lit two districts"))
    cancelled_project = watch(app.launch_project(rome, "Lighting phase two", str(partnership.id)))
    watch(app.cancel_project(rome, str(cancelled_project.id), "no funding"))

    watch.reached(MeetingStatus, FeedbackOutcome, AgreementStatus, ProjectStatus, MilestoneStatus)


def test_cities_users_and_notifications_hold_members(people, watch):
    app, admin = people.programme, people.admin
    rome = people.city("rome")
    for kind in ("public", "private", "research"):
        watch(app.add_stakeholder(people.officer("rome"), rome, f"Rome {kind} partner", kind, ["smart-city"]))
    watch(app.retire_city(people.facilitator, rome, "left the programme"))
    for role in ("facilitator", "auditor", "admin"):
        issued = app.create_user(admin, f"Second {role}", f"second.{role}@iuc.example", role)
        assert type(issued.user.role) is Role
        assert type(app.authenticate(issued.token).role) is Role  # the principal acting, as authenticated
        watch(app.deactivate_user(admin, str(issued.user.id)))
    leaving = app.create_user(admin, "Leaving officer", "leaving@rome.example", "officer", rome)
    erased = app.erase_person(admin, str(leaving.user.id), "their request")
    watch(SimpleNamespace(aggregate=erased.user))
    yantai = people.officer("yantai")
    watch(app.change_preferences(yantai, yantai.user_id, language="zh-Hans", email="daily"))
    watch(app.change_preferences(yantai, yantai.user_id, email="off"))
    notice = app.record_notification(
        admin, "invitation/partnership/p/1/u", "invitation", "u", {"kind": "partnership", "id": "p"}, "t", "b", []
    )
    watch(notice)
    watch.reached(CityStatus, StakeholderKind, Language, EmailMode, UserStatus)


def test_the_store_keeps_the_plain_strings_and_old_snapshots_compare_equal(people):
    """A member is written exactly as its string, so stores written before the enums open unchanged."""
    app, facilitator = people.programme, people.facilitator
    cities = [people.city("rome"), people.city("yantai")]
    starts = app.now() + timedelta(days=5)
    meeting = app.schedule_meeting(facilitator, "Energy webinar", MeetingKind.WORKSHOP, starts, 60, cities).aggregate
    stored = app.recorder.select_events(meeting.id)[0]
    assert b'"kind":"workshop"' in stored.state

    app.take_snapshot(meeting.id)
    snapshot = next(iter(app.snapshots.get(meeting.id, desc=True, limit=1)))
    assert snapshot.state["status"] == "scheduled" and snapshot.state["kind"] == "workshop"
    reloaded = app.load(Meeting, meeting.id)
    assert reloaded.status == MeetingStatus.SCHEDULED and reloaded.kind == MeetingKind.WORKSHOP
    # The rules still hold on state read from a snapshot: a scheduled session can be cancelled, once.
    app.cancel_meeting(facilitator, str(meeting.id), "speaker ill")
    assert app.load(Meeting, meeting.id).status == MeetingStatus.CANCELLED
