"""Recording deliveries. The dedup key fixes the aggregate id, so a second delivery is refused by the store."""

from __future__ import annotations

from domain.access import Principal, require_role
from domain.application.base import ProgrammeBase, Recorded
from domain.errors import ConcurrencyConflict
from domain.model.notification import Notification
from domain.model.statuses import NotificationKind, Role, one_of


class NotificationsMixin(ProgrammeBase):
    def record_notification(
        self,
        principal: Principal,
        key: str,
        kind: str,
        recipient_id: str,
        subject: dict,
        title: str,
        body: str,
        channels: list[str],
    ) -> Recorded | None:
        """Record one delivery; ``None`` when this key was already recorded (a job that ran twice)."""
        require_role(principal, Role.ADMIN)
        notification = Notification(
            key=key,
            kind=one_of(NotificationKind, kind, "kind"),
            recipient_id=recipient_id,
            subject=subject,
            title=title,
            body=body,
            channels=channels,
            actor=principal.user_id,
        )
        try:
            return Recorded(notification, self.record(notification))
        except ConcurrencyConflict:
            return None

    def notification_recorded(self, key: str) -> bool:
        return self.exists(Notification.create_id(key))
