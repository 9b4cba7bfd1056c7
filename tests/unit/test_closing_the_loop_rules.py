"""Closing the loop: invitations that lapse, feedback on held sessions, people's preferences, reading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.access import SYSTEM
from domain.errors import InvalidValue, NotFound, PermissionDenied
from domain.model.feedback import (
    CityDidNotAttend,
    FeedbackAlreadyGiven,
    FollowUpAlreadyGiven,
    MeetingNotHeld,
)
from domain.model.meeting import Meeting
from domain.model.notification import Notification
from domain.model.partnership import InvitationNotDue, InvitationNotPending, Partnership
from domain.model.user import User

ROME, YANTAI, MANNHEIM, CHONGQING = "city-rome", "city-yantai", "city-mannheim", "city-chongqing"
OFFICER, FACILITATOR = "user-rome-officer", "user-facilitator"
THIRTY_DAYS = timedelta(days=30)
HELD_AT = datetime(2020, 12, 3, 8, 30, tzinfo=UTC)


def proposal(*invited: str) -> Partnership:
    partnership = Partnership.propose("Smart energy districts", ROME, list(invited), ["smart-city"], actor=OFFICER)
    partnership.collect_events()
    return partnership


def recorded(aggregate) -> list[str]:
    return [type(event).__name__ for event in aggregate.collect_events()]


# --- invitations that lapse -------------------------------------------------------------


@pytest.mark.parametrize("others", ["accepted", "declined"])
def test_an_expired_invitation_settles_the_partnership_exactly_as_a_decline_would(others):
    lapsed, declined = proposal(YANTAI, MANNHEIM), proposal(YANTAI, MANNHEIM)
    for partnership in (lapsed, declined):
        if others == "accepted":
            partnership.accept(YANTAI, actor="user-yantai")
        else:
            partnership.decline(YANTAI, actor="user-yantai")
        partnership.collect_events()
    lapsed.expire_invitation(MANNHEIM, actor=SYSTEM.user_id)
    declined.decline(MANNHEIM, actor="user-mannheim")
    settled = "PartnershipActivated" if others == "accepted" else "PartnershipDeclined"
    assert recorded(lapsed) == ["InvitationExpired", settled]
    assert recorded(declined) == ["InvitationDeclined", settled]
    assert lapsed.status == declined.status == ("active" if others == "accepted" else "declined")
    assert lapsed.member_city_ids == declined.member_city_ids
    assert lapsed.invitations[MANNHEIM]["status"] == "expired"


def test_a_partnership_waits_while_another_invitation_is_still_pending():
    partnership = proposal(YANTAI, MANNHEIM)
    partnership.expire_invitation(MANNHEIM, actor=SYSTEM.user_id)
    assert recorded(partnership) == ["InvitationExpired"]
    assert partnership.status == "proposed"
    partnership.accept(YANTAI, actor="user-yantai")
    assert recorded(partnership) == ["InvitationAccepted", "PartnershipActivated"]


def test_an_invitation_expires_once_and_only_while_pending():
    partnership = proposal(YANTAI, MANNHEIM)
    partnership.expire_invitation(MANNHEIM, actor=SYSTEM.user_id)
    partnership.accept(YANTAI, actor="user-yantai")
    partnership.collect_events()
    for city in (MANNHEIM, YANTAI, CHONGQING):  # expired already, accepted, never invited
        with pytest.raises(InvitationNotPending):
            partnership.expire_invitation(city, actor=SYSTEM.user_id)
    with pytest.raises(InvitationNotPending):
        partnership.accept(MANNHEIM, actor="user-mannheim")  # too late to answer a lapsed invitation
    assert recorded(partnership) == []


def test_an_invitation_younger_than_its_time_does_not_expire():
    partnership = proposal(YANTAI)
    invited_at = partnership.invitations[YANTAI]["invited_at"]
    with pytest.raises(InvitationNotDue):
        partnership.expire_invitation(
            YANTAI, SYSTEM.user_id, now=invited_at + timedelta(days=29), expires_after=THIRTY_DAYS
        )
    assert (recorded(partnership), partnership.invitations[YANTAI]["status"]) == ([], "pending")
    partnership.expire_invitation(YANTAI, SYSTEM.user_id, now=invited_at + THIRTY_DAYS, expires_after=THIRTY_DAYS)
    assert recorded(partnership) == ["InvitationExpired", "PartnershipDeclined"]


def test_the_system_lets_an_invitation_lapse_and_no_officer_can(people):
    app = people.programme
    partnership = app.propose_partnership(
        people.officer("rome"), "Hydrogen buses", people.city("rome"), [people.city("chengdu")]
    ).aggregate
    for who in (people.officer("rome"), people.officer("chengdu"), people.facilitator):
        with pytest.raises(PermissionDenied):
            app.expire_invitation(who, str(partnership.id), people.city("chengdu"))
    expired = app.expire_invitation(SYSTEM, str(partnership.id), people.city("chengdu")).aggregate
    assert (expired.status, expired.invitations[people.city("chengdu")]["status"]) == ("declined", "expired")
    history = app.history(Partnership, partnership.id)
    assert [(h.type, h.actor.name) for h in history[-2:]] == [
        ("InvitationExpired", SYSTEM.name),
        ("PartnershipDeclined", SYSTEM.name),
    ]


# --- feedback on held sessions ----------------------------------------------------------


def session(invited=(ROME, YANTAI), attended=None, held=True) -> Meeting:
    meeting = Meeting.schedule(
        "Smart energy webinar",
        "webinar",
        HELD_AT,
        90,
        list(invited),
        actor=FACILITATOR,
        now=HELD_AT - timedelta(days=9),
    )
    if held:
        meeting.record_outcome(
            40, "two pilots discussed", now=HELD_AT + timedelta(hours=2), actor=FACILITATOR, attended_city_ids=attended
        )
    meeting.collect_events()
    return meeting


def test_an_attending_city_gives_feedback_once_and_a_follow_up_once():
    meeting = session()
    meeting.give_feedback(YANTAI, 4, "follow_up_planned", "a visit to Rome in spring", actor="user-yantai")
    assert recorded(meeting) == ["FeedbackGiven"]
    with pytest.raises(FeedbackAlreadyGiven):
        meeting.give_feedback(YANTAI, 5, "agreement_reached", None, actor="user-yantai")
    meeting.give_follow_up(YANTAI, "agreement_reached", "MoU signed", actor="user-yantai")
    with pytest.raises(FollowUpAlreadyGiven):
        meeting.give_follow_up(YANTAI, "negotiation_started", None, actor="user-yantai")
    assert recorded(meeting) == ["FollowUpGiven"]
    feedback = meeting.feedback["feedback"][YANTAI]
    assert (feedback["rating"], feedback["outcome"], feedback["comment"], feedback["by"]) == (
        4,
        "follow_up_planned",
        "a visit to Rome in spring",
        "user-yantai",
    )
    assert meeting.feedback["follow_up"][YANTAI]["outcome"] == "agreement_reached"


def test_a_follow_up_needs_no_earlier_feedback():
    meeting = session()
    meeting.give_follow_up(ROME, "no_further_contact", None, actor=OFFICER)
    assert recorded(meeting) == ["FollowUpGiven"]
    meeting.give_feedback(ROME, 2, "no_further_contact", None, actor=OFFICER)  # late, but still its first feedback
    assert recorded(meeting) == ["FeedbackGiven"]


def test_no_feedback_before_the_session_was_held_or_on_a_cancelled_one():
    scheduled = session(held=False)
    cancelled = session(held=False)
    cancelled.cancel("typhoon warning", actor=FACILITATOR)
    cancelled.collect_events()
    for meeting in (scheduled, cancelled):
        with pytest.raises(MeetingNotHeld):
            meeting.give_feedback(YANTAI, 4, "follow_up_planned", None, actor="user-yantai")
        with pytest.raises(MeetingNotHeld):
            meeting.give_follow_up(YANTAI, "follow_up_planned", None, actor="user-yantai")
        assert recorded(meeting) == []


def test_only_cities_that_attended_give_feedback():
    meeting = session(invited=(ROME, YANTAI, MANNHEIM), attended=[ROME, YANTAI])
    with pytest.raises(CityDidNotAttend, match="invited but did not attend"):
        meeting.give_feedback(MANNHEIM, 3, "no_further_contact", None, actor="user-mannheim")
    with pytest.raises(CityDidNotAttend, match="was not invited"):
        meeting.give_follow_up(CHONGQING, "no_further_contact", None, actor="user-chongqing")
    assert recorded(meeting) == []


@pytest.mark.parametrize("rating", [0, 6, -1, True, 4.5, "5", None])
def test_a_rating_is_a_whole_number_from_1_to_5(rating):
    meeting = session()
    with pytest.raises(InvalidValue) as refused:
        meeting.give_feedback(YANTAI, rating, "follow_up_planned", None, actor="user-yantai")
    assert refused.value.field == "rating"
    assert recorded(meeting) == [] and YANTAI not in meeting.feedback["feedback"]


@pytest.mark.parametrize("outcome", ["agreed", "", None, "Agreement_Reached"])
def test_an_outcome_is_one_of_the_scale(outcome):
    meeting = session()
    for give in (
        lambda: meeting.give_feedback(YANTAI, 3, outcome, None, actor="user-yantai"),
        lambda: meeting.give_follow_up(YANTAI, outcome, None, actor="user-yantai"),
    ):
        with pytest.raises(InvalidValue) as refused:
            give()
        assert refused.value.field == "outcome"
    assert recorded(meeting) == []


def test_officers_answer_for_their_own_city_and_staff_for_any(people, clock):
    app = people.programme
    clock.current = HELD_AT - timedelta(days=9)
    cities = [people.city("rome"), people.city("yantai")]
    meeting = app.schedule_meeting(people.facilitator, "Smart energy webinar", "webinar", HELD_AT, 90, cities).aggregate
    clock.current = HELD_AT + timedelta(hours=2)
    app.record_meeting_outcome(people.facilitator, str(meeting.id), 30, "pilots discussed")
    with pytest.raises(PermissionDenied):
        app.give_feedback(people.officer("mannheim"), str(meeting.id), people.city("yantai"), 4, "follow_up_planned")
    with pytest.raises(PermissionDenied):
        app.give_follow_up(people.auditor, str(meeting.id), people.city("yantai"), "follow_up_planned")
    app.give_feedback(people.officer("yantai"), str(meeting.id), people.city("yantai"), 4, "follow_up_planned")
    given = app.give_feedback(people.facilitator, str(meeting.id), people.city("rome"), 5, "negotiation_started")
    assert set(given.aggregate.feedback["feedback"]) == set(cities)
    with pytest.raises(InvalidValue) as refused:
        app.give_feedback(
            people.officer("yantai"), str(meeting.id), people.city("yantai"), 4, "x", comment="x" * 10_001
        )
    assert refused.value.field == "comment"


# --- preferences ------------------------------------------------------------------------


def test_a_person_starts_in_english_with_immediate_mail_on_their_city_time(people):
    app, yantai = people.programme, people.officer("yantai")
    user = app.user(yantai, yantai.user_id)
    assert (user.language, user.email_mode, user.timezone) == ("en", "immediate", None)
    assert app.preferences_of(user) == {"language": "en", "email": "immediate", "timezone": "Asia/Shanghai"}
    assert app.preferences_of(app.user(people.admin, people.facilitator.user_id))["timezone"] == "UTC"


def test_preferences_change_only_what_differs(people):
    app, yantai = people.programme, people.officer("yantai")
    changed = app.change_preferences(yantai, yantai.user_id, language="zh-Hans", email="daily")
    assert changed.position is not None
    same = app.change_preferences(yantai, yantai.user_id, language="zh-Hans", email="daily")
    assert same.position is None and same.aggregate.version == changed.aggregate.version
    zoned = app.change_preferences(yantai, yantai.user_id, timezone="Europe/Rome").aggregate
    assert (zoned.language, zoned.email_mode, zoned.timezone) == ("zh-Hans", "daily", "Europe/Rome")
    kept = app.change_preferences(yantai, yantai.user_id, email="off").aggregate  # the zone is left alone
    assert (kept.email_mode, kept.timezone) == ("off", "Europe/Rome")
    back = app.change_preferences(yantai, yantai.user_id, timezone=None).aggregate
    assert back.timezone is None and app.preferences_of(back)["timezone"] == "Asia/Shanghai"
    types = [h.type for h in app.history(User, yantai.user_id)]
    assert types.count("PreferencesChanged") == 4


@pytest.mark.parametrize(
    ("field", "value"),
    [("language", "zh"), ("language", "EN"), ("email", "weekly"), ("timezone", "Asia/Atlantis"), ("timezone", "")],
)
def test_a_bad_preference_is_refused_naming_the_field(people, field, value):
    app, yantai = people.programme, people.officer("yantai")
    with pytest.raises(InvalidValue) as refused:
        app.change_preferences(yantai, yantai.user_id, **{field: value})
    assert refused.value.field == field
    assert app.user(yantai, yantai.user_id).version == 2  # registered, token issued, nothing since


def test_only_the_person_or_an_admin_changes_preferences(people):
    app, yantai = people.programme, people.officer("yantai")
    for who in (people.officer("rome"), people.facilitator, people.auditor):
        with pytest.raises(PermissionDenied):
            app.change_preferences(who, yantai.user_id, email="off")
    assert app.change_preferences(people.admin, yantai.user_id, email="off").aggregate.email_mode == "off"
    assert app.change_preferences(SYSTEM, yantai.user_id, email="daily").aggregate.email_mode == "daily"


# --- reading ----------------------------------------------------------------------------


def notice(app, recipient_id: str, key: str) -> Notification:
    subject = {"kind": "partnership", "id": "p"}
    return app.record_notification(
        SYSTEM, key, "invitation", recipient_id, subject, "Invited", "b", ["inbox"]
    ).aggregate


def test_only_the_recipient_reads_a_notification_and_once_is_recorded(people):
    app, rome = people.programme, people.officer("rome")
    sent = notice(app, rome.user_id, "invitation/partnership/p/1/rome")
    with pytest.raises(NotFound):
        app.mark_notification_read(people.officer("yantai"), str(sent.id))
    with pytest.raises(NotFound):
        app.mark_notification_read(people.admin, str(sent.id))
    first = app.mark_notification_read(rome, str(sent.id))
    assert first.position is not None and first.aggregate.read_at is not None
    again = app.mark_notification_read(rome, str(sent.id))
    assert again.position is None and again.aggregate.read_at == first.aggregate.read_at


def test_reading_all_marks_each_unread_one_of_the_callers(people):
    app, rome, yantai = people.programme, people.officer("rome"), people.officer("yantai")
    mine = [notice(app, rome.user_id, f"invitation/partnership/p/{n}/rome") for n in range(3)]
    theirs = notice(app, yantai.user_id, "invitation/partnership/p/1/yantai")
    app.mark_notification_read(rome, str(mine[0].id))
    marked = app.mark_all_notifications_read(rome)  # found in the log
    assert sorted(str(n.id) for n in marked.notifications) == sorted(str(n.id) for n in mine[1:])
    assert app.load(Notification, theirs.id).read_at is None
    assert app.mark_all_notifications_read(rome).notifications == []
    # Ids given (the inbox view's) that are someone else's are skipped, not marked.
    assert app.mark_all_notifications_read(rome, [str(theirs.id)]).notifications == []
    assert len(app.mark_all_notifications_read(yantai, [str(theirs.id)]).notifications) == 1


# --- aggregates restored from snapshots taken before these rules existed ------------------


def test_a_session_user_and_notification_from_an_older_snapshot_take_the_defaults(people, clock):
    """A snapshot is the aggregate's attributes as they were: older ones lack feedback, preferences, read_at."""
    app = people.programme
    meeting = session()
    del meeting.__dict__["feedback"]
    meeting.give_feedback(YANTAI, 5, "agreement_reached", None, actor="user-yantai")
    assert recorded(meeting) == ["FeedbackGiven"] and list(meeting.feedback["feedback"]) == [YANTAI]

    user = app.user(people.admin, people.officer("yantai").user_id)
    for name in ("language", "email_mode", "timezone"):
        del user.__dict__[name]
    assert (user.language, user.email_mode, user.timezone) == ("en", "immediate", None)
    user.change_preferences(email="daily", actor=user.id)
    assert recorded(user) == ["PreferencesChanged"]

    sent = notice(app, people.officer("rome").user_id, "invitation/partnership/p/9/rome")
    del sent.__dict__["read_at"]
    assert sent.read_at is None
    sent.mark_read(actor=people.officer("rome").user_id)
    assert recorded(sent) == ["NotificationRead"]
