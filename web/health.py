"""/healthz: the store, Redis (when configured) and how far the read models lag behind the log.

503 ``failing`` when the store fails; 200 ``degraded`` when only Redis or the views do."""

from __future__ import annotations

import time
from typing import Any

from apiflask import APIBlueprint

from web.api import lists
from web.http import services
from web.schemas import Health

REDIS_TIMEOUT_SECONDS = 0.5


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


def install(app) -> None:
    bp = APIBlueprint("health", __name__, tag="Health")

    @bp.get("/healthz")
    @bp.output(Health, description="everything needed answers")
    @bp.doc(
        summary="Liveness: store, Redis and read-model lag",
        security=[],
        responses={
            503: {
                "description": "the store is failing (a failing Redis or read model is 200 degraded)",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}},
            }
        },
    )
    def healthz():
        found = services()
        store, log_position = _timed(lambda: found.programme.recorder.max_notification_id() or 0)
        redis_check = None
        if found.settings.redis_url:
            redis_check, _ = _timed(lambda: _ping_redis(found.settings.redis_url))
        views = lists.views_health(found.views, log_position)
        # Without Redis every command and read still works (they touch only the store); only
        # notifications wait until it is back. So a failing Redis is "degraded", not a reason
        # for a load balancer to take every web process out of service at once.
        failing = not store["ok"]
        degraded = (views is not None and not views.get("ok", True)) or (
            redis_check is not None and not redis_check["ok"]
        )
        status = "failing" if failing else "degraded" if degraded else "ok"
        body = {"status": status, "store": store, "redis": redis_check, "views": views, "log_position": log_position}
        return body, 503 if failing else 200

    app.register_blueprint(bp)
