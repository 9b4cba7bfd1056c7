"""``Programme``: the one eventsourcing Application, and so the only door to the store.

Its command methods take primitives and the acting ``Principal``, check who may act
and the programme's rules, and record all of a command's events or none.
"""

from domain.application.agreements import AgreementsMixin
from domain.application.base import ProgrammeBase, Recorded, parse_id
from domain.application.cities import CitiesMixin
from domain.application.history import Actor, HistoryEntry, HistoryMixin
from domain.application.meetings import MeetingsMixin
from domain.application.notifications import NotificationsMixin
from domain.application.partnerships import PartnershipsMixin
from domain.application.projects import ProjectsMixin
from domain.application.signin import IssuedLink, SignedIn, SignInMixin
from domain.application.users import IssuedToken, UsersMixin, hash_token


class Programme(
    SignInMixin,
    UsersMixin,
    CitiesMixin,
    PartnershipsMixin,
    MeetingsMixin,
    AgreementsMixin,
    ProjectsMixin,
    NotificationsMixin,
    HistoryMixin,
    ProgrammeBase,
):
    name = "Programme"


__all__ = [
    "Actor",
    "HistoryEntry",
    "IssuedLink",
    "IssuedToken",
    "Programme",
    "Recorded",
    "SignInMixin",
    "SignedIn",
    "hash_token",
    "parse_id",
]
