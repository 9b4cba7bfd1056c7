"""Statuses and kinds as a person reads them, in the page's language (the API shows their slugs)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LABELS = {
    "partnership": {
        "proposed": _l("Proposed"),
        "active": _l("Active"),
        "declined": _l("Declined"),
        "withdrawn": _l("Withdrawn"),
        "concluded": _l("Concluded"),
    },
    "invitation": {"pending": _l("Waiting for an answer"), "accepted": _l("Accepted"), "declined": _l("Declined")},
    "meeting": {"scheduled": _l("Scheduled"), "held": _l("Held"), "cancelled": _l("Cancelled")},
    "meeting_kind": {
        "online": _l("Online meeting"),
        "webinar": _l("Webinar"),
        "workshop": _l("Workshop"),
        "field_visit": _l("Field visit"),
        "conference": _l("Conference"),
        "seminar": _l("Seminar"),
    },
    "agreement": {"drafted": _l("Drafted"), "in_force": _l("In force"), "terminated": _l("Terminated")},
    "agreement_kind": {
        "mou": _l("Memorandum of understanding"),
        "framework": _l("Framework agreement"),
        "protocol": _l("Protocol"),
        "other": _l("Other agreement"),
    },
    "project": {"active": _l("Active"), "completed": _l("Completed"), "cancelled": _l("Cancelled")},
    "milestone": {
        "planned": _l("Planned"),
        "achieved": _l("Achieved"),
        "overdue": _l("Overdue"),
        "due": _l("Due"),
    },
    "city": {"active": _l("Active"), "retired": _l("Retired")},
    "stakeholder": {"public": _l("Government"), "private": _l("Business"), "research": _l("Research")},
    "role": {
        "officer": _l("City officer"),
        "facilitator": _l("Facilitator"),
        "auditor": _l("Auditor"),
        "admin": _l("Administrator"),
    },
}


def label(kind: str, value: str | None) -> str:
    """The label of a status or kind; a value this release does not know is shown as it is stored."""
    if value is None:
        return ""
    found = LABELS.get(kind, {}).get(str(value))
    return str(found) if found is not None else str(value).replace("_", " ")


def options(kind: str) -> list[tuple[str, str]]:
    return [(value, str(text)) for value, text in LABELS[kind].items()]
