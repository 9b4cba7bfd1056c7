"""The whole event log for auditors: every event in order with type, actor, data and chain hash."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.access import Principal, require_role
from domain.model.statuses import AUDIT_ROLES
from domain.views.paging import check_limit, decode_cursor, encode_cursor

if TYPE_CHECKING:  # pragma: no cover
    from domain.audit.processor import AuditChain

SECRET_FIELDS = frozenset({"token_hash", "token_hashes", "link_hash"})  # never shown, as in the per-aggregate history
_ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic", "actor"})
EXPORT_BATCH = 1000


def require_auditor(principal: Principal) -> None:
    """The audit log, verification and exports are for auditors and admins (PermissionDenied otherwise)."""
    require_role(principal, *AUDIT_ROLES)


def jsonable(value: Any) -> Any:
    """Event data as JSON values: dates and instants in ISO form, UUIDs and anything else as text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((jsonable(v) for v in value), key=str)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return str(value)


def entry(chain: AuditChain, notification: Any, chain_hash: bytes | None) -> dict[str, Any]:
    """One log entry. An event that no longer decodes (a damaged record) is listed, not hidden."""
    qualname = notification.topic.rpartition(":")[2]
    aggregate_type, _, event_type = qualname.rpartition(".")
    item: dict[str, Any] = {
        "position": notification.id,
        "type": event_type,
        "aggregate_type": aggregate_type or None,
        "aggregate_id": str(notification.originator_id),
        "version": notification.originator_version,
        "recorded_at": None,
        "actor": None,
        "data": None,
        "hash": None if chain_hash is None else chain_hash.hex(),
    }
    try:
        event = chain.programme.mapper.to_domain_event(notification)
    except Exception as error:
        item["data"] = {"undecodable": f"{type(error).__name__}: {error}"[:300]}
        return item
    timestamp = getattr(event, "timestamp", None)
    if isinstance(timestamp, datetime):
        item["recorded_at"] = timestamp.astimezone(UTC)
    actor = getattr(event, "actor", None)
    item["actor"] = None if actor is None else str(actor)
    item["data"] = jsonable({k: v for k, v in event.__dict__.items() if k not in _ENVELOPE and k not in SECRET_FIELDS})
    return item


def _entries(chain: AuditChain, notifications: list[Any]) -> list[dict[str, Any]]:
    if not notifications:
        return []
    hashes = dict(chain.table.hashes(notifications[0].id, notifications[-1].id, len(notifications) + 1))
    return [entry(chain, n, hashes.get(n.id)) for n in notifications]


def audit_events(
    chain: AuditChain,
    principal: Principal,
    after: int | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> dict[str, Any]:
    """A page of the log in order, ``{items, next_cursor}``: events after position ``after`` (or the cursor)."""
    require_auditor(principal)
    limit = check_limit(limit)
    key = decode_cursor("audit", cursor, int)
    start = max(after or 0, key[0] if key else 0) + 1
    notifications = list(chain.programme.recorder.select_notifications(start=start, limit=limit + 1))
    next_cursor = None
    if len(notifications) > limit:
        notifications = notifications[:limit]
        next_cursor = encode_cursor("audit", notifications[-1].id)
    return {"items": _entries(chain, notifications), "next_cursor": next_cursor}


def iter_audit_events(
    chain: AuditChain, principal: Principal, stop: int | None = None, batch_size: int = EXPORT_BATCH
) -> Iterator[dict[str, Any]]:
    """Every entry of the log up to ``stop`` (default: the log's end now), read in batches (for exports)."""
    require_auditor(principal)
    recorder = chain.programme.recorder
    end = (recorder.max_notification_id() or 0) if stop is None else stop
    return _iterate(chain, end, batch_size)


def _iterate(chain: AuditChain, end: int, batch_size: int) -> Iterator[dict[str, Any]]:
    start = 1
    while start <= end:
        # A bounded range of ids, not "from start on": with out-of-date statistics PostgreSQL
        # may otherwise sort the whole rest of the log to serve each batch.
        stop = min(start + batch_size - 1, end)
        batch = list(chain.programme.recorder.select_notifications(start=start, limit=batch_size, stop=stop))
        yield from _entries(chain, batch)
        start = stop + 1
