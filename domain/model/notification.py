"""One delivery to one person. Its id is derived from the dedup key, so it is recorded once."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.model.statuses import NotificationKind

NOTIFICATION_KINDS = tuple(NotificationKind)
_NAMESPACE = uuid5(NAMESPACE_URL, "https://twinning.example/notifications")


def dedup_key(kind: str, subject_kind: str, subject_id: str, subject_version: int | str, recipient_id: str) -> str:
    return f"{kind}/{subject_kind}/{subject_id}/{subject_version}/{recipient_id}"


class Notification(Aggregate):
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
