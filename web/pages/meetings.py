"""The calendar (week and list), one session, the slot finder and the schedule / move / cancel / outcome forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from flask import abort, request, url_for

from domain.access import require_staff
from domain.errors import PermissionDenied
from domain.model.meeting import Meeting
from domain.model.statuses import MeetingKind, MeetingStatus
from web import representations as rep
from web.api.meetings import find_slots
from web.http import programme
from web.pages.base import render
from web.pages.calendar import WEEK, WEEK_LIMIT, Zones, local_midnight, monday_of, slots_query, week_days
from web.pages.feedback import feedback_context
from web.pages.forms import Form, done, local_instant
from web.pages.reading import all_cities, content_blueprint, page_url, viewer_zone, views
from web.pages.session import current_principal, signed_in
from web.schemas import CancelIn, MeetingIn, OutcomeIn, RescheduleIn, SlotsQuery

RULE_FIELDS = {"outcome-before-start": "attendance", "participant-already-invited": "invited_city_ids"}


def is_staff(principal) -> bool:
    try:
        require_staff(principal)
    except PermissionDenied:
        return False
    return True


def blueprint():
    bp = content_blueprint("meetings")

    @bp.get("/meetings")
    @signed_in()
    def calendar():
        me = current_principal()
        zone_name = viewer_zone(me)
        found = views()
        zones = Zones(found)
        city = request.args.get("city_id", me.city_id or "") or None
        week = request.args.get("view") == "week"
        now = programme().now()
        context = {"zone": zone_name, "city_id": city or "", "week": week, "zones": zones}
        if week:
            monday = monday_of(request.args.get("week"), zone_name, now)
            start = local_midnight(monday, zone_name)
            end = local_midnight(monday + WEEK, zone_name)
            items = found.meetings(city_id=city, from_=start, to=end, limit=WEEK_LIMIT)["items"]
            context.update(
                days=week_days(monday, zone_name, items),
                monday=monday,
                previous=url_for(
                    "pages_meetings.calendar", view="week", week=(monday - WEEK).isoformat(), city_id=city
                ),
                following=url_for(
                    "pages_meetings.calendar", view="week", week=(monday + WEEK).isoformat(), city_id=city
                ),
            )
        else:
            since = now.astimezone(UTC) - timedelta(days=1)
            result = found.meetings(city_id=city, from_=since, cursor=request.args.get("cursor"))
            context.update(items=result["items"], more=page_url("pages_meetings.calendar", result["next_cursor"]))
        cities = [(c["id"], c["name"]) for c in all_cities(found)]
        return render("meetings/calendar.html", cities=cities, **context)

    @bp.get("/meetings/new")
    @signed_in()
    def new():
        me = current_principal()
        if not is_staff(me):
            abort(403)
        chosen = request.args.get("starts_at")
        form = Form.blank(
            invited_city_ids=request.args.getlist("city_ids"),
            duration_minutes=request.args.get("duration_minutes", "60"),
            zone=viewer_zone(me),
        )
        if chosen:
            try:
                instant = datetime.fromisoformat(chosen)
                form.values["starts_local"] = instant.astimezone(_zone(form.value("zone"))).strftime("%Y-%m-%dT%H:%M")
            except ValueError:
                pass
        return show_new(form)

    @bp.post("/meetings")
    @signed_in()
    def schedule():
        form = Form.posted(starts_at="starts_local")
        starts_at = local_instant(form, "starts_local", form.value("zone") or viewer_zone(current_principal()))
        body = form.validate(MeetingIn, starts_at=starts_at) if not form.errors else None
        if body is not None:
            result = form.run(
                lambda: programme().schedule_meeting(
                    current_principal(),
                    body.title,
                    body.kind,
                    body.starts_at,
                    body.duration_minutes,
                    [str(c) for c in body.invited_city_ids],
                    partnership_id=str(body.partnership_id) if body.partnership_id else None,
                    location=body.location,
                    url=body.url,
                ),
                RULE_FIELDS,
            )
            if result is not None:
                return done(url_for("pages_meetings.one", meeting_id=result.aggregate.id), result)
        return show_new(form)

    @bp.get("/meetings/<uuid:meeting_id>")
    @signed_in()
    def one(meeting_id: UUID):
        return show_one(meeting_id)

    @bp.post("/meetings/<uuid:meeting_id>/reschedule")
    @signed_in()
    def reschedule(meeting_id: UUID):
        form = Form.posted(starts_at="starts_local")
        starts_at = local_instant(form, "starts_local", form.value("zone") or viewer_zone(current_principal()))
        body = form.validate(RescheduleIn, starts_at=starts_at) if not form.errors else None
        command = body and (
            lambda: programme().reschedule_meeting(
                current_principal(),
                str(meeting_id),
                body.starts_at,
                body.duration_minutes,
                expected_version=form.version,
            )
        )
        return _run(meeting_id, "move", form, command)

    @bp.post("/meetings/<uuid:meeting_id>/cancel")
    @signed_in()
    def cancel(meeting_id: UUID):
        form = Form.posted()
        body = form.validate(CancelIn)
        command = body and (
            lambda: programme().cancel_meeting(
                current_principal(), str(meeting_id), body.reason, expected_version=form.version
            )
        )
        return _run(meeting_id, "cancel", form, command)

    @bp.post("/meetings/<uuid:meeting_id>/outcome")
    @signed_in()
    def outcome(meeting_id: UUID):
        form = Form.posted()
        body = form.validate(OutcomeIn)
        command = body and (
            lambda: programme().record_meeting_outcome(
                current_principal(),
                str(meeting_id),
                body.attendance,
                body.summary,
                None if body.attended_city_ids is None else [str(c) for c in body.attended_city_ids],
                expected_version=form.version,
            )
        )
        return _run(meeting_id, "outcome", form, command)

    return bp


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _run(meeting_id: UUID, name: str, form: Form, command):
    if command:
        result = form.run(command, RULE_FIELDS)
        if result is not None:
            return done(url_for("pages_meetings.one", meeting_id=meeting_id), result)
    return show_one(meeting_id, forms={name: form})


def show_new(form: Form):
    """The slot finder (GET ``city_ids``, ``duration_minutes``, ``from``, ``days``) above the schedule form."""
    me = current_principal()
    zone_name = viewer_zone(me)
    found = views()
    finder = Form(values={k: request.args.getlist(k) if k == "city_ids" else v for k, v in request.args.items()})
    slots = []
    if request.args.get("find"):
        query = finder.validate(SlotsQuery, **slots_query(request.args, zone_name, programme().now()))
        if query is not None:
            ids = [c for c in query.city_ids.split(",") if c]
            slots = (
                finder.run(lambda: find_slots(ids, query.from_, query.to, query.duration_minutes, query.step_minutes))
                or []
            )
    cities = all_cities(found)
    zones = sorted({c["timezone"] for c in cities} | {zone_name, "UTC"})
    picked = [
        {"city_id": c, "name": n} for c, n in ((c["id"], c["name"]) for c in cities) if c in finder.chosen("city_ids")
    ]
    return render(
        "meetings/new.html",
        status=form.status if form.refused else 200,
        form=form,
        finder=finder,
        slots=slots,
        picked=picked,
        zones=Zones(found),
        zone=zone_name,
        zone_choices=[(z, z) for z in zones],
        cities=[(c["id"], c["name"]) for c in cities],
        kinds=[(k.value, k.value) for k in MeetingKind],
    )


def show_one(meeting_id: UUID, forms: dict[str, Form] | None = None):
    me = current_principal()
    app = programme()
    meeting = rep.meeting(app.load(Meeting, meeting_id))
    found = views()
    zone_name = viewer_zone(me)
    names = {c["id"]: c["name"] for c in all_cities(found)}
    invited = [{"city_id": c, "name": names.get(c, c)} for c in meeting["invited_city_ids"]]
    forms = forms or {}
    refused = next((f for f in forms.values() if f.refused), None)
    cities = sorted({Zones(found).of(c["city_id"]) for c in invited} | {zone_name, "UTC"})
    staff = is_staff(me)
    return render(
        "meetings/one.html",
        status=refused.status if refused else 200,
        m=meeting,
        invited=invited,
        invited_choices=[(c["city_id"], c["name"]) for c in invited],
        zones=Zones(found),
        zone=zone_name,
        zone_choices=[(z, z) for z in cities],
        staff=staff,
        given_now=request.args.get("given"),
        **feedback_context(me, meeting, names, staff, forms),
        scheduled=meeting["status"] == MeetingStatus.SCHEDULED,
        forms=forms,
        starts_local=meeting["starts_at"].astimezone(_zone(zone_name)).strftime("%Y-%m-%dT%H:%M"),
        history=app.history(Meeting, meeting_id),
    )
