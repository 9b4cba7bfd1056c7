"""What every recorded event carries, and how a stale read differs from a broken rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from domain.access import SYSTEM_USER_ID
from domain.errors import ConcurrencyConflict, Duplicate, RuleBroken, StaleVersion
from domain.model.agreement import PartyAlreadySigned
from domain.model.meeting import MeetingNotScheduled
from domain.model.partnership import InvitationNotPending, Partnership

CET = timezone(timedelta(hours=1))


class Recorder:
    """Runs commands and remembers which log positions each acting principal produced."""

    def __init__(self, app) -> None:
        self.app = app
        self.expected: dict[int, str] = {}

    def as_(self, principal, command, *args, **kwargs):
        before = self.app.recorder.max_notification_id() or 0
        result = command(principal, *args, **kwargs)
        after = self.app.recorder.max_notification_id() or 0
        assert after > before, f"{command.__name__} recorded nothing"
        for position in range(before + 1, after + 1):
            self.expected[position] = principal.user_id
        return result


def test_every_event_carries_its_actor(people, clock):
    app = people.programme
    story = Recorder(app)
    rome, yantai, chengdu = people.city("rome"), people.city("yantai"), people.city("chengdu")
    start = app.recorder.max_notification_id()

    city = story.as_(
        people.facilitator, app.register_city, "Liuzhou", "CN", "Asia/Shanghai", local_name="柳州"
    ).aggregate
    story.as_(people.officer("rome"), app.update_city, rome, {"population": 2_844_000})
    story.as_(people.officer("rome"), app.update_city, rome, {"name": "Roma"})
    story.as_(people.officer("rome"), app.add_stakeholder, rome, "Sapienza", "research", ["smart-city"])
    pid = str(
        story.as_(
            people.officer("rome"),
            app.propose_partnership,
            "Urban agriculture",
            rome,
            [yantai, chengdu],
            ["urban-agriculture"],
        ).aggregate.id
    )
    story.as_(people.officer("rome"), app.invite_to_partnership, pid, str(city.id))
    story.as_(people.officer("chengdu"), app.decline_invitation, pid, chengdu, "busy")
    story.as_(people.facilitator, app.decline_invitation, pid, str(city.id))
    story.as_(people.officer("yantai"), app.accept_invitation, pid, yantai)  # also activates it
    story.as_(people.officer("yantai"), app.adopt_action_plan, pid, "Joint agenda", date(2020, 11, 16))
    starts = datetime(2020, 10, 28, 9, 0, tzinfo=CET)
    clock.current = starts - timedelta(days=14)  # planned two weeks ahead
    mid = str(
        story.as_(people.facilitator, app.schedule_meeting, "MoU ceremony", "online", starts, 90, [rome]).aggregate.id
    )
    story.as_(people.facilitator, app.invite_to_meeting, mid, yantai)
    story.as_(people.facilitator, app.reschedule_meeting, mid, starts + timedelta(hours=1))
    clock.current = starts + timedelta(hours=3)
    story.as_(people.admin, app.record_meeting_outcome, mid, 40, "MoU signed")
    aid = str(
        story.as_(
            people.officer("yantai"),
            app.draft_agreement,
            "MoU",
            "mou",
            [{"name": "Yantai University", "city_id": yantai}, {"name": "Tuscia University", "city_id": rome}],
            ["urban-agriculture"],
            partnership_id=pid,
        ).aggregate.id
    )
    story.as_(people.officer("yantai"), app.sign_agreement, aid, "Yantai University", date(2020, 10, 29))
    story.as_(people.officer("rome"), app.sign_agreement, aid, "Tuscia University", date(2020, 10, 30))  # in force
    story.as_(people.facilitator, app.terminate_agreement, aid, "superseded", date(2023, 1, 1))
    project_id = str(story.as_(people.officer("rome"), app.launch_project, "Faculty", pid).aggregate.id)
    story.as_(
        people.officer("rome"), app.plan_milestone, project_id, "Summer school", date(2021, 7, 1), milestone_id="ss"
    )
    story.as_(people.officer("yantai"), app.reschedule_milestone, project_id, "ss", date(2021, 7, 10), "covid")
    story.as_(people.officer("yantai"), app.achieve_milestone, project_id, "ss", date(2021, 7, 15))
    story.as_(people.officer("rome"), app.complete_project, project_id, "done")
    story.as_(people.officer("rome"), app.conclude_partnership, pid, "faculty founded")
    user_id = str(story.as_(people.admin, app.create_user, "Guest", "guest@iuc.example", "auditor").user.id)
    story.as_(people.admin, app.issue_token, user_id)
    story.as_(people.admin, app.revoke_tokens, user_id)
    story.as_(people.admin, app.deactivate_user, user_id)
    story.as_(people.facilitator, app.retire_city, str(city.id), "left")

    events = [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(start + 1, 10_000)]
    assert len(events) == len(story.expected) >= 35
    kinds = set()
    for notification_id, event in zip(sorted(story.expected), events, strict=True):
        kinds.add(type(event).__name__)
        assert event.actor == story.expected[notification_id], f"{type(event).__name__} v{event.originator_version}"
    assert {
        "PartnershipActivated",
        "AgreementInForce",
        "CityNameReleased",
        "TokenRegistered",
        "UserEmailClaimed",
    } <= kinds


def test_every_event_of_the_cast_names_a_known_actor(people):
    """Even the bootstrap of the first admin, done by the system itself, names its actor."""
    app = people.programme
    known = {SYSTEM_USER_ID, people.admin.user_id, people.facilitator.user_id, people.auditor.user_id}
    events = [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(1, 10_000)]
    assert events
    assert {e.actor for e in events} <= known
    assert {e.actor for e in events[:3]} == {SYSTEM_USER_ID}


def test_stale_expected_version_is_distinct_from_a_broken_rule(people):
    assert issubclass(StaleVersion, Exception) and not issubclass(StaleVersion, RuleBroken)
    assert issubclass(ConcurrencyConflict, RuleBroken) and issubclass(Duplicate, RuleBroken)
    assert StaleVersion.kind == "stale" and RuleBroken.kind == "rule"
    assert StaleVersion.code != ConcurrencyConflict.code

    app = people.programme
    pid = str(
        app.propose_partnership(
            people.officer("rome"),
            "Urban agriculture",
            people.city("rome"),
            [people.city("yantai"), people.city("chengdu")],
        ).aggregate.id
    )
    app.accept_invitation(people.officer("yantai"), pid, people.city("yantai"), expected_version=1)

    with pytest.raises(StaleVersion) as stale:
        app.decline_invitation(people.officer("chengdu"), pid, people.city("chengdu"), expected_version=1)
    assert (stale.value.expected, stale.value.actual) == (1, 2)
    assert not isinstance(stale.value, RuleBroken)

    with pytest.raises(InvitationNotPending) as broken:
        app.accept_invitation(people.officer("yantai"), pid, people.city("yantai"), expected_version=2)
    assert isinstance(broken.value, RuleBroken) and not isinstance(broken.value, StaleVersion)
    assert app.load(Partnership, pid).version == 2

    declined = app.decline_invitation(
        people.officer("chengdu"), pid, people.city("chengdu"), expected_version=2
    ).aggregate
    assert (declined.status, declined.version) == ("active", 4)


@pytest.mark.parametrize("family", ["meeting", "agreement"])
def test_expected_version_guards_every_kind_of_aggregate(people, clock, family):
    app = people.programme
    if family == "meeting":
        clock.current = datetime(2020, 11, 30, 9, 0, tzinfo=CET)
        mid = str(
            app.schedule_meeting(
                people.facilitator,
                "Webinar",
                "webinar",
                datetime(2020, 12, 3, 9, 30, tzinfo=CET),
                60,
                [people.city("rome")],
            ).aggregate.id
        )
        app.cancel_meeting(people.facilitator, mid, "no speaker")
        with pytest.raises(StaleVersion):
            app.reschedule_meeting(
                people.facilitator, mid, datetime(2020, 12, 4, 9, 30, tzinfo=CET), expected_version=1
            )
        with pytest.raises(MeetingNotScheduled):
            app.reschedule_meeting(
                people.facilitator, mid, datetime(2020, 12, 4, 9, 30, tzinfo=CET), expected_version=2
            )
    else:
        aid = str(app.draft_agreement(people.facilitator, "MoU", "mou", [{"name": "A"}, {"name": "B"}]).aggregate.id)
        app.sign_agreement(people.facilitator, aid, "A", date(2020, 10, 29))
        with pytest.raises(StaleVersion):
            app.sign_agreement(people.facilitator, aid, "A", date(2020, 10, 29), expected_version=1)
        with pytest.raises(PartyAlreadySigned):
            app.sign_agreement(people.facilitator, aid, "A", date(2020, 10, 29), expected_version=2)


def test_versions_count_up_from_one_without_gaps(people):
    app = people.programme
    pid = str(
        app.propose_partnership(
            people.officer("rome"), "Urban agriculture", people.city("rome"), [people.city("yantai")]
        ).aggregate.id
    )
    app.accept_invitation(people.officer("yantai"), pid, people.city("yantai"))
    app.conclude_partnership(people.officer("rome"), pid, "done")
    history = app.history(Partnership, pid)
    assert [entry.version for entry in history] == [1, 2, 3, 4]
    assert [entry.type for entry in history] == [
        "PartnershipProposed",
        "InvitationAccepted",
        "PartnershipActivated",
        "PartnershipConcluded",
    ]
