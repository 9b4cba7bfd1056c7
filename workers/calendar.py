"""iCalendar (.ics) documents for sessions, so calendars update instead of doubling.

One UID per meeting (``<meeting-id>@twinning``) for its whole life; SEQUENCE is the
meeting's ``sequence`` (raised by every move and by the cancellation), METHOD is
REQUEST for an invitation, reminder or move and CANCEL for a cancellation (RFC 5546).
"""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event, vCalAddress, vText

from domain.model.meeting import Meeting
from domain.model.statuses import MeetingStatus
from domain.values import is_web_link

PRODID = "-//twinning//city-to-city cooperation//EN"
UID_DOMAIN = "twinning"


def meeting_uid(meeting_id: object) -> str:
    return f"{meeting_id}@{UID_DOMAIN}"


def meeting_ics(
    meeting: Meeting,
    method: str = "REQUEST",
    *,
    organiser_email: str = "twinning@localhost",
    attendee_emails: list[str] = (),
    stamp: datetime | None = None,
    description: str | None = None,
    summary: str | None = None,
) -> bytes:
    """The meeting as an iCalendar document with one VEVENT, times in UTC. ``summary``: the entry's
    title in the reader's language (the session's title by default)."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"method must be REQUEST or CANCEL, not {method!r}")
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)

    event = Event()
    event.add("uid", meeting_uid(meeting.id))
    event.add("sequence", int(meeting.sequence))
    event.add("dtstamp", (stamp or datetime.now(UTC)).astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", meeting.ends_at.astimezone(UTC))
    event.add("summary", summary or meeting.title)
    cancelled = method == "CANCEL" or meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if meeting.location:
        event.add("location", meeting.location)
    if is_web_link(meeting.url):  # a link stored before links were checked may be javascript: or worse
        event.add("url", meeting.url)
    if description:
        event.add("description", description)
    organiser = vCalAddress(f"mailto:{organiser_email}")
    organiser.params["cn"] = vText("twinning")
    event.add("organizer", organiser)
    for email in attendee_emails:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee, encode=0)
    cal.add_component(event)
    return cal.to_ical()
