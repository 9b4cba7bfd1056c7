"""How far each follower of the log has read it, for /healthz and /metrics.

The views' position is the Views' own; the dispatcher's is its tracking record and the audit
chain's its chain's, both read through the Programme's own connections (no pool of their own:
the web process's connection budget stays what the README says)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

DISPATCHER = "dispatcher"


def tracked_position(programme: Any, name: str) -> int | None:
    """``name``'s tracking position in the programme's database; None if it has never tracked anything."""
    datastore = getattr(programme.recorder, "datastore", None)
    kind = type(datastore).__name__
    if kind == "PostgresDatastore":
        from eventsourcing.postgres import PostgresTrackingRecorder

        recorder: Any = PostgresTrackingRecorder(datastore, tracking_table_name=f"{name}_tracking")
    elif kind == "SQLiteDatastore":
        from eventsourcing.sqlite import SQLiteTrackingRecorder

        recorder = SQLiteTrackingRecorder(datastore)
    else:
        return None
    try:
        return recorder.max_tracking_id(name)
    except Exception as error:  # no tracking table yet: the follower never ran on this database
        if "exist" in str(error) or "no such table" in str(error):
            return None
        raise


def oldest_unread_age(programme: Any, position: int) -> float:
    """Seconds since the first event after ``position`` was recorded (0 if there is none)."""
    found = programme.recorder.select_notifications(position + 1, 1)
    if not found:
        return 0.0
    recorded = programme.mapper.to_domain_event(found[0]).timestamp
    recorded = recorded if recorded.tzinfo else recorded.replace(tzinfo=UTC)
    return max(0.0, (datetime.now(UTC) - recorded).total_seconds())


def part(programme: Any, head: int, read_position: Any, max_lag: float) -> dict[str, Any]:
    """One follower's part: position, lag in events and in seconds, ``ok`` within ``max_lag`` seconds."""
    try:
        position = read_position()
        behind = max(0, head - (position or 0))
        age = round(oldest_unread_age(programme, position or 0), 3) if behind else 0.0
    except Exception as error:
        return {"ok": False, "detail": type(error).__name__}
    found: dict[str, Any] = {"ok": age <= max_lag, "position": position, "lag": behind, "lag_seconds": age}
    if not found["ok"]:
        never = "has never run" if position is None else f"is at {position}"
        found["detail"] = f"{never}; the oldest event it has not read is {age:.0f} s old (limit {max_lag:.0f} s)"
    return found


def positions(found: Any, with_dispatcher: bool) -> dict[str, Any]:
    """The followers that apply to this app, each as a function reading its position."""
    readers: dict[str, Any] = {}
    views = found.views
    if views is not None:
        readers["views"] = views.position
    if with_dispatcher:
        readers["dispatcher"] = lambda: tracked_position(found.programme, DISPATCHER)
    readers["audit"] = lambda: found.audit_chain.position()
    return readers


def parts(found: Any, head: int, max_lag: float, with_dispatcher: bool) -> dict[str, Any]:
    return {
        name: part(found.programme, head, read, max_lag) for name, read in positions(found, with_dispatcher).items()
    }
