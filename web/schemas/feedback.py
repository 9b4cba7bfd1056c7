"""Feedback on held sessions (two stages) and the outcome figures the reports give of it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from domain.limits import MAX_RATING, MAX_TEXT, MIN_RATING
from domain.model.statuses import FeedbackOutcome
from web.schemas.base import Id, Input, Output, Text, values_of, whole_number

Rating = whole_number(MIN_RATING, MAX_RATING, f"how useful the session was, {MIN_RATING} to {MAX_RATING}")
Outcome = Annotated[
    values_of(FeedbackOutcome),
    Field(description="where the session led: " + ", ".join(FeedbackOutcome)),
]
Comment = Annotated[Text, Field(max_length=MAX_TEXT)]
ATTENDED = "the city must have attended the held session (MeetingHeld's attended_city_ids) and answer this stage once"


class FeedbackIn(Input):
    city_id: Id = Field(description=f"the city giving feedback: {ATTENDED}")
    rating: Rating
    outcome: Outcome
    comment: Comment | None = None


class FollowUpIn(Input):
    city_id: Id = Field(description=f"the city following up: {ATTENDED}")
    outcome: Outcome
    comment: Comment | None = None


class FeedbackOut(Output):
    city_id: str
    rating: int
    outcome: values_of(FeedbackOutcome)
    comment: str | None
    given_by: str
    given_at: datetime


class FollowUpOut(Output):
    city_id: str
    outcome: values_of(FeedbackOutcome)
    comment: str | None
    given_by: str
    given_at: datetime


class OutcomeCounts(Output):
    no_further_contact: int
    follow_up_planned: int
    negotiation_started: int
    agreement_reached: int


class SessionOutcomes(Output):
    held_sessions: int
    feedback: OutcomeCounts = Field(description="feedback answers per outcome")
    follow_up: OutcomeCounts = Field(description="follow-up answers per outcome")
    sessions_with_agreement: int = Field(description="held sessions with agreement_reached at either stage")
    agreement_share: float | None = Field(description="sessions_with_agreement / held_sessions (null: none held)")
