"""One delivery to one person. Its id is derived from the dedup key, so it is recorded once."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import NotFound
from domain.model.statuses import NotificationKind

NOTIFICATION_KINDS = tuple(NotificationKind)
_NAMESPACE = uuid5(NAMESPACE_URL, "https://twinning.example/notifications")


def dedup_key(kind: str, subject_kind: str, subject_id: str, subject_version: int | str, recipient_id: str) -> str:
    return f"{kind}/{subject_kind}/{subject_id}/{subject_version}/{recipient_id}"


class Notification(Aggregate):
    read_at: datetime | None = None  # also the default of notifications recorded before reading was

    class Event(Aggregate.Event):
        """Lets an event's body read its own recording time as ``recorded_at`` (as ``Partnership.Event``)."""

        def mutate(self, aggregate):
            if aggregate is not None:
                aggregate.recorded_at = self.timestamp
            return super().mutate(aggregate)

    @staticmethod
    def create_id(key: str) -> UUID:
        return uuid5(_NAMESPACE, key)

    @event("NotificationSent")
    def __init__(
        self,
        key: str,
        kind: str,
        recipient_id: str,
        subject: dict,
        title: str,
        body: str,
        channels: list[str],
        actor: str,
    ) -> None:
        self.key = key
        self.kind = NotificationKind(kind)
        self.recipient_id = recipient_id
        self.subject = dict(subject)
        self.title = title
        self.body = body
        self.channels = list(channels)
        self.read_at = None

    def mark_read(self, actor: str) -> None:
        """Only its recipient reads a notification (anyone else is told it does not exist); once is enough."""
        if actor != self.recipient_id:
            raise NotFound(f"no notification has the id {self.id}")
        if self.read_at is None:
            self._read(actor=actor)

    @event("NotificationRead")
    def _read(self, actor: str) -> None:
        self.read_at = self.recorded_at
