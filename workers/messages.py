"""The words of every notification: plain, readable English, times in the reader's city and in UTC."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.matchmaking import Suggestion
from domain.model.statuses import AgreementKind, MeetingKind
from domain.themes import THEMES

KIND_WORDS = {
    MeetingKind.ONLINE: "online session",
    MeetingKind.WEBINAR: "webinar",
    MeetingKind.WORKSHOP: "workshop",
    MeetingKind.FIELD_VISIT: "field visit",
    MeetingKind.CONFERENCE: "conference",
    MeetingKind.SEMINAR: "seminar",
}
AGREEMENT_WORDS = {
    AgreementKind.MOU: "memorandum of understanding",
    AgreementKind.FRAMEWORK: "framework agreement",
    AgreementKind.PROTOCOL: "protocol",
    AgreementKind.OTHER: "agreement",
}


def names(items: Iterable[str]) -> str:
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def themes_text(themes: Iterable[str]) -> str:
    return names([THEMES.get(t, t) for t in themes])


def duration_text(delta: timedelta) -> str:
    """``7 days``, ``24 hours``, ``1 hour``, ``90 minutes``, ``3 seconds``."""
    seconds = int(delta.total_seconds())
    for unit, size, least in (("day", 86400, 2 * 86400), ("hour", 3600, 3600), ("minute", 60, 60)):
        if seconds >= least and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} second{'' if seconds == 1 else 's'}"


def when_text(instant: datetime, tz_name: str | None = None, place: str | None = None) -> str:
    """``Wednesday 28 October 2020, 16:00 Yantai time (08:00 UTC)``."""
    utc = instant.astimezone(UTC)
    if tz_name:
        local = instant.astimezone(ZoneInfo(tz_name))
        label = f"{place} time" if place else tz_name
        return f"{local:%A} {local.day} {local:%B %Y, %H:%M} {label} ({utc:%H:%M} UTC)"
    return f"{utc:%A} {utc.day} {utc:%B %Y, %H:%M} UTC"


def date_text(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def session_words(kind: str) -> str:
    return KIND_WORDS.get(kind, "session")


def partnership_invitation(
    proposer: str, invited: str, title: str, themes: list[str], description: str | None
) -> tuple[str, str]:
    subject = f"{proposer} invites {invited} to the partnership '{title}'"
    lines = [subject + "."]
    if themes:
        lines.append(f"Themes: {themes_text(themes)}.")
    if description:
        lines += ["", description]
    lines += ["", f"As an officer of {invited}, you can accept or decline the invitation in twinning."]
    return subject, "\n".join(lines)


def meeting_invitation(
    invited: str, kind: str, title: str, when: str, location: str | None, url: str | None
) -> tuple[str, str]:
    subject = f"{invited} is invited to the {session_words(kind)} '{title}'"
    return subject, "\n".join(
        [f"{subject}, on {when}.", *_place(location, url), "", "The calendar invitation is attached."]
    )


def meeting_reminder(
    kind: str, title: str, before: timedelta, when: str, location: str | None, url: str | None
) -> tuple[str, str]:
    subject = f"Reminder: the {session_words(kind)} '{title}' starts in {duration_text(before)}"
    return subject, "\n".join([f"{subject}, on {when}.", *_place(location, url)])


def meeting_moved(kind: str, title: str, when: str, location: str | None, url: str | None) -> tuple[str, str]:
    subject = f"The {session_words(kind)} '{title}' has moved"
    return subject, "\n".join(
        [
            f"The {session_words(kind)} '{title}' now takes place on {when}.",
            *_place(location, url),
            "",
            "The updated calendar invitation is attached; it replaces the earlier one.",
        ]
    )


def meeting_cancelled(kind: str, title: str, when: str, reason: str | None) -> tuple[str, str]:
    subject = f"The {session_words(kind)} '{title}' is cancelled"
    lines = [f"The {session_words(kind)} '{title}', planned for {when}, is cancelled."]
    if reason:
        lines.append(f"Reason: {reason}")
    lines += ["", "The attached cancellation removes it from your calendar."]
    return subject, "\n".join(lines)


def suggestions(city: str, items: list[Suggestion], why: str) -> tuple[str, str]:
    subject = f"Partner suggestions for {city}"
    lines = [f"{why} These cities could be good partners for {city}:", ""]
    for number, s in enumerate(items, 1):
        lines.append(f"{number}. {s.name} (score {s.score} of 100)")
        lines += [f"   - {reason}" for reason in s.reasons]
    return subject, "\n".join(lines)


def invitation_nudge(proposer: str, invited: str, title: str, since: timedelta) -> tuple[str, str]:
    subject = f"{invited} has not yet answered {proposer}'s invitation to '{title}'"
    body = (
        f"{proposer} invited {invited} to the partnership '{title}' {duration_text(since)} ago, "
        f"and the invitation is still waiting for an answer.\n\n"
        f"As an officer of {invited}, please accept or decline it in twinning."
    )
    return subject, body


def milestone_due(project: str, milestone: str, due_on: date, today: date) -> tuple[str, str]:
    days = (due_on - today).days
    if days < 0:
        late = -days
        subject = f"The milestone '{milestone}' of '{project}' is overdue"
        body = f"The milestone '{milestone}' of the pilot project '{project}' was due on {date_text(due_on)}, {late} day{'s' if late != 1 else ''} ago, and is not yet achieved."
    else:
        when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        subject = f"The milestone '{milestone}' of '{project}' is due {when}"
        body = f"The milestone '{milestone}' of the pilot project '{project}' is due on {date_text(due_on)} ({when})."
    return subject, body + "\n\nRecord it as achieved, or reschedule it, in twinning."


def agreement_unsigned(title: str, kind: str, drafted_on: date, unsigned: list[str]) -> tuple[str, str]:
    word = AGREEMENT_WORDS.get(kind, "agreement")
    subject = f"The {word} '{title}' is still waiting for signatures"
    body = (
        f"The {word} '{title}', drafted on {date_text(drafted_on)}, is not yet signed by {names(unsigned)}.\n\n"
        "It enters into force once every party has signed."
    )
    return subject, body


def _place(location: str | None, url: str | None) -> list[str]:
    lines = []
    if location:
        lines.append(f"Where: {location}")
    if url:
        lines.append(f"Link: {url}")
    return lines
