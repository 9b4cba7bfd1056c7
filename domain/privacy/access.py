"""The right of access: everything the log holds about one person, and nothing about anyone else.

The whole log is read once (decoded as every reader decodes it, so an erased person's
data shows as their pseudonym): the person's profile, every event they acted in or whose
personal fields are theirs, and every notification sent to them. In those events a
personal field of someone else is withheld.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.model.notification import Notification

WITHHELD = "(another person's data, withheld)"
_NOTIFICATION = get_topic(Notification.NotificationSent)
_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic"}
BATCH = 1000


def plain(value: Any) -> Any:
    """A JSON value: ids and instants as text, personal strings as strings."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, str):
        return str(value)
    return value


def personal_record(app: Any, user: Any, now: datetime) -> dict[str, Any]:
    subject = str(user.id)
    events: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    start = 1
    while True:
        batch = app._read(lambda s=start: app.recorder.select_notifications(s, BATCH))
        for stored in batch:
            event = app.mapper.to_domain_event(stored)
            state = event.__dict__
            if stored.topic == _NOTIFICATION:
                if state.get("recipient_id") == subject:
                    notifications.append(
                        {
                            "id": str(stored.originator_id),
                            "position": stored.id,
                            "kind": plain(state["kind"]),
                            "title": str(state["title"]),
                            "body": str(state["body"]),
                            "channels": plain(state["channels"]),
                            "sent_at": event.timestamp.isoformat(),
                        }
                    )
                continue
            owners = app.mapper.subject_of(stored.topic, state, stored.originator_id)
            theirs = stored.originator_id == user.id or subject in owners.values()
            if not theirs and state.get("actor") != subject:
                continue
            data = {
                name: (WITHHELD if owners.get(name, subject) != subject else plain(value))
                for name, value in state.items()
                if name not in _ENVELOPE
            }
            events.append(
                {
                    "position": stored.id,
                    "aggregate_id": str(stored.originator_id),
                    "version": stored.originator_version,
                    "type": type(event).__name__,
                    "recorded_at": event.timestamp.isoformat(),
                    "data": data,
                }
            )
        if len(batch) < BATCH:
            break
        start = batch[-1].id + 1
    return {
        "generated_at": now.isoformat(),
        "profile": {
            "id": subject,
            "name": str(user.name),
            "email": str(user.email),
            "role": plain(user.role),
            "city_id": user.city_id,
            "status": plain(user.status),
            "registered_at": user.created_on.isoformat(),
        },
        "events": events,
        "notifications": notifications,
    }
