"""Meeting: sessions facilitators run across European and Chinese time zones."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain.errors import InvalidValue, UnknownReference
from domain.model.meeting import (
    MEETING_KINDS,
    Meeting,
    MeetingNotScheduled,
    OutcomeBeforeStart,
    ParticipantAlreadyInvited,
)

CET, CST = timezone(timedelta(hours=1)), timezone(timedelta(hours=8))
ROME, YANTAI, CHENGDU = "city-rome", "city-yantai", "city-chengdu"
FACILITATOR = "user-facilitator"
GLOBAL_EVENT = datetime(2020, 12, 3, 9, 30, tzinfo=CET)
PLANNED = datetime(2020, 11, 2, 10, 0, tzinfo=CET)  # when the facilitators planned it


@pytest.fixture(autouse=True)
def planning_time(clock):
    """The programme's clock stands in November 2020, when the facilitators planned the Global Event."""
    clock.current = PLANNED


def session(duration: int = 90, invited=(ROME, YANTAI), kind: str = "online") -> Meeting:
    meeting = Meeting.schedule(
        "4th Global Event", kind, GLOBAL_EVENT, duration, list(invited), actor=FACILITATOR, now=PLANNED
    )
    meeting.collect_events()
    return meeting


def recorded(aggregate) -> list[str]:
    return [type(event).__name__ for event in aggregate.collect_events()]


@pytest.mark.parametrize("kind", MEETING_KINDS)
def test_every_session_kind_of_the_programme_can_be_scheduled(kind):
    meeting = session(kind=kind)
    assert (meeting.kind, meeting.status, meeting.sequence) == (kind, "scheduled", 0)


@pytest.mark.parametrize("kind", ["party", "Online", "", "field visit"])
def test_unknown_session_kind_is_refused(kind):
    with pytest.raises(InvalidValue) as refused:
        Meeting.schedule("Gathering", kind, GLOBAL_EVENT, 60, [ROME], actor=FACILITATOR, now=PLANNED)
    assert refused.value.field == "kind"


@pytest.mark.parametrize("minutes", [14, 601, 0, -15, 10_000, True, 30.0, "60"])
def test_duration_outside_15_to_600_minutes_is_refused(minutes):
    with pytest.raises(InvalidValue) as refused:
        Meeting.schedule("Webinar", "webinar", GLOBAL_EVENT, minutes, [ROME], actor=FACILITATOR, now=PLANNED)
    assert refused.value.field == "duration_minutes"
    meeting = session()
    with pytest.raises(InvalidValue):
        meeting.reschedule(GLOBAL_EVENT + timedelta(days=1), duration_minutes=minutes, actor=FACILITATOR, now=PLANNED)
    assert (meeting.starts_at, meeting.duration_minutes, recorded(meeting)) == (GLOBAL_EVENT, 90, [])


@pytest.mark.parametrize("minutes", [15, 600])
def test_duration_of_15_and_600_minutes_is_accepted(minutes):
    meeting = session(duration=minutes)
    assert meeting.ends_at - meeting.starts_at == timedelta(minutes=minutes)


def test_naive_start_time_is_refused():
    with pytest.raises(InvalidValue) as refused:
        Meeting.schedule("Webinar", "webinar", datetime(2020, 12, 3, 9, 30), 60, [ROME], actor=FACILITATOR, now=PLANNED)
    assert refused.value.field == "starts_at"
    meeting = session()
    with pytest.raises(InvalidValue):
        meeting.reschedule(datetime(2020, 12, 4, 9, 30), actor=FACILITATOR, now=PLANNED)
    assert recorded(meeting) == []


def test_start_keeps_its_offset_and_is_the_same_instant_everywhere():
    meeting = session()
    assert meeting.starts_at.utcoffset() == timedelta(hours=1)
    assert meeting.starts_at.astimezone(CST) == datetime(2020, 12, 3, 16, 30, tzinfo=CST)


def test_city_listed_twice_in_a_session_is_refused():
    with pytest.raises(InvalidValue) as refused:
        Meeting.schedule("Workshop", "workshop", GLOBAL_EVENT, 60, [ROME, YANTAI, ROME], actor=FACILITATOR, now=PLANNED)
    assert refused.value.field == "invited_city_ids"


def test_city_already_invited_cannot_be_invited_again():
    meeting = session()
    meeting.invite(CHENGDU, actor=FACILITATOR)
    with pytest.raises(ParticipantAlreadyInvited):
        meeting.invite(YANTAI, actor=FACILITATOR)
    assert meeting.invited_city_ids == [ROME, YANTAI, CHENGDU]
    assert recorded(meeting) == ["ParticipantInvited"]


def test_rescheduling_keeps_the_duration_unless_given_and_raises_the_sequence():
    meeting = session(duration=90)
    later = datetime(2020, 12, 10, 16, 0, tzinfo=CST)
    meeting.reschedule(later, actor=FACILITATOR, now=PLANNED)
    assert (meeting.starts_at, meeting.duration_minutes, meeting.sequence) == (later, 90, 1)
    meeting.reschedule(later, duration_minutes=120, actor=FACILITATOR, now=PLANNED)
    assert (meeting.duration_minutes, meeting.sequence) == (120, 2)
    assert recorded(meeting) == ["MeetingRescheduled", "MeetingRescheduled"]


def test_meeting_outcome_only_after_start():
    meeting = session()
    with pytest.raises(OutcomeBeforeStart):
        meeting.record_outcome(40, "too early", now=GLOBAL_EVENT - timedelta(minutes=1), actor=FACILITATOR)
    assert (meeting.status, meeting.outcome, recorded(meeting)) == ("scheduled", None, [])
    meeting.record_outcome(166, "4th Global Event held", now=GLOBAL_EVENT, actor=FACILITATOR)
    assert meeting.status == "held"
    assert meeting.outcome["attendance"] == 166
    assert recorded(meeting) == ["MeetingHeld"]


def test_outcome_before_start_is_judged_by_the_instant_not_the_wall_clock(people, clock):
    """09:30 in Rome is 16:30 in Yantai: the programme's clock at 16:00 Yantai time is still too early."""
    app = people.programme
    meeting = app.schedule_meeting(
        people.facilitator, "Global event", "online", GLOBAL_EVENT, 90, [people.city("rome"), people.city("yantai")]
    ).aggregate
    clock.current = datetime(2020, 12, 3, 16, 0, tzinfo=CST)
    with pytest.raises(OutcomeBeforeStart):
        app.record_meeting_outcome(people.facilitator, str(meeting.id), 10, "early")
    clock.current = datetime(2020, 12, 3, 16, 45, tzinfo=CST)
    held = app.record_meeting_outcome(people.facilitator, str(meeting.id), 166, "held").aggregate
    assert (held.status, held.version) == ("held", 2)


def test_invited_cities_that_did_not_attend_are_recorded_as_no_shows():
    meeting = session(invited=(ROME, YANTAI, CHENGDU))
    meeting.record_outcome(
        25, "workshop held", now=GLOBAL_EVENT + timedelta(hours=2), actor=FACILITATOR, attended_city_ids=[ROME, CHENGDU]
    )
    assert meeting.outcome["attended_city_ids"] == [ROME, CHENGDU]
    assert meeting.outcome["no_show_city_ids"] == [YANTAI]


def test_everyone_invited_attended_when_attendance_is_not_itemised():
    meeting = session(invited=(ROME, YANTAI))
    meeting.record_outcome(25, "held", now=GLOBAL_EVENT + timedelta(hours=2), actor=FACILITATOR)
    assert (meeting.outcome["attended_city_ids"], meeting.outcome["no_show_city_ids"]) == ([ROME, YANTAI], [])


def test_city_that_was_not_invited_cannot_have_attended():
    meeting = session(invited=(ROME, YANTAI))
    with pytest.raises(UnknownReference) as refused:
        meeting.record_outcome(
            25, "held", now=GLOBAL_EVENT + timedelta(hours=2), actor=FACILITATOR, attended_city_ids=[ROME, CHENGDU]
        )
    assert refused.value.field == "attended_city_ids"
    assert meeting.status == "scheduled"


@pytest.mark.parametrize("attendance", [-1, 1_000_001, True, 2.5, "40"])
def test_attendance_is_a_whole_number_of_people(attendance):
    meeting = session()
    with pytest.raises(InvalidValue) as refused:
        meeting.record_outcome(attendance, "held", now=GLOBAL_EVENT + timedelta(hours=2), actor=FACILITATOR)
    assert refused.value.field == "attendance"
    assert meeting.status == "scheduled"


def test_cancelled_session_cannot_be_moved():
    meeting = session()
    meeting.cancel("speaker unavailable", actor=FACILITATOR)
    assert (meeting.status, meeting.cancel_reason, meeting.sequence) == ("cancelled", "speaker unavailable", 1)
    meeting.collect_events()
    with pytest.raises(MeetingNotScheduled):
        meeting.reschedule(GLOBAL_EVENT + timedelta(days=7), actor=FACILITATOR, now=PLANNED)
    with pytest.raises(MeetingNotScheduled):
        meeting.cancel("again", actor=FACILITATOR)
    with pytest.raises(MeetingNotScheduled):
        meeting.record_outcome(10, "held anyway", now=GLOBAL_EVENT + timedelta(hours=3), actor=FACILITATOR)
    with pytest.raises(MeetingNotScheduled):
        meeting.invite(CHENGDU, actor=FACILITATOR)
    assert (meeting.status, meeting.starts_at, meeting.outcome, recorded(meeting)) == (
        "cancelled",
        GLOBAL_EVENT,
        None,
        [],
    )


def test_held_session_cannot_be_moved_or_cancelled():
    meeting = session()
    meeting.record_outcome(40, "held", now=GLOBAL_EVENT + timedelta(hours=2), actor=FACILITATOR)
    meeting.collect_events()
    with pytest.raises(MeetingNotScheduled):
        meeting.reschedule(GLOBAL_EVENT + timedelta(days=7), actor=FACILITATOR, now=PLANNED)
    with pytest.raises(MeetingNotScheduled):
        meeting.cancel("too late", actor=FACILITATOR)
    with pytest.raises(MeetingNotScheduled):
        meeting.record_outcome(41, "held twice", now=GLOBAL_EVENT + timedelta(hours=3), actor=FACILITATOR)
    assert (meeting.status, meeting.outcome["attendance"], recorded(meeting)) == ("held", 40, [])


def test_session_for_an_unknown_partnership_or_city_names_the_field(people):
    app = people.programme
    with pytest.raises(UnknownReference) as refused:
        app.schedule_meeting(
            people.facilitator,
            "Kick-off",
            "online",
            GLOBAL_EVENT,
            60,
            [people.city("rome")],
            partnership_id="00000000-0000-0000-0000-000000000000",
        )
    assert refused.value.field == "partnership_id"
    with pytest.raises(InvalidValue) as refused:
        app.schedule_meeting(people.facilitator, "Kick-off", "online", GLOBAL_EVENT, 60, ["not-an-id"])
    assert refused.value.field == "invited_city_ids"


def test_cancelling_needs_a_reason(people):
    app = people.programme
    meeting = app.schedule_meeting(
        people.facilitator, "Kick-off", "online", GLOBAL_EVENT, 60, [people.city("rome")]
    ).aggregate
    with pytest.raises(InvalidValue) as refused:
        app.cancel_meeting(people.facilitator, str(meeting.id), "   ")
    assert refused.value.field == "reason"
    assert app.load(Meeting, meeting.id).status == "scheduled"


def test_a_session_cannot_be_scheduled_or_moved_into_the_past():
    """Nobody can be invited to a session that has already begun: the start names the field."""
    with pytest.raises(InvalidValue) as refused:
        Meeting.schedule("Kick-off", "online", PLANNED - timedelta(days=2), 60, [ROME, YANTAI], FACILITATOR, PLANNED)
    assert refused.value.field == "starts_at"
    meeting = session()
    with pytest.raises(InvalidValue) as refused:
        meeting.reschedule(PLANNED - timedelta(minutes=1), actor=FACILITATOR, now=PLANNED)
    assert (refused.value.field, meeting.starts_at, recorded(meeting)) == ("starts_at", GLOBAL_EVENT, [])
    assert Meeting.schedule("Kick-off", "online", PLANNED, 60, [ROME], FACILITATOR, PLANNED).starts_at == PLANNED


def test_a_session_that_already_happened_is_recorded_as_held_after_the_fact():
    after = GLOBAL_EVENT + timedelta(days=1)
    meeting = Meeting.record_held(
        "4th Global Event", "online", GLOBAL_EVENT, 90, [ROME, YANTAI, CHENGDU], 166, "held online",
        actor=FACILITATOR, now=after, attended_city_ids=[ROME, YANTAI],
    )  # fmt: skip
    assert recorded(meeting) == ["MeetingScheduled", "MeetingHeld"]
    assert (meeting.status, meeting.recorded_after_the_fact, meeting.outcome["no_show_city_ids"]) == (
        "held",
        True,
        [CHENGDU],
    )
    assert session().recorded_after_the_fact is False


def test_a_session_still_running_is_not_recorded_after_the_fact():
    with pytest.raises(InvalidValue) as refused:
        Meeting.record_held(
            "4th Global Event", "online", GLOBAL_EVENT, 90, [ROME], 10, "still going",
            actor=FACILITATOR, now=GLOBAL_EVENT + timedelta(minutes=89),
        )  # fmt: skip
    assert refused.value.field == "starts_at"


def test_the_programme_records_a_past_session_with_its_outcome_in_one_command(people, clock):
    app = people.programme
    clock.current = GLOBAL_EVENT + timedelta(days=30)
    with pytest.raises(InvalidValue) as refused:
        app.schedule_meeting(people.facilitator, "Global event", "online", GLOBAL_EVENT, 90, [people.city("rome")])
    assert refused.value.field == "starts_at"
    held = app.record_held_meeting(
        people.facilitator, "Global event", "online", GLOBAL_EVENT, 90, [people.city("rome")], 166, "held"
    ).aggregate
    stored = app.load(Meeting, held.id)
    assert (stored.status, stored.version, stored.recorded_after_the_fact) == ("held", 2, True)
