"""Feedback on held sessions, in two stages: right after the session, and again months later."""

from __future__ import annotations

from domain.access import Principal, require_officer_of_any
from domain.application.base import ProgrammeBase, Recorded, parse_id
from domain.model.meeting import Meeting
from domain.values import check_text


class FeedbackMixin(ProgrammeBase):
    def give_feedback(
        self,
        principal: Principal,
        meeting_id: str,
        city_id: str,
        rating: int,
        outcome: str,
        comment: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """An attending city's rating (1–5) and where the session led (officers of that city, staff)."""
        city_id = str(parse_id(city_id, "city_id"))
        require_officer_of_any(principal, [city_id], "the city giving feedback")
        comment = check_text(comment, "comment")
        return self.change(
            Meeting,
            meeting_id,
            lambda m: m.give_feedback(city_id, rating, outcome, comment, actor=principal.user_id),
            expected_version=expected_version,
        )

    def give_follow_up(
        self,
        principal: Principal,
        meeting_id: str,
        city_id: str,
        outcome: str,
        comment: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """Months later, where the session led after all (once per attending city; no earlier feedback needed)."""
        city_id = str(parse_id(city_id, "city_id"))
        require_officer_of_any(principal, [city_id], "the city giving the follow-up")
        comment = check_text(comment, "comment")
        return self.change(
            Meeting,
            meeting_id,
            lambda m: m.give_follow_up(city_id, outcome, comment, actor=principal.user_id),
            expected_version=expected_version,
        )
