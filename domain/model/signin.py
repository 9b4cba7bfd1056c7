"""One-time sign-in links: an event-sourced fact carrying only the link's hash.

The link's id is derived from its hash, so the store finds it without an index, and a
second use of the same link is refused by the aggregate (``used``) and, if two requests
race, by the store's unique (id, version) constraint.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import RuleBroken

SIGN_IN_LINK_LIFETIME = timedelta(minutes=15)
_NAMESPACE = uuid5(NAMESPACE_URL, "https://twinning.example/sign-in-links")


class SignInLinkRefused(RuleBroken):
    """A link that is unknown, used already or expired: the page says which, never whose."""

    code = "sign-in-link-refused"
    title = "The sign-in link cannot be used"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # "unknown", "used" or "expired"


class SignInLink(Aggregate):
    @staticmethod
    def create_id(link_hash: str) -> UUID:
        return uuid5(_NAMESPACE, link_hash)

    @classmethod
    def issue(cls, link_hash: str, user_id: str, issued_at: datetime, actor: str) -> SignInLink:
        return cls(link_hash=link_hash, user_id=user_id, expires_at=issued_at + SIGN_IN_LINK_LIFETIME, actor=actor)

    @event("SignInLinkIssued")
    def __init__(self, link_hash: str, user_id: str, expires_at: datetime, actor: str) -> None:
        self.user_id = user_id
        self.expires_at = expires_at
        self.used = False

    def use(self, now: datetime, actor: str) -> None:
        if self.used:
            raise SignInLinkRefused("used", "this sign-in link has been used already; ask for a new one")
        if now >= self.expires_at:
            raise SignInLinkRefused("expired", "this sign-in link has expired; ask for a new one")
        self._use(actor=actor)

    @event("SignInLinkUsed")
    def _use(self, actor: str) -> None:
        self.used = True
