"""People who use the programme: officers of a city, facilitators, auditors, admins."""

from __future__ import annotations

import hmac
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue, RuleBroken
from domain.model.statuses import USER_ROLES, EmailMode, Language, Role, UserStatus, one_of
from domain.privacy.personal import pseudonym
from domain.values import check_timezone

ROLES = USER_ROLES


class _Keep:
    """The default of a preference not being changed (``None`` is a value: the city's time zone)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


class UserDeactivatedError(RuleBroken):
    code = "user-deactivated"
    title = "The user has been deactivated"


class AlreadyErased(RuleBroken):
    code = "already-erased"
    title = "This person's personal data has already been erased"


class User(Aggregate):
    # Defaults for users whose snapshot was taken before preferences existed.
    language = Language.EN
    email_mode = EmailMode.IMMEDIATE
    timezone: str | None = None

    @classmethod
    def register(cls, name: str, email: str, role: str, actor: str, city_id: str | None = None) -> User:
        if role not in ROLES:
            raise InvalidValue("role", f"must be one of {', '.join(ROLES)}")
        role = Role(role)
        if role == Role.OFFICER and not city_id:
            raise InvalidValue("city_id", "an officer belongs to one city: give its city_id")
        if role != Role.OFFICER and city_id:
            raise InvalidValue("city_id", "only officers belong to a city")
        return cls(name=name, email=email, role=role, city_id=city_id, actor=actor)

    @event("UserRegistered")
    def __init__(self, name: str, email: str, role: str, city_id: str | None, actor: str) -> None:
        self.name = name
        self.email = email
        self.role = Role(role)
        self.city_id = city_id
        self.token_hashes: list[str] = []
        self.active = True
        self.language = Language.EN
        self.email_mode = EmailMode.IMMEDIATE
        self.timezone = None  # the time of the user's city, or UTC

    def change_preferences(
        self, language: str | None = None, email: str | None = None, timezone: str | None = KEEP, *, actor: str
    ) -> None:
        """Only what differs is recorded; ``timezone=None`` goes back to the city's time (omit it to keep it)."""
        self._check_active()
        wanted = {
            "language": self.language if language is None else one_of(Language, language, "language"),
            "email": self.email_mode if email is None else one_of(EmailMode, email, "email"),
            "timezone": self.timezone if timezone is KEEP else (None if timezone is None else check_timezone(timezone)),
        }
        if (wanted["language"], wanted["email"], wanted["timezone"]) != (self.language, self.email_mode, self.timezone):
            self._change_preferences(**wanted, actor=actor)

    @event("PreferencesChanged")
    def _change_preferences(self, language: str, email: str, timezone: str | None, actor: str) -> None:
        self.language = Language(language)
        self.email_mode = EmailMode(email)
        self.timezone = timezone

    def issue_token(self, token_hash: str, actor: str) -> None:
        """Only the token's hash is recorded; the token itself is shown once to its holder."""
        self._check_active()
        self._issue_token(token_hash=token_hash, actor=actor)

    @event("TokenIssued")
    def _issue_token(self, token_hash: str, actor: str) -> None:
        self.token_hashes.append(token_hash)

    def revoke_tokens(self, actor: str) -> None:
        if self.token_hashes:
            self._revoke_tokens(token_hashes=list(self.token_hashes), actor=actor)

    def revoke_token(self, token_hash: str, actor: str) -> None:
        """One token (a signed-out session); the event is the same as for revoking them all."""
        if token_hash in self.token_hashes:
            self._revoke_tokens(token_hashes=[token_hash], actor=actor)

    @event("TokenRevoked")
    def _revoke_tokens(self, token_hashes: list[str], actor: str) -> None:
        self.token_hashes = [h for h in self.token_hashes if h not in token_hashes]

    def deactivate(self, actor: str) -> None:
        self._check_active()
        self._deactivate(actor=actor)

    @event("UserDeactivated")
    def _deactivate(self, actor: str) -> None:
        self.active = False
        self.token_hashes = []

    def erase(self, reason: str, signatures: list[list[str]], plain_positions: list[int], actor: str) -> None:
        """Their tokens die and they leave for good; the key of their data is deleted by the application."""
        if self.erased:
            raise AlreadyErased(f"user {self.id} was erased already")
        self.revoke_tokens(actor=actor)
        self._erase(reason=reason, signatures=signatures, plain_positions=plain_positions, actor=actor)

    @event("PersonalDataErased")
    def _erase(self, reason: str, signatures: list[list[str]], plain_positions: list[int], actor: str) -> None:
        """``signatures`` ([agreement id, party]) and ``plain_positions`` (log positions of events written in
        plain text before encryption) name where their data was, never the data."""
        self.erased = True
        self.active = False
        self.token_hashes = []
        self.name = self.email = pseudonym(str(self.id))

    @property
    def erased(self) -> bool:
        return self.__dict__.get("_erased", False)

    @erased.setter
    def erased(self, value: bool) -> None:
        self.__dict__["_erased"] = value

    @property
    def status(self) -> UserStatus:
        if self.erased:
            return UserStatus.ERASED
        return UserStatus.ACTIVE if self.active else UserStatus.DEACTIVATED

    def holds(self, token_hash: str) -> bool:
        matches = [hmac.compare_digest(held, token_hash) for held in self.token_hashes]
        return self.active and any(matches)

    def _check_active(self) -> None:
        if not self.active:
            raise UserDeactivatedError(f"{self.email} is deactivated")
