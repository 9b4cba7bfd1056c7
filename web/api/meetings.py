"""Sessions (meetings): scheduling, moves, cancellation, outcomes, .ics and common working-hours slots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from flask import Response

from domain.errors import InvalidValue
from domain.model.city import City
from domain.model.meeting import Meeting
from domain.model.statuses import MeetingStatus
from domain.scheduling import MAX_CITIES, WorkingWeek, common_slots
from web import representations as rep
from web.api import api_blueprint
from web.api.lists import page, programme_filter, text_id
from web.api.reads import read_one
from web.http import if_match, principal, programme, recorded
from web.schemas import (
    AsOfQuery,
    CancelIn,
    CityRef,
    FeedbackIn,
    FollowUpIn,
    HeldMeetingIn,
    MeetingIn,
    MeetingListQuery,
    MeetingOut,
    MeetingPage,
    OutcomeIn,
    RescheduleIn,
    SlotPage,
    SlotsQuery,
)
from workers.calendar import meeting_ics as calendar_document

DEFAULT_SLOT_RANGE = timedelta(days=7)


def find_slots(ids: list[str], start: datetime | None, end: datetime | None, duration: int, step: int):
    """The slot finder of the API and of the pages: common working hours of the cities, UTC."""
    if not ids:
        raise InvalidValue("city_ids", "give one or more city ids separated by commas")
    if len(ids) > MAX_CITIES:
        raise InvalidValue("city_ids", f"give at most {MAX_CITIES} cities")
    app = programme()
    cities = [app.load(City, city_id, field="city_ids") for city_id in dict.fromkeys(ids)]
    start = start or datetime.now(UTC).replace(second=0, microsecond=0)
    end = end or start + DEFAULT_SLOT_RANGE
    weeks = [WorkingWeek.of(c.timezone, c.working_hours) for c in cities]
    return common_slots(weeks, start, end, duration, step)


def blueprint():
    bp = api_blueprint("meetings", "Meetings")

    @bp.post("/meetings")
    @bp.input(MeetingIn, arg_name="body")
    @bp.output(MeetingOut, status_code=201)
    @bp.doc(summary="Schedule a session (facilitator); its start must not have passed")
    def schedule(body: MeetingIn):
        result = programme().schedule_meeting(
            principal(),
            body.title,
            body.kind,
            body.starts_at,
            body.duration_minutes,
            [str(c) for c in body.invited_city_ids],
            partnership_id=str(body.partnership_id) if body.partnership_id else None,
            location=body.location,
            url=body.url,
            programme_id=text_id(body.programme_id),
            cluster_id=text_id(body.cluster_id),
        )
        return recorded(result, rep.meeting, 201, location=f"/api/v1/meetings/{result.aggregate.id}")

    @bp.post("/meetings/held")
    @bp.input(HeldMeetingIn, arg_name="body")
    @bp.output(MeetingOut, status_code=201)
    @bp.doc(
        summary="Record a session that already happened, with its outcome (facilitator)",
        description="For history: the session must have ended. It is scheduled and held in one command, "
        "marked `recorded_after_the_fact`, and nobody is invited or reminded. "
        "`POST /meetings` refuses a start in the past (422 naming `starts_at`).",
    )
    def record_held(body: HeldMeetingIn):
        result = programme().record_held_meeting(
            principal(),
            body.title,
            body.kind,
            body.starts_at,
            body.duration_minutes,
            [str(c) for c in body.invited_city_ids],
            body.attendance,
            body.summary,
            attended_city_ids=None if body.attended_city_ids is None else [str(c) for c in body.attended_city_ids],
            partnership_id=str(body.partnership_id) if body.partnership_id else None,
            location=body.location,
            url=body.url,
            programme_id=text_id(body.programme_id),
            cluster_id=text_id(body.cluster_id),
        )
        return recorded(result, rep.meeting, 201, location=f"/api/v1/meetings/{result.aggregate.id}")

    @bp.get("/meetings/slots")
    @bp.input(SlotsQuery, location="query", arg_name="query")
    @bp.output(SlotPage)
    @bp.doc(
        summary="Common slots inside every city's working hours",
        description="Each city works its `working_hours` (default 09:00–18:00 local, Monday–Friday); "
        "slots of `duration_minutes` start every `step_minutes` (UTC grid) within [from, to), "
        "at most 31 days, with daylight-saving time applied per city. Times are in UTC.",
    )
    def slots(query: SlotsQuery):
        ids = [part.strip() for part in query.city_ids.split(",") if part.strip()]
        found = find_slots(ids, query.from_, query.to, query.duration_minutes, query.step_minutes)
        return {"items": [{"starts_at": s.starts_at, "ends_at": s.ends_at} for s in found], "next_cursor": None}

    @bp.get("/meetings/<uuid:meeting_id>")
    @bp.input(AsOfQuery, location="query", arg_name="query")
    @bp.output(MeetingOut)
    @bp.doc(summary="One session (as it is now, or ?as_of=)")
    def get_meeting(meeting_id: UUID, query: AsOfQuery):
        return read_one(Meeting, meeting_id, query.as_of, rep.meeting)

    @bp.get("/meetings/<uuid:meeting_id>/ics")
    @bp.doc(
        summary="The session as an iCalendar invitation (METHOD:REQUEST, or CANCEL once cancelled)",
        responses={200: {"description": "text/calendar", "content": {"text/calendar": {"schema": {"type": "string"}}}}},
    )
    def meeting_ics(meeting_id: UUID):
        app = programme()
        meeting = app.load(Meeting, meeting_id)
        method = "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"
        names = ", ".join(app.load(City, city_id).name for city_id in meeting.invited_city_ids)
        document = calendar_document(
            meeting,
            method,
            stamp=meeting.modified_on,
            description=f"{meeting.kind.replace('_', ' ').capitalize()} session. Invited: {names}.",
        )
        response = Response(document, mimetype="text/calendar")
        response.headers["Content-Type"] = "text/calendar; charset=utf-8"
        response.headers["Content-Disposition"] = f'attachment; filename="meeting-{meeting.id}.ics"'
        response.headers["ETag"] = f'"{meeting.version}"'
        return response

    @bp.post("/meetings/<uuid:meeting_id>/invite")
    @bp.input(CityRef, arg_name="body")
    @bp.output(MeetingOut)
    @bp.doc(summary="Invite one more city (facilitator)")
    def invite(meeting_id: UUID, body: CityRef):
        return recorded(
            programme().invite_to_meeting(principal(), str(meeting_id), str(body.city_id), expected_version=if_match()),
            rep.meeting,
        )

    @bp.post("/meetings/<uuid:meeting_id>/reschedule")
    @bp.input(RescheduleIn, arg_name="body")
    @bp.output(MeetingOut)
    @bp.doc(summary="Move a session (facilitator)")
    def reschedule(meeting_id: UUID, body: RescheduleIn):
        return recorded(
            programme().reschedule_meeting(
                principal(), str(meeting_id), body.starts_at, body.duration_minutes, expected_version=if_match()
            ),
            rep.meeting,
        )

    @bp.post("/meetings/<uuid:meeting_id>/cancel")
    @bp.input(CancelIn, arg_name="body")
    @bp.output(MeetingOut)
    @bp.doc(summary="Cancel a session (facilitator)")
    def cancel(meeting_id: UUID, body: CancelIn):
        return recorded(
            programme().cancel_meeting(principal(), str(meeting_id), body.reason, expected_version=if_match()),
            rep.meeting,
        )

    @bp.post("/meetings/<uuid:meeting_id>/outcome")
    @bp.input(OutcomeIn, arg_name="body")
    @bp.output(MeetingOut)
    @bp.doc(summary="Record a session's outcome; invited cities not attending are no-shows (facilitator)")
    def outcome(meeting_id: UUID, body: OutcomeIn):
        attended = None if body.attended_city_ids is None else [str(c) for c in body.attended_city_ids]
        return recorded(
            programme().record_meeting_outcome(
                principal(), str(meeting_id), body.attendance, body.summary, attended, expected_version=if_match()
            ),
            rep.meeting,
        )

    @bp.post("/meetings/<uuid:meeting_id>/feedback")
    @bp.input(FeedbackIn, arg_name="body")
    @bp.output(MeetingOut, status_code=201)
    @bp.doc(
        summary="Give an attending city's feedback on a held session (officer of that city, facilitator)",
        description="Once per city, after the session was held (`MeetingHeld`), by a city that attended: "
        "otherwise 409 (`meeting-not-held`, `city-did-not-attend`, `feedback-already-given`). "
        "`rating` 1–5 and `outcome` outside the scale: 422 naming the field. Nothing is recorded on refusal.",
    )
    def give_feedback(meeting_id: UUID, body: FeedbackIn):
        result = programme().give_feedback(
            principal(),
            str(meeting_id),
            str(body.city_id),
            body.rating,
            body.outcome,
            body.comment,
            expected_version=if_match(),
        )
        return recorded(result, rep.meeting, 201)

    @bp.post("/meetings/<uuid:meeting_id>/follow-up")
    @bp.input(FollowUpIn, arg_name="body")
    @bp.output(MeetingOut, status_code=201)
    @bp.doc(
        summary="Say months later where a held session led (officer of an attending city, facilitator)",
        description="Asked FEEDBACK_FOLLOW_UP_AFTER (default 180 days) after the session; once per attending "
        "city, with or without earlier feedback: otherwise 409 (`meeting-not-held`, `city-did-not-attend`, "
        "`follow-up-already-given`).",
    )
    def give_follow_up(meeting_id: UUID, body: FollowUpIn):
        result = programme().give_follow_up(
            principal(), str(meeting_id), str(body.city_id), body.outcome, body.comment, expected_version=if_match()
        )
        return recorded(result, rep.meeting, 201)

    @bp.get("/meetings")
    @bp.input(MeetingListQuery, location="query", arg_name="query")
    @bp.output(MeetingPage)
    @bp.doc(summary="The calendar: sessions by start time (?city_id=&from=&to=&status=&organiser_id=)")
    def list_meetings(query: MeetingListQuery):
        return page(
            query.after,
            lambda v: v.meetings(
                city_id=text_id(query.city_id),
                from_=query.from_,
                to=query.to,
                status=query.status,
                organiser_id=text_id(query.organiser_id),
                partnership_id=text_id(query.partnership_id),
                programme_id=programme_filter(query.programme_id),
                cluster_id=text_id(query.cluster_id),
                limit=query.limit,
                cursor=query.cursor,
            ),
        )

    return bp
