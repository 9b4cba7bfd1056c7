"""What officers are told about partnerships: invitations, nudges, answers, activation, expiry, suggestions."""

from __future__ import annotations

from datetime import timedelta

from domain.matchmaking import Suggestion
from workers.messages import Words


def partnership_invitation(
    w: Words, proposer: str, invited: str, title: str, themes: list[str], description: str | None
) -> tuple[str, str]:
    subject = w._(
        "%(proposer)s invites %(invited)s to the partnership '%(title)s'",
        proposer=proposer,
        invited=invited,
        title=title,
    )
    lines = [w._("%(sentence)s.", sentence=subject)]
    if themes:
        lines.append(w._("Themes: %(themes)s.", themes=w.themes(themes)))
    if description:
        lines += ["", description]
    lines += [
        "",
        w._("As an officer of %(invited)s, you can accept or decline the invitation in twinning.", invited=invited),
    ]
    return subject, "\n".join(lines)


def invitation_nudge(w: Words, proposer: str, invited: str, title: str, since: timedelta) -> tuple[str, str]:
    subject = w._(
        "%(invited)s has not yet answered %(proposer)s's invitation to '%(title)s'",
        invited=invited,
        proposer=proposer,
        title=title,
    )
    body = w._(
        "%(proposer)s invited %(invited)s to the partnership '%(title)s' %(since)s ago, "
        "and the invitation is still waiting for an answer.",
        proposer=proposer,
        invited=invited,
        title=title,
        since=w.duration(since),
    )
    return subject, body + "\n\n" + w._(
        "As an officer of %(invited)s, please accept or decline it in twinning.", invited=invited
    )


def invitation_answered(
    w: Words, answered: str, person: str, accepted: bool, title: str, reason: str | None
) -> tuple[str, str]:
    if accepted:
        subject = w._("%(city)s accepted the invitation to '%(title)s'", city=answered, title=title)
        body = w._(
            "%(person)s, for %(city)s, accepted your city's invitation to the partnership '%(title)s'.",
            person=person,
            city=answered,
            title=title,
        )
    else:
        subject = w._("%(city)s declined the invitation to '%(title)s'", city=answered, title=title)
        body = w._(
            "%(person)s, for %(city)s, declined your city's invitation to the partnership '%(title)s'.",
            person=person,
            city=answered,
            title=title,
        )
    if reason:
        body += "\n" + w._("Reason: %(reason)s", reason=reason)
    return subject, body


def partnership_activated(w: Words, title: str, members: list[str]) -> tuple[str, str]:
    subject = w._("The partnership '%(title)s' is now active", title=title)
    body = w._(
        "Every invited city has answered, and the partnership '%(title)s' is now active. Its members: %(members)s.",
        title=title,
        members=w.names(members),
    )
    return subject, body + "\n\n" + w._("Next steps: agree an action plan and plan your first session in twinning.")


def invitation_expired(w: Words, proposer: str, invited: str, title: str, after: timedelta) -> tuple[str, str]:
    subject = w._("The invitation of %(invited)s to '%(title)s' has expired", invited=invited, title=title)
    body = w._(
        "%(invited)s did not answer %(proposer)s's invitation to the partnership '%(title)s' within %(after)s, "
        "so the invitation has expired. The partnership goes on as if it had been declined.",
        invited=invited,
        proposer=proposer,
        title=title,
        after=w.duration(after),
    )
    return subject, body


def suggestions(w: Words, city: str, items: list[Suggestion], why: str) -> tuple[str, str]:
    subject = w._("Partner suggestions for %(city)s", city=city)
    lines = [w._("%(why)s These cities could be good partners for %(city)s:", why=why, city=city), ""]
    for number, s in enumerate(items, 1):
        lines.append(w._("%(number)d. %(name)s (score %(score)s of 100)", number=number, name=s.name, score=s.score))
        lines += [f"   - {reason}" for reason in s.reasons]
    return subject, "\n".join(lines)


def why_profile(w: Words, first: bool) -> str:
    return w._("Welcome to the programme.") if first else w._("Your city's profile is new or has changed.")


def why_proposal(w: Words, title: str) -> str:
    return w._("You proposed the partnership '%(title)s'; other cities may want to join it.", title=title)


def why_weekly(w: Words, week: str) -> str:
    return w._("Your weekly partner suggestions (%(week)s).", week=week)
