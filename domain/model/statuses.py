"""The programme's statuses and kinds, one ``StrEnum`` each.

A member *is* its value (``PartnershipStatus.ACTIVE == "active"``), so events and
snapshots keep storing the plain strings they always stored: stores written before
these enums open unchanged, a value read back from the log compares equal to its
member, and the JSON transcoder writes a member exactly as it writes its string.
"""

from __future__ import annotations

from enum import StrEnum

from domain.errors import InvalidValue


class Role(StrEnum):
    OFFICER = "officer"
    FACILITATOR = "facilitator"
    AUDITOR = "auditor"
    ADMIN = "admin"
    # The programme itself acting (demo loading, deliveries); no user can be registered with it.
    SYSTEM = "system"


USER_ROLES = (Role.OFFICER, Role.FACILITATOR, Role.AUDITOR, Role.ADMIN)
STAFF_ROLES = (Role.FACILITATOR, Role.ADMIN)
AUDIT_ROLES = (Role.AUDITOR, Role.ADMIN)


class UserStatus(StrEnum):
    ACTIVE = "active"
    DEACTIVATED = "deactivated"
    ERASED = "erased"


class CityStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"


class StakeholderKind(StrEnum):
    """The triple helix: government, business, research."""

    PUBLIC = "public"
    PRIVATE = "private"
    RESEARCH = "research"


class PartnershipStatus(StrEnum):
    PROPOSED = "proposed"
    ACTIVE = "active"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    CONCLUDED = "concluded"


CLOSED_PARTNERSHIP = (PartnershipStatus.DECLINED, PartnershipStatus.WITHDRAWN, PartnershipStatus.CONCLUDED)
# Invitations still worth sending (and cities still tied, for matchmaking) while a partnership is one of these.
OPEN_PARTNERSHIP = (PartnershipStatus.PROPOSED, PartnershipStatus.ACTIVE)


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class MeetingKind(StrEnum):
    ONLINE = "online"
    WEBINAR = "webinar"
    WORKSHOP = "workshop"
    FIELD_VISIT = "field_visit"
    CONFERENCE = "conference"
    SEMINAR = "seminar"


class AgreementStatus(StrEnum):
    DRAFTED = "drafted"
    IN_FORCE = "in_force"
    TERMINATED = "terminated"


class AgreementKind(StrEnum):
    MOU = "mou"
    FRAMEWORK = "framework"
    PROTOCOL = "protocol"
    OTHER = "other"


class ProjectStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class MilestoneStatus(StrEnum):
    PLANNED = "planned"
    ACHIEVED = "achieved"


class NotificationKind(StrEnum):
    INVITATION = "invitation"
    SUGGESTION = "suggestion"
    MEETING_REMINDER = "meeting_reminder"
    MEETING_UPDATE = "meeting_update"
    INVITATION_NUDGE = "invitation_nudge"
    MILESTONE_DUE = "milestone_due"
    AGREEMENT_UNSIGNED = "agreement_unsigned"
    # Notifications that close the loop (issue 13)
    INVITATION_ANSWERED = "invitation_answered"
    PARTNERSHIP_ACTIVATED = "partnership_activated"
    INVITATION_EXPIRED = "invitation_expired"
    AGREEMENT_SIGNED = "agreement_signed"
    AGREEMENT_IN_FORCE = "agreement_in_force"
    MILESTONE_ACHIEVED = "milestone_achieved"
    PROJECT_COMPLETED = "project_completed"
    MEETING_MOVED = "meeting_moved"
    MEETING_CANCELLED = "meeting_cancelled"
    FEEDBACK_REQUEST = "feedback_request"
    FOLLOW_UP_REQUEST = "follow_up_request"
    DIGEST = "digest"


class FeedbackOutcome(StrEnum):
    """Where a session led, asked right after it (feedback) and again months later (follow-up)."""

    NO_FURTHER_CONTACT = "no_further_contact"
    FOLLOW_UP_PLANNED = "follow_up_planned"
    NEGOTIATION_STARTED = "negotiation_started"
    AGREEMENT_REACHED = "agreement_reached"


class EmailMode(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    OFF = "off"


class Language(StrEnum):
    EN = "en"
    ZH_HANS = "zh-Hans"


def one_of(kind: type[StrEnum], value: object, field: str, hint: str = "") -> StrEnum:
    """``value`` as a member of ``kind``, or ``InvalidValue`` naming the field and the allowed values."""
    if isinstance(value, str):
        try:
            return kind(value)
        except ValueError:
            pass
    raise InvalidValue(field, f"must be one of {', '.join(kind)}{hint}")


class ProgrammeStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ActionPlanStatus(StrEnum):
    DRAFTED = "drafted"
    ADOPTED = "adopted"


class ActionStatus(StrEnum):
    PLANNED = "planned"
    STARTED = "started"
    DONE = "done"
    DROPPED = "dropped"


CLOSED_ACTION = (ActionStatus.DONE, ActionStatus.DROPPED)
