"""What officers are told about sessions: invitations, reminders, moves, cancellations, and how it went."""

from __future__ import annotations

from datetime import timedelta

from workers.messages import Words


def ics_summary(w: Words, kind: str, title: str) -> str:
    """The calendar entry's SUMMARY: in English the session's title as given; a translation may put the
    kind of session in front, since a calendar shows nothing else at a glance."""
    summaries = {
        "online": w.p_("ics summary: online session", "%(title)s", title=title),
        "webinar": w.p_("ics summary: webinar", "%(title)s", title=title),
        "workshop": w.p_("ics summary: workshop", "%(title)s", title=title),
        "field_visit": w.p_("ics summary: field visit", "%(title)s", title=title),
        "conference": w.p_("ics summary: conference", "%(title)s", title=title),
        "seminar": w.p_("ics summary: seminar", "%(title)s", title=title),
    }
    return summaries.get(kind, title)


def meeting_invitation(
    w: Words, invited: str, kind: str, title: str, when: str, location: str | None, url: str | None
) -> tuple[str, str]:
    subject = w._(
        "%(invited)s is invited to the %(session)s '%(title)s'", invited=invited, session=w.session(kind), title=title
    )
    return subject, "\n".join(
        [
            w._("%(sentence)s, on %(when)s.", sentence=subject, when=when),
            *w.place_lines(location, url),
            "",
            w._("The calendar invitation is attached."),
        ]
    )


def meeting_reminder(
    w: Words, kind: str, title: str, before: timedelta, when: str, location: str | None, url: str | None
) -> tuple[str, str]:
    subject = w._(
        "Reminder: the %(session)s '%(title)s' starts in %(before)s",
        session=w.session(kind),
        title=title,
        before=w.duration(before),
    )
    return subject, "\n".join(
        [w._("%(sentence)s, on %(when)s.", sentence=subject, when=when), *w.place_lines(location, url)]
    )


def meeting_moved(w: Words, kind: str, title: str, when: str, location: str | None, url: str | None) -> tuple[str, str]:
    session = w.session(kind)
    subject = w._("The %(session)s '%(title)s' has moved", session=session, title=title)
    return subject, "\n".join(
        [
            w._("The %(session)s '%(title)s' now takes place on %(when)s.", session=session, title=title, when=when),
            *w.place_lines(location, url),
            "",
            w._("The updated calendar invitation is attached; it replaces the earlier one."),
        ]
    )


def meeting_cancelled(w: Words, kind: str, title: str, when: str, reason: str | None) -> tuple[str, str]:
    session = w.session(kind)
    subject = w._("The %(session)s '%(title)s' is cancelled", session=session, title=title)
    lines = [
        w._("The %(session)s '%(title)s', planned for %(when)s, is cancelled.", session=session, title=title, when=when)
    ]
    if reason:
        lines.append(w._("Reason: %(reason)s", reason=reason))
    lines += ["", w._("The attached cancellation removes it from your calendar.")]
    return subject, "\n".join(lines)


def _scale(w: Words) -> str:
    return w.names(
        [
            w._("no further contact"),
            w._("follow-up planned"),
            w._("negotiation started"),
            w._("agreement reached"),
        ]
    )


def feedback_request(w: Words, city: str, kind: str, title: str, when: str, meeting_id: str) -> tuple[str, str]:
    session = w.session(kind)
    subject = w._("How did the %(session)s '%(title)s' go?", session=session, title=title)
    body = w._(
        "%(city)s took part in the %(session)s '%(title)s' on %(when)s. Please tell the programme how it went: "
        "rate it from 1 to 5 and say where it led (%(scale)s).",
        city=city,
        session=session,
        title=title,
        when=when,
        scale=_scale(w),
    )
    return subject, body + "\n\n" + w._("In twinning: POST /api/v1/meetings/%(id)s/feedback", id=meeting_id)


def follow_up_request(
    w: Words, city: str, kind: str, title: str, when: str, since: timedelta, meeting_id: str
) -> tuple[str, str]:
    session = w.session(kind)
    subject = w._("What came of the %(session)s '%(title)s'?", session=session, title=title)
    body = w._(
        "%(since)s ago %(city)s took part in the %(session)s '%(title)s' (%(when)s). Where has it led since "
        "(%(scale)s)?",
        since=w.duration(since),
        city=city,
        session=session,
        title=title,
        when=when,
        scale=_scale(w),
    )
    return subject, body + "\n\n" + w._("In twinning: POST /api/v1/meetings/%(id)s/follow-up", id=meeting_id)
