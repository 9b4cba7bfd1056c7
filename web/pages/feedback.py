"""Feedback on a held session and, months later, its follow-up: forms on ``/meetings/<id>``.

The forms are read with the API's ``FeedbackIn`` / ``FollowUpIn`` and run the Application's
``give_feedback`` / ``give_follow_up`` with the signed-in person. Whether a form is offered is
only a courtesy (held, and the viewer is staff or an officer of an invited city whose answer is
not in yet): the domain decides, and a refusal (twice, did not attend, not held) is shown next
to the city with what was typed kept.
"""

from __future__ import annotations

from uuid import UUID

from flask import url_for

from domain.access import Principal
from domain.limits import MAX_RATING, MIN_RATING
from domain.model.statuses import MeetingStatus
from web.http import programme
from web.pages.forms import Form, done
from web.pages.labels import options
from web.pages.reading import content_blueprint
from web.pages.session import current_principal, signed_in
from web.schemas.feedback import FeedbackIn, FollowUpIn

RULE_FIELDS = {
    "feedback-already-given": "city_id",
    "follow-up-already-given": "city_id",
    "city-did-not-attend": "city_id",
}
STAGES = {"feedback": "feedback", "follow_up": "follow_ups"}


def blueprint():
    bp = content_blueprint("feedback")

    @bp.post("/meetings/<uuid:meeting_id>/feedback")
    @signed_in()
    def give_feedback(meeting_id: UUID):
        form = Form.posted()
        body = form.validate(FeedbackIn)
        command = body and (
            lambda: programme().give_feedback(
                current_principal(), str(meeting_id), str(body.city_id), body.rating, body.outcome, body.comment
            )
        )
        return _run(meeting_id, "feedback", form, command)

    @bp.post("/meetings/<uuid:meeting_id>/follow-up")
    @signed_in()
    def give_follow_up(meeting_id: UUID):
        form = Form.posted()
        body = form.validate(FollowUpIn)
        command = body and (
            lambda: programme().give_follow_up(
                current_principal(), str(meeting_id), str(body.city_id), body.outcome, body.comment
            )
        )
        return _run(meeting_id, "follow_up", form, command)

    return bp


def _run(meeting_id: UUID, name: str, form: Form, command):
    from web.pages.meetings import show_one  # the meeting page shows the refused form again

    if command:
        result = form.run(command, RULE_FIELDS)
        if result is not None:
            return done(url_for("pages_meetings.one", meeting_id=meeting_id, given=name), result)
    return show_one(meeting_id, forms={name: form})


def feedback_context(me: Principal, meeting: dict, names: dict[str, str], staff: bool, forms: dict[str, Form]) -> dict:
    """What the meeting page needs for the feedback part: the answers given, the cities each form may name."""
    held = meeting["status"] == MeetingStatus.HELD
    attended = (meeting.get("outcome") or {}).get("attended_city_ids") or meeting["invited_city_ids"]
    if staff:
        offered = list(attended)
    elif me.city_id and me.city_id in meeting["invited_city_ids"]:
        offered = [me.city_id]
    else:
        offered = []
    choices = {}
    for stage, key in STAGES.items():
        answered = {a["city_id"] for a in meeting.get(key) or []}
        open_ = [c for c in offered if c not in answered] if held else []
        choices[stage] = [(c, names.get(c, c)) for c in open_]
    given = {
        stage: [{**a, "name": names.get(a["city_id"], a["city_id"])} for a in meeting.get(key) or []]
        for stage, key in STAGES.items()
    }
    for stage in STAGES:
        refused = forms.get(stage)
        if refused is not None:
            # A refused form keeps the city typed (twice, did not attend), even one this viewer is not offered.
            typed = [str(refused.value("city_id"))] if refused.value("city_id") else []
            chosen = dict.fromkeys([*offered, *typed])
            choices[stage] = [(c, names.get(c, c)) for c in chosen]
    return {
        "feedback_choices": choices,
        "given": given,
        "outcomes": options("feedback_outcome"),
        "ratings": [(str(n), str(n)) for n in range(MIN_RATING, MAX_RATING + 1)],
    }
