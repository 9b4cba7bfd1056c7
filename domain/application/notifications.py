"""Recording deliveries and their reading. The dedup key fixes the aggregate id, so a second delivery is refused."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from eventsourcing.utils import get_topic

from domain.access import Principal, require_role
from domain.application.base import COMMAND_ATTEMPTS, ProgrammeBase, Recorded
from domain.errors import ConcurrencyConflict, NotFound
from domain.model.notification import Notification
from domain.model.statuses import NotificationKind, Role, one_of


@dataclass(frozen=True)
class Marked:
    """What "mark all read" did: the notifications it marked and the log position of the last event."""

    notifications: list[Notification]
    position: int | None


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

    def notification(self, principal: Principal, notification_id: str) -> Notification:
        """The caller's own notification; anyone else's is not found (its existence is not told)."""
        notification = self.load(Notification, notification_id)
        if notification.recipient_id != principal.user_id:
            raise NotFound(f"no notification has the id {notification.id}")
        return notification

    def mark_notification_read(self, principal: Principal, notification_id: str) -> Recorded:
        """``NotificationRead``, once: reading it again records nothing; someone else's is not found."""
        return self.change(Notification, notification_id, lambda n: n.mark_read(actor=principal.user_id))

    def mark_all_notifications_read(
        self, principal: Principal, notification_ids: Iterable[str] | None = None
    ) -> Marked:
        """Every unread notification of the caller read, in one transaction; the ones this marked.

        ``notification_ids`` (the inbox view's unread ones) spares reading the whole log for
        the caller's; ids of someone else's or already read notifications are skipped.
        """
        attempt = 0
        while True:
            attempt += 1
            ids = list(notification_ids) if notification_ids is not None else self._notification_ids_of(principal)
            unread = []
            for notification_id in dict.fromkeys(ids):
                try:
                    notification = self.load(Notification, notification_id)
                except NotFound:
                    continue
                if notification.recipient_id == principal.user_id and notification.read_at is None:
                    notification.mark_read(actor=principal.user_id)
                    unread.append(notification)
            try:
                return Marked(unread, self.record(*unread))
            except ConcurrencyConflict:
                if attempt >= COMMAND_ATTEMPTS:
                    raise

    def _notification_ids_of(self, principal: Principal) -> list[str]:
        """The caller's notifications, found in the log (without the inbox view to ask)."""
        topic, start, found = get_topic(Notification.NotificationSent), 1, []
        while True:
            batch = self._read(lambda s=start: self.recorder.select_notifications(s, 500, topics=[topic]))
            for stored in batch:
                if self.mapper.to_domain_event(stored).recipient_id == principal.user_id:
                    found.append(str(stored.originator_id))
            if len(batch) < 500:
                return found
            start = batch[-1].id + 1
