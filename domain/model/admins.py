"""The admins able to act (active, holding a token), so the programme never loses its last one."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import RuleBroken


class LastAdmin(RuleBroken):
    code = "last-admin"
    title = "The last active admin cannot be deactivated or lose its last token"


class AdminRoster(Aggregate):
    """One per programme. Every command that changes an admin's standing changes it too, so two
    admins disabling each other at once conflict on it and the second one finds itself the last."""

    ID: UUID = uuid5(NAMESPACE_URL, "https://twinning.example/admin-roster")

    @staticmethod
    def create_id() -> UUID:
        return AdminRoster.ID

    @event("AdminRosterOpened")
    def __init__(self, admin_ids: list[str], actor: str) -> None:
        self.admin_ids = list(admin_ids)

    def stand(self, user_id: str, able: bool, actor: str) -> None:
        """Record whether this admin can still act; refuse to leave nobody who can."""
        if able and user_id not in self.admin_ids:
            self._join(user_id=user_id, actor=actor)
        elif not able and user_id in self.admin_ids:
            if self.admin_ids == [user_id]:
                raise LastAdmin("no other active admin holds a token: issue one to another admin first")
            self._leave(user_id=user_id, actor=actor)

    @event("AdminJoined")
    def _join(self, user_id: str, actor: str) -> None:
        self.admin_ids.append(user_id)

    @event("AdminLeft")
    def _leave(self, user_id: str, actor: str) -> None:
        self.admin_ids.remove(user_id)
