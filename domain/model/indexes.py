"""Index aggregates: a deterministic id per unique name, so the store itself refuses a duplicate.

Two racing processes both try to create version 1 of the same index aggregate; the
store's unique (id, version) constraint lets exactly one of them commit.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

_NAMESPACE = uuid5(NAMESPACE_URL, "https://twinning.example/indexes")


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split())


class CityName(Aggregate):
    """Claims a city name within a country."""

    @staticmethod
    def create_id(country: str, name: str) -> UUID:
        return uuid5(_NAMESPACE, f"city-name/{country.upper()}/{_normalise(name)}")

    @event("CityNameClaimed")
    def __init__(self, country: str, name: str, city_id: str, actor: str) -> None:
        self.city_id: str | None = city_id

    def release(self, actor: str) -> None:
        """A renamed city lets its old name go, so another city may take it later."""
        self._release(actor=actor)

    @event("CityNameReleased")
    def _release(self, actor: str) -> None:
        self.city_id = None

    def reclaim(self, city_id: str, actor: str) -> bool:
        if self.city_id is not None:
            return False
        self._reclaim(city_id=city_id, actor=actor)
        return True

    @event("CityNameReclaimed")
    def _reclaim(self, city_id: str, actor: str) -> None:
        self.city_id = city_id


class UserEmail(Aggregate):
    """Claims an email address for one user."""

    @staticmethod
    def create_id(email: str) -> UUID:
        return uuid5(_NAMESPACE, f"user-email/{_normalise(email)}")

    @event("UserEmailClaimed")
    def __init__(self, email: str, user_id: str, actor: str) -> None:
        self.user_id = user_id


class TokenOwner(Aggregate):
    """Maps a token's hash to its user, so authentication is one indexed read."""

    @staticmethod
    def create_id(token_hash: str) -> UUID:
        return uuid5(_NAMESPACE, f"token/{token_hash}")

    @event("TokenRegistered")
    def __init__(self, token_hash: str, user_id: str, actor: str) -> None:
        self.user_id = user_id


class CityRoster(Aggregate):
    """The officers of one city, so notifications find their recipients without a read model."""

    @staticmethod
    def create_id(city_id: str) -> UUID:
        return uuid5(_NAMESPACE, f"city-roster/{city_id}")

    @event("RosterOpened")
    def __init__(self, city_id: str, actor: str) -> None:
        self.city_id = city_id
        self.officer_ids: list[str] = []

    def join(self, user_id: str, actor: str) -> None:
        if user_id not in self.officer_ids:
            self._join(user_id=user_id, actor=actor)

    @event("OfficerJoined")
    def _join(self, user_id: str, actor: str) -> None:
        self.officer_ids.append(user_id)

    def leave(self, user_id: str, actor: str) -> None:
        if user_id in self.officer_ids:
            self._leave(user_id=user_id, actor=actor)

    @event("OfficerLeft")
    def _leave(self, user_id: str, actor: str) -> None:
        self.officer_ids.remove(user_id)
