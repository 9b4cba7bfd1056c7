"""/healthz: one part per dependency, ``ok`` only when every part holds.

* ``store``: the event store answers (else ``down``, 503: nothing can be served);
* ``redis``: the queue's Redis answers (when ``REDIS_URL`` is set);
* ``views``, ``dispatcher``, ``audit``: each follower's position, how many events it is behind
  (``lag``) and how old the oldest of those is (``lag_seconds``) against ``HEALTH_MAX_LAG``. The
  age, not the count: a follower that is merely busy is a few events and milliseconds behind, a
  follower that is down falls further behind by the second however quiet the programme is;
* ``workers``: RQ workers whose heartbeat is younger than ``HEALTH_WORKER_SILENCE``, and none
  registered but silent (a worker killed without signing off, until RQ forgets it);
* ``scheduler``: some worker's scheduler holds the scheduler lock (else nothing planned moves);
* ``smtp``: the mail server answers a NOOP (cached ``SMTP_CACHE_SECONDS`` per process);
* ``jobs``: failed jobs waiting in the failed registry, deliveries being retried.

A part that does not apply (no queue configured, no SMTP) is ``null``. Anything but the store
failing is ``degraded`` (200): commands and reads still work, and a load balancer should not
take every web process out at once for a dead mail server. ``reasons`` says what is wrong.
``/healthz/live`` is the process answering; ``/healthz/ready`` is the store answering.
"""

from __future__ import annotations

import smtplib
import threading
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from apiflask import APIBlueprint

from web import followers
from web.http import services
from web.schemas import Health

REDIS_TIMEOUT_SECONDS = 0.5
SMTP_TIMEOUT_SECONDS = 2.0
SMTP_CACHE_SECONDS = 10.0
_smtp_seen: dict[str, tuple[float, dict[str, Any]]] = {}
_smtp_lock = threading.Lock()
QUEUE_PARTS = ("workers", "scheduler", "jobs")


def _timed(check) -> tuple[dict[str, Any], Any]:
    started = time.perf_counter()
    try:
        value = check()
    except Exception as error:
        return {"ok": False, "detail": type(error).__name__, "latency_ms": _ms(started)}, None
    return {"ok": True, "detail": None, "latency_ms": _ms(started)}, value


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _ping_redis(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )
    try:
        return bool(client.ping())
    finally:
        client.close()


def _smtp(url: str) -> dict[str, Any]:
    """Connect and NOOP (no login, no mail), at most once per ``SMTP_CACHE_SECONDS`` per process."""
    now = time.monotonic()
    with _smtp_lock:
        seen = _smtp_seen.get(url)
    if seen is not None and now - seen[0] < SMTP_CACHE_SECONDS:
        return seen[1]

    def noop() -> None:
        parts = urlsplit(url)
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
        kind = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
        with kind(parts.hostname or "localhost", port, timeout=SMTP_TIMEOUT_SECONDS) as client:
            code, _ = client.noop()
            if code != 250:
                raise smtplib.SMTPResponseException(code, "NOOP refused")

    part, _ = _timed(noop)
    with _smtp_lock:
        _smtp_seen[url] = (now, part)
    return part


def _queue_parts(connection: Any, settings: Any) -> dict[str, dict[str, Any] | None]:
    """Workers, scheduler and jobs, read from the queue's Redis."""
    from rq import Worker
    from rq.registry import FailedJobRegistry
    from rq.scheduler import RQScheduler

    from workers.delivery import RETRYING_KEY
    from workers.scheduling import QUEUE_NAME

    now = datetime.now(UTC)
    silence = settings.health_worker_silence.total_seconds()
    seen = [w for w in Worker.all(connection=connection) if QUEUE_NAME in w.queue_names()]
    alive = [w for w in seen if w.last_heartbeat and (now - _utc(w.last_heartbeat)).total_seconds() <= silence]
    silent = len(seen) - len(alive)  # still registered, no heartbeat: died without signing off (kill -9)
    workers = {"ok": bool(alive) and not silent, "alive": len(alive), "silent": silent}
    if not alive:
        workers["detail"] = f"no RQ worker on {QUEUE_NAME!r} has sent a heartbeat in {silence:.0f} s"
    elif silent:
        workers["detail"] = f"{silent} RQ worker(s) silent for over {silence:.0f} s: died without signing off"
    held = bool(connection.exists(RQScheduler.get_locking_key(QUEUE_NAME)))
    scheduler = {"ok": held, "detail": None if held else "no scheduler holds the lock: planned jobs do not move"}
    failed = FailedJobRegistry(QUEUE_NAME, connection=connection).count
    retrying = int(connection.zcard(RETRYING_KEY))
    jobs = {"ok": not failed and not retrying, "failed": failed, "retrying": retrying}
    if failed or retrying:
        jobs["detail"] = f"{failed} failed job(s) waiting, {retrying} delivery job(s) being retried"
    return {"workers": workers, "scheduler": scheduler, "jobs": jobs}


def _utc(instant: datetime) -> datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def report() -> tuple[dict[str, Any], int]:
    """The body and status code of /healthz."""
    found = services()
    settings = found.settings
    store, head = _timed(lambda: found.programme.recorder.max_notification_id() or 0)
    body: dict[str, Any] = {"store": store, "log_position": head}
    body["redis"] = _timed(lambda: _ping_redis(settings.redis_url))[0] if settings.redis_url else None
    max_lag = settings.health_max_lag.total_seconds()
    queue_known = found.queue_connection is not None
    body.update(followers.parts(found, head, max_lag, with_dispatcher=queue_known) if store["ok"] else {})
    redis_ok = body["redis"] is None or body["redis"]["ok"]
    if queue_known and redis_ok:
        try:
            body.update(_queue_parts(found.queue_connection, settings))
        except Exception as error:  # the queue's Redis failed mid-way (or is not the one REDIS_URL names)
            body.update({name: {"ok": False, "detail": type(error).__name__} for name in QUEUE_PARTS})
    elif queue_known:
        body.update({name: {"ok": False, "detail": "Redis does not answer"} for name in QUEUE_PARTS})
    body["smtp"] = _smtp(settings.smtp_url) if settings.smtp_url else None
    reasons = [
        f"{name}: {part.get('detail') or 'not ok'}"
        for name, part in body.items()
        if isinstance(part, dict) and not part.get("ok", True)
    ]
    body["status"] = "down" if not store["ok"] else "degraded" if reasons else "ok"
    body["reasons"] = reasons
    return body, 503 if not store["ok"] else 200


def install(app) -> None:
    bp = APIBlueprint("health", __name__, tag="Health")

    @bp.get("/healthz")
    @bp.output(Health, description="every dependency holds (ok) or some do not (degraded)")
    @bp.doc(
        summary="Health: store, Redis, workers, scheduler, followers' lag, SMTP, failed jobs",
        security=[],
        responses={
            503: {
                "description": "the store is down (anything else failing is 200 degraded)",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}},
            }
        },
    )
    def healthz():
        return report()

    # The load balancers' probes are left out of the OpenAPI document (as /metrics is): they are
    # the operator's, described in the README, not part of the programme's API.
    @bp.get("/healthz/live")
    @bp.doc(hide=True)
    def live():
        return {"status": "ok"}

    @bp.get("/healthz/ready")
    @bp.doc(hide=True)
    def ready():
        store, _ = _timed(lambda: services().programme.recorder.max_notification_id())
        return {"status": "ok" if store["ok"] else "down", "store": store}, 200 if store["ok"] else 503

    app.register_blueprint(bp)
