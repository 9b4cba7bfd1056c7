"""People who use the programme: officers of a city, facilitators, auditors, admins."""

from __future__ import annotations

import hmac

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue, RuleBroken
from domain.model.statuses import USER_ROLES, Role, UserStatus

ROLES = USER_ROLES


class UserDeactivatedError(RuleBroken):
    code = "user-deactivated"
    title = "The user has been deactivated"


class User(Aggregate):
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

    @property
    def status(self) -> UserStatus:
        return UserStatus.ACTIVE if self.active else UserStatus.DEACTIVATED

    def holds(self, token_hash: str) -> bool:
        matches = [hmac.compare_digest(held, token_hash) for held in self.token_hashes]
        return self.active and any(matches)

    def _check_active(self) -> None:
        if not self.active:
            raise UserDeactivatedError(f"{self.email} is deactivated")
