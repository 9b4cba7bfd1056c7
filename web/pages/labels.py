"""Statuses and kinds as a person reads them, in the page's language (the API shows their slugs)."""

from __future__ import annotations

from babel import Locale
from flask_babel import get_locale
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
    "city": {"active": _l("Taking part"), "retired": _l("Retired")},
    "stakeholder": {"public": _l("Government"), "private": _l("Business"), "research": _l("Research")},
    "region": {
        "europe": _l("Europe"),
        "east-asia": _l("East Asia"),
        "south-east-asia": _l("South-East Asia"),
        "south-asia": _l("South Asia"),
        "central-asia": _l("Central Asia"),
        "west-asia": _l("West Asia (Middle East and the Gulf)"),
        "north-africa": _l("North Africa"),
        "sub-saharan-africa": _l("Sub-Saharan Africa"),
        "north-america": _l("North America"),
        "latin-america-caribbean": _l("Latin America and the Caribbean"),
        "oceania": _l("Oceania"),
        "antarctica": _l("Antarctica"),
    },
    "event": {
        "PartnershipProposed": _l("Partnership proposed"),
        "PartnerInvited": _l("City invited"),
        "InvitationAccepted": _l("Invitation accepted"),
        "InvitationDeclined": _l("Invitation declined"),
        "PartnershipActivated": _l("Partnership active"),
        "PartnershipDeclined": _l("Partnership declined"),
        "ProposalWithdrawn": _l("Proposal withdrawn"),
        "ActionPlanAdopted": _l("Action plan adopted"),
        "PartnershipConcluded": _l("Partnership concluded"),
        "MeetingScheduled": _l("Session scheduled"),
        "ParticipantInvited": _l("City invited"),
        "MeetingRescheduled": _l("Session moved"),
        "MeetingCancelled": _l("Session cancelled"),
        "MeetingHeld": _l("Outcome recorded"),
    },
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


def country(code: str | None) -> str:
    """A country's name in the page's language (Babel's CLDR names)."""
    if not code:
        return ""
    locale = get_locale() or Locale("en")
    return locale.territories.get(code.upper(), code)


# pages-more: where a session led (feedback and follow-up), and the events that record it.
LABELS["feedback_outcome"] = {
    "no_further_contact": _l("No further contact"),
    "follow_up_planned": _l("A follow-up is planned"),
    "negotiation_started": _l("Negotiations have started"),
    "agreement_reached": _l("An agreement was reached"),
}
LABELS["event"].update(FeedbackGiven=_l("Feedback given"), FollowUpGiven=_l("Follow-up given"))
