"""Users and their bearer tokens. Tokens are random, shown once, and stored only as hashes."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from domain.access import SYSTEM, Principal, require_role
from domain.application.base import ProgrammeBase, Recorded, parse_id
from domain.errors import ConcurrencyConflict, Duplicate, InvalidValue, NotAuthenticated, NotFound
from domain.limits import MAX_EMAIL
from domain.model.admins import AdminRoster
from domain.model.city import City
from domain.model.indexes import CityRoster, TokenOwner, UserEmail
from domain.model.statuses import Role
from domain.model.user import KEEP, User, UserDeactivatedError
from domain.values import CONTROL_CHARACTERS, SPACE_CHARACTERS, check_name, check_text

TOKEN_BYTES = 32
COMMAND_ATTEMPTS = 5
log = logging.getLogger(__name__)


# One "@" after a non-empty local part, a dot in the domain, no spaces or controls (the web schema's pattern).
_EMAIL_CHARACTER = f"[^{SPACE_CHARACTERS}{CONTROL_CHARACTERS}]"
EMAIL_PATTERN = f"^[^@{SPACE_CHARACTERS}{CONTROL_CHARACTERS}]+@{_EMAIL_CHARACTER}*\\.{_EMAIL_CHARACTER}*$"
EMAIL = re.compile(EMAIL_PATTERN)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_email(email: str) -> str:
    email = check_text(email, "email", limit=MAX_EMAIL, required=True)
    if not EMAIL.fullmatch(email):
        raise InvalidValue("email", f"{email!r} is not an email address")
    return email


@dataclass(frozen=True)
class IssuedToken:
    user: User
    token: str
    position: int | None


class UsersMixin(ProgrammeBase):
    def create_user(
        self,
        principal: Principal,
        name: str,
        email: str,
        role: str,
        city_id: str | None = None,
        token: str | None = None,
    ) -> IssuedToken:
        """Register a user and issue a first token (a given ``token`` bootstraps the admin)."""
        require_role(principal, Role.ADMIN)
        name, email = check_name(name), check_email(email)
        if city_id is not None:
            city_id = str(self.load(City, city_id, field="city_id").id)
        token = token or secrets.token_urlsafe(TOKEN_BYTES)
        attempt = 0
        while True:
            attempt += 1
            # Built afresh on each attempt: a failed save has already taken the pending events of the last ones.
            user = User.register(name=name, email=email, role=role, city_id=city_id, actor=principal.user_id)
            claim = UserEmail(email=email, user_id=str(user.id), actor=principal.user_id)
            owner = self._issue(user, token, principal)
            roster = self._roster(city_id, principal) if city_id else None
            if roster is not None:
                roster.join(str(user.id), actor=principal.user_id)
            standing = self._standing(user, principal)
            try:
                return IssuedToken(user, token, self.record(*filter(None, (user, claim, owner, roster)), *standing))
            except ConcurrencyConflict:
                if self.exists(claim.id):
                    raise Duplicate(f"a user with the email {email} already exists") from None
                if attempt >= 5:
                    raise

    def officers_of(self, city_id: str) -> list[User]:
        """The active officers of a city: the people told about its invitations and sessions."""
        try:
            roster = self.load(CityRoster, CityRoster.create_id(str(parse_id(city_id, "city_id"))))
        except NotFound:
            return []
        users = [self.load(User, user_id) for user_id in roster.officer_ids]
        return [user for user in users if user.active]

    def issue_token(self, principal: Principal, user_id: str, expected_version: int | None = None) -> IssuedToken:
        require_role(principal, Role.ADMIN)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        user = self.load_expected(User, user_id, expected_version)
        owner = self._issue(user, token, principal)
        return IssuedToken(user, token, self.record(user, owner, *self._standing(user, principal)))

    def revoke_tokens(self, principal: Principal, user_id: str, expected_version: int | None = None) -> Recorded:
        require_role(principal, Role.ADMIN)
        return self._change_user(
            principal, user_id, expected_version, lambda user: [user.revoke_tokens(actor=principal.user_id)]
        )

    def deactivate_user(self, principal: Principal, user_id: str, expected_version: int | None = None) -> Recorded:
        """Deactivating an officer also takes them off their city's roster, in the same transaction."""
        require_role(principal, Role.ADMIN)

        def deactivate(user: User) -> list[Aggregate]:
            user.deactivate(actor=principal.user_id)
            roster = self._roster(user.city_id, principal) if user.city_id else None
            if roster is not None:
                roster.leave(str(user.id), actor=principal.user_id)
            return [roster] if roster is not None else []

        return self._change_user(principal, user_id, expected_version, deactivate)

    def change_preferences(
        self,
        principal: Principal,
        user_id: str,
        language: str | None = None,
        email: str | None = None,
        timezone: str | None = KEEP,
        expected_version: int | None = None,
    ) -> Recorded:
        """Language, email mode and time zone (None: the city's). Only the person or an admin; no change, no event."""
        if str(parse_id(user_id, "id")) != principal.user_id:
            require_role(principal, Role.ADMIN)
        return self._change_user(
            principal,
            user_id,
            expected_version,
            lambda user: [user.change_preferences(language, email, timezone, actor=principal.user_id)],
        )

    def preferences_of(self, user: User) -> dict[str, str]:
        """The person's language, email mode and the time zone they live by (their own, their city's, or UTC)."""
        zone = user.timezone
        if zone is None and user.city_id:
            zone = self.load(City, user.city_id).timezone
        return {"language": user.language, "email": user.email_mode, "timezone": zone or "UTC"}

    def _change_user(
        self,
        principal: Principal,
        user_id: str,
        expected_version: int | None,
        command: Callable[[User], list[Aggregate | None]],
    ) -> Recorded:
        """A change to a user and what it touches; an admin's standing is checked on fresh state each attempt."""
        attempt = 0
        while True:
            attempt += 1
            user = self.load_expected(User, user_id, expected_version)
            touched = [a for a in command(user) if a is not None]
            try:
                return Recorded(user, self.record(user, *touched, *self._standing(user, principal)))
            except ConcurrencyConflict:
                if attempt >= COMMAND_ATTEMPTS:
                    raise

    def _standing(self, user: User, principal: Principal) -> list[AdminRoster]:
        """The admin roster when this change moves an admin in or out of it (LastAdmin refuses the last out)."""
        if user.role != Role.ADMIN:
            return []
        roster = (
            self.load(AdminRoster, AdminRoster.ID)
            if self.exists(AdminRoster.ID)
            else AdminRoster(admin_ids=self._admins_able_to_act(exclude=str(user.id)), actor=principal.user_id)
        )
        roster.stand(str(user.id), able=user.active and bool(user.token_hashes), actor=principal.user_id)
        return [roster] if roster.pending_events else []

    def _admins_able_to_act(self, exclude: str) -> list[str]:
        """A store written before the roster existed: its admins are found once, from the log."""
        topic, start, user_ids = get_topic(User.UserRegistered), 1, []
        while True:
            batch = self._read(lambda s=start: self.recorder.select_notifications(s, 500, topics=[topic]))
            user_ids += [str(n.originator_id) for n in batch]
            if len(batch) < 500:
                break
            start = batch[-1].id + 1
        admins = [self.load(User, user_id) for user_id in user_ids if user_id != exclude]
        return [str(a.id) for a in admins if a.role == Role.ADMIN and a.active and a.token_hashes]

    def _roster(self, city_id: str, principal: Principal) -> CityRoster:
        try:
            return self.load(CityRoster, CityRoster.create_id(city_id))
        except NotFound:
            return CityRoster(city_id=city_id, actor=principal.user_id)

    def authenticate(self, token: str) -> Principal:
        """The principal holding this token, or NotAuthenticated (unknown, revoked, deactivated)."""
        if not token or len(token) > 512:
            raise NotAuthenticated("give a bearer token: Authorization: Bearer <token>")
        token_hash = hash_token(token)
        try:
            owner = self.load(TokenOwner, TokenOwner.create_id(token_hash))
            user = self.load(User, owner.user_id)
        except NotFound:
            raise NotAuthenticated("the token is not valid") from None
        if not user.holds(token_hash):
            raise NotAuthenticated("the token has been revoked")
        return Principal(user_id=str(user.id), role=Role(user.role), city_id=user.city_id, name=user.name)

    def ensure_admin(self, token: str, email: str = "admin@twinning.local") -> Principal | None:
        """Bootstrap (idempotently) the admin who holds ``token`` — from TWINNING_ADMIN_TOKEN.

        A deactivated bootstrap admin stays deactivated (re-enabling it from the environment would
        undo an admin's decision): that is said in one log line and the start goes on.
        """
        try:
            return self.ensure_user(SYSTEM, "Administrator", email, Role.ADMIN, token=token)
        except UserDeactivatedError:
            log.error(
                "TWINNING_ADMIN_TOKEN belongs to the deactivated admin %s: it is ignored and no admin is bootstrapped; "
                "another active admin can create a new one (POST /api/v1/users)",
                email,
            )
            return None

    def ensure_user(
        self,
        principal: Principal,
        name: str,
        email: str,
        role: str,
        token: str,
        city_id: str | None = None,
    ) -> Principal:
        """The user holding ``token``: registered, or given the token, only if not so already."""
        try:
            return self.authenticate(token)
        except NotAuthenticated:
            pass
        user = self._user_by_email(email)
        if user is None:
            self.create_user(principal, name, email, role, city_id=city_id, token=token)
        else:
            require_role(principal, Role.ADMIN)
            owner = self._issue(user, token, principal)
            self.record(user, owner, *self._standing(user, principal))
        return self.authenticate(token)

    def user(self, principal: Principal, user_id: str) -> User:
        if str(parse_id(user_id, "id")) != principal.user_id:
            require_role(principal, Role.ADMIN, Role.AUDITOR)
        return self.load(User, user_id)

    def _user_by_email(self, email: str) -> User | None:
        claim_id = UserEmail.create_id(email)
        if not self.exists(claim_id):
            return None
        return self.load(User, self.load(UserEmail, claim_id).user_id)

    @staticmethod
    def _issue(user: User, token: str, principal: Principal) -> TokenOwner:
        token_hash = hash_token(token)
        user.issue_token(token_hash=token_hash, actor=principal.user_id)
        return TokenOwner(token_hash=token_hash, user_id=str(user.id), actor=principal.user_id)
