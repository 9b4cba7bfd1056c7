"""Signing in by email: a one-time link (15 minutes, single use) opens a session.

A link and a session are stored only as hashes. The session is one of the user's tokens
(``User.token_hashes``, found through a ``TokenOwner``), hashed with its own prefix so it
never works as a bearer token on the API; so whatever ends a user's tokens (revoking them,
deactivating the user) ends their sessions too, by the one rule ``User.holds``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from domain.access import SYSTEM, Principal
from domain.application.users import TOKEN_BYTES, UsersMixin, check_email, hash_token
from domain.errors import ConcurrencyConflict, InvalidValue, NotAuthenticated, NotFound
from domain.model.indexes import TokenOwner
from domain.model.signin import SignInLink, SignInLinkRefused
from domain.model.statuses import Role
from domain.model.user import User

SESSION_PREFIX = "session:"
ATTEMPTS = 5


def hash_session(session_token: str) -> str:
    return hash_token(SESSION_PREFIX + session_token)


@dataclass(frozen=True)
class IssuedLink:
    user: User
    token: str
    position: int | None


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    session_token: str
    position: int | None


class SignInMixin(UsersMixin):
    def issue_sign_in_link(self, email: str) -> IssuedLink | None:
        """A link for the active user with this address; None for any other address (the caller
        answers the same either way, so the answer tells nobody who is registered)."""
        try:
            email = check_email(email)
        except InvalidValue:
            return None
        user = self._user_by_email(email)
        if user is None or not user.active:
            return None
        token = secrets.token_urlsafe(TOKEN_BYTES)
        link = SignInLink.issue(hash_token(token), str(user.id), self.now(), actor=SYSTEM.user_id)
        return IssuedLink(user, token, self.record(link))

    def sign_in_with_link(self, token: str) -> SignedIn:
        """Use the link once and open a session: a new session token for its user."""
        if not token or len(token) > 512:
            raise SignInLinkRefused("unknown", "this sign-in link is not valid; ask for a new one")
        link_id = SignInLink.create_id(hash_token(token))
        for attempt in range(1, ATTEMPTS + 1):
            try:
                link = self.load(SignInLink, link_id)
            except NotFound:
                raise SignInLinkRefused("unknown", "this sign-in link is not valid; ask for a new one") from None
            link.use(self.now(), actor=link.user_id)
            user = self.load(User, link.user_id)
            if not user.active:
                raise SignInLinkRefused("unknown", "this sign-in link is not valid; ask for a new one")
            principal = _principal(user)
            session_token = secrets.token_urlsafe(TOKEN_BYTES)
            session_hash = hash_session(session_token)
            user.issue_token(token_hash=session_hash, actor=principal.user_id)
            owner = TokenOwner(token_hash=session_hash, user_id=principal.user_id, actor=principal.user_id)
            try:
                position = self.record(link, user, owner, *self._standing(user, principal))
            except ConcurrencyConflict:
                if attempt == ATTEMPTS:
                    raise
                continue  # the next load finds the link used, if that was the conflict
            return SignedIn(principal, session_token, position)
        raise ConcurrencyConflict()

    def authenticate_session(self, session_token: str) -> Principal:
        """The principal of a session, or NotAuthenticated (signed out, revoked, deactivated)."""
        if not session_token or len(session_token) > 512:
            raise NotAuthenticated("sign in again")
        session_hash = hash_session(session_token)
        try:
            owner = self.load(TokenOwner, TokenOwner.create_id(session_hash))
            user = self.load(User, owner.user_id)
        except NotFound:
            raise NotAuthenticated("sign in again") from None
        if not user.holds(session_hash):
            raise NotAuthenticated("the session has ended; sign in again")
        return _principal(user)

    def sign_out(self, principal: Principal, session_token: str) -> int | None:
        """End this one session (the user's other sessions and API tokens stay)."""
        for attempt in range(1, ATTEMPTS + 1):
            user = self.load(User, principal.user_id)
            user.revoke_token(hash_session(session_token), actor=principal.user_id)
            if not user.pending_events:
                return None
            try:
                return self.record(user, *self._standing(user, principal))
            except ConcurrencyConflict:
                if attempt == ATTEMPTS:
                    raise
        return None

    def demo_sign_in_link(self, email: str) -> str | None:
        """A ready link for a demo person (``twinning demo`` prints one per role in embedded mode)."""
        issued = self.issue_sign_in_link(email)
        return issued.token if issued else None


def _principal(user: User) -> Principal:
    return Principal(user_id=str(user.id), role=Role(user.role), city_id=user.city_id, name=user.name)
