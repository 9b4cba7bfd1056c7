"""What officers are told about pilot projects and agreements."""

from __future__ import annotations

from datetime import date

from workers.messages import Words


def milestone_due(w: Words, project: str, milestone: str, due_on: date, today: date) -> tuple[str, str]:
    days = (due_on - today).days
    if days < 0:
        subject = w._("The milestone '%(milestone)s' of '%(project)s' is overdue", milestone=milestone, project=project)
        body = w.n_(
            "The milestone '%(milestone)s' of the pilot project '%(project)s' was due on %(due)s, "
            "%(count)d day ago, and is not yet achieved.",
            "The milestone '%(milestone)s' of the pilot project '%(project)s' was due on %(due)s, "
            "%(count)d days ago, and is not yet achieved.",
            -days,
            milestone=milestone,
            project=project,
            due=w.date(due_on),
        )
    else:
        when = w._("today") if days == 0 else w.n_("in %(count)d day", "in %(count)d days", days)
        subject = w._(
            "The milestone '%(milestone)s' of '%(project)s' is due %(when)s",
            milestone=milestone,
            project=project,
            when=when,
        )
        body = w._(
            "The milestone '%(milestone)s' of the pilot project '%(project)s' is due on %(due)s (%(when)s).",
            milestone=milestone,
            project=project,
            due=w.date(due_on),
            when=when,
        )
    return subject, body + "\n\n" + w._("Record it as achieved, or reschedule it, in twinning.")


def milestone_achieved(
    w: Words, project: str, milestone: str, achieved_on: date, person: str, note: str | None
) -> tuple[str, str]:
    subject = w._("Milestone achieved: '%(milestone)s' of '%(project)s'", milestone=milestone, project=project)
    body = w._(
        "%(person)s recorded the milestone '%(milestone)s' of the pilot project '%(project)s' as achieved on %(on)s.",
        person=person,
        milestone=milestone,
        project=project,
        on=w.date(achieved_on),
    )
    if note:
        body += "\n" + w._("Note: %(note)s", note=note)
    return subject, body


def project_completed(w: Words, project: str, person: str, summary: str) -> tuple[str, str]:
    subject = w._("The pilot project '%(project)s' is completed", project=project)
    body = w._("%(person)s recorded the pilot project '%(project)s' as completed.", person=person, project=project)
    return subject, body + "\n\n" + w._("Summary: %(summary)s", summary=summary)


def agreement_unsigned(w: Words, title: str, kind: str, drafted_on: date, unsigned: list[str]) -> tuple[str, str]:
    word = w.agreement(kind)
    subject = w._("The %(word)s '%(title)s' is still waiting for signatures", word=word, title=title)
    body = w._(
        "The %(word)s '%(title)s', drafted on %(drafted)s, is not yet signed by %(unsigned)s.",
        word=word,
        title=title,
        drafted=w.date(drafted_on),
        unsigned=w.names(unsigned),
    )
    return subject, body + "\n\n" + w._("It enters into force once every party has signed.")


def agreement_signed(
    w: Words, title: str, kind: str, party: str, signed_on: date, unsigned: list[str]
) -> tuple[str, str]:
    word = w.agreement(kind)
    subject = w._("%(party)s signed the %(word)s '%(title)s'", party=party, word=word, title=title)
    body = w._(
        "%(party)s signed the %(word)s '%(title)s' on %(on)s.",
        party=party,
        word=word,
        title=title,
        on=w.date(signed_on),
    )
    if unsigned:
        body += "\n\n" + w._("Still to sign: %(unsigned)s.", unsigned=w.names(unsigned))
    return subject, body


def agreement_in_force(w: Words, title: str, kind: str, in_force_on: date, parties: list[str]) -> tuple[str, str]:
    word = w.agreement(kind)
    subject = w._("The %(word)s '%(title)s' is in force", word=word, title=title)
    body = w._(
        "Every party has signed the %(word)s '%(title)s' (%(parties)s); it is in force since %(on)s.",
        word=word,
        title=title,
        parties=w.names(parties),
        on=w.date(in_force_on),
    )
    return subject, body
