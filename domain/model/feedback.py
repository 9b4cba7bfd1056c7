"""What a session's cities say it led to: feedback right after it, a follow-up months later.

The rules live here; ``Meeting`` records them (``FeedbackGiven``, ``FollowUpGiven``).
A city that attended answers each stage once. Attendance is what ``MeetingHeld``
recorded (``attended_city_ids``; every invited city when none was named).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.errors import InvalidValue, RuleBroken
from domain.limits import MAX_RATING, MIN_RATING
from domain.model.statuses import FeedbackOutcome, MeetingStatus, one_of

FEEDBACK, FOLLOW_UP = "feedback", "follow_up"
STAGES = (FEEDBACK, FOLLOW_UP)


class MeetingNotHeld(RuleBroken):
    code = "meeting-not-held"
    title = "Feedback can be given only on a session that was held"


class CityDidNotAttend(RuleBroken):
    code = "city-did-not-attend"
    title = "Only a city that attended the session can give feedback on it"


class FeedbackAlreadyGiven(RuleBroken):
    code = "feedback-already-given"
    title = "A city gives its feedback on a session once"


class FollowUpAlreadyGiven(RuleBroken):
    code = "follow-up-already-given"
    title = "A city gives its follow-up on a session once"


ALREADY = {FEEDBACK: FeedbackAlreadyGiven, FOLLOW_UP: FollowUpAlreadyGiven}


def check_rating(rating: Any) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not MIN_RATING <= rating <= MAX_RATING:
        raise InvalidValue("rating", f"must be a whole number from {MIN_RATING} to {MAX_RATING}")
    return rating


def check_outcome(outcome: Any) -> FeedbackOutcome:
    return one_of(FeedbackOutcome, outcome, "outcome")  # type: ignore[return-value]


def check_may_answer(meeting: Any, stage: str, city_id: str) -> None:
    """Held, attended by this city, and this stage not yet answered by it."""
    if meeting.status != MeetingStatus.HELD:
        raise MeetingNotHeld(f"the session is {meeting.status}")
    attended = (meeting.outcome or {}).get("attended_city_ids", meeting.invited_city_ids)
    if city_id not in attended:
        invited = "was invited but did not attend" if city_id in meeting.invited_city_ids else "was not invited"
        raise CityDidNotAttend(f"this city {invited}")
    if city_id in answers(meeting, stage):
        raise ALREADY[stage](f"this city already gave its {stage.replace('_', '-')} on {meeting.title!r}")


def answers(meeting: Any, stage: str) -> dict[str, dict[str, Any]]:
    """The stage's answers by city id (a session loaded from a snapshot older than feedback has none)."""
    return meeting.__dict__.setdefault("feedback", {FEEDBACK: {}, FOLLOW_UP: {}})[stage]


def entry(outcome: str, comment: str | None, actor: str, at: datetime) -> dict[str, Any]:
    """One city's answer as the session keeps it: where it led, the comment, who answered and when."""
    return {"outcome": FeedbackOutcome(outcome), "comment": comment, "by": actor, "at": at}
