"""/metrics: Prometheus text format (``prometheus_client``).

Counted by the web process as it answers:

* ``twinning_http_requests_total{method,route,status}`` and
  ``twinning_http_request_duration_seconds{method,route}`` (a histogram), the route being the
  URL rule (``/api/v1/partnerships/<partnership_id>``), not the path, so ids make no new series;
* ``twinning_commands_total{command,outcome}``: every POST/PATCH/DELETE of the API by endpoint,
  ``accepted`` (2xx), ``refused`` (4xx: a rule, a permission, bad input, a conflict) or ``failed``;
* ``twinning_sign_ins_total{outcome}``: bearer tokens accepted, refused (401) or throttled (429).

Read when scraped, from where the truth is, so they hold whatever process did the work:

* ``twinning_follower_position{follower}``, ``twinning_follower_lag_events{follower}``,
  ``twinning_follower_lag_seconds{follower}`` for the views, the dispatcher and the audit chain
  (their tracking records in the store; the same figures as /healthz);
* ``twinning_jobs{state}``: queued, scheduled, started, deferred, failed, finished (RQ's registries);
* ``twinning_rq_workers_alive``: workers with a fresh heartbeat;
* ``twinning_deliveries_total{channel,outcome}``: what the RQ workers' jobs sent or failed to send
  (they count in a Redis hash, ``DELIVERY_COUNTS``: a work horse lives for one job, too short for
  a metrics file of its own).

Under gunicorn the request counters are per worker process: config/gunicorn.py points
``PROMETHEUS_MULTIPROC_DIR`` at a directory of its own and /metrics sums every worker's file
(prometheus_client's multiprocess mode). ``TWINNING_METRICS_TOKEN`` protects /metrics with a
bearer token; without one it answers only the loopback address.
"""

from __future__ import annotations

import hmac
import os
import time
from typing import Any

from apiflask import APIBlueprint
from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from web import followers
from web.http import services
from web.problems import ApiProblem

LOOPBACK = ("127.0.0.1", "::1", "localhost")
COMMAND_METHODS = ("POST", "PATCH", "PUT", "DELETE")
JOB_STATES = ("queued", "scheduled", "started", "deferred", "failed", "finished")

REQUESTS = Counter("twinning_http_requests", "HTTP requests answered", ["method", "route", "status"])
LATENCY = Histogram(
    "twinning_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
COMMANDS = Counter("twinning_commands", "Commands of the API by endpoint and outcome", ["command", "outcome"])
SIGN_INS = Counter("twinning_sign_ins", "Bearer tokens presented, by outcome", ["outcome"])


def _outcome(status: int) -> str:
    return "accepted" if status < 400 else "refused" if status < 500 else "failed"


class ScrapeTime:
    """The figures read at each scrape: followers from the store, jobs and deliveries from Redis."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def collect(self):
        with self.app.app_context():
            found = services()
            yield from self._followers(found)
            if found.queue_connection is not None:
                yield from self._queue(found.queue_connection, found.settings)

    def _followers(self, found: Any):
        head = found.programme.recorder.max_notification_id() or 0
        position = GaugeMetricFamily("twinning_follower_position", "Last log position read", labels=["follower"])
        lag = GaugeMetricFamily("twinning_follower_lag_events", "Recorded events not read yet", labels=["follower"])
        age = GaugeMetricFamily(
            "twinning_follower_lag_seconds", "Age of the oldest event not read yet", labels=["follower"]
        )
        for name, part in followers.parts(found, head, float("inf"), with_dispatcher=True).items():
            if part.get("lag") is None:
                continue
            position.add_metric([name], part["position"] or 0)
            lag.add_metric([name], part["lag"])
            age.add_metric([name], part["lag_seconds"])
        log = GaugeMetricFamily("twinning_log_position", "The event log's last notification id")
        log.add_metric([], head)
        yield from (log, position, lag, age)

    def _queue(self, connection: Any, settings: Any):
        from rq import Queue, Worker
        from rq.registry import (
            DeferredJobRegistry,
            FailedJobRegistry,
            FinishedJobRegistry,
            ScheduledJobRegistry,
            StartedJobRegistry,
        )

        from workers.delivery import DELIVERY_COUNTS
        from workers.scheduling import QUEUE_NAME

        try:
            queue = Queue(QUEUE_NAME, connection=connection)
            counts = {
                "queued": queue.count,
                "scheduled": ScheduledJobRegistry(queue=queue).count,
                "started": StartedJobRegistry(queue=queue).count,
                "deferred": DeferredJobRegistry(queue=queue).count,
                "failed": FailedJobRegistry(queue=queue).count,
                "finished": FinishedJobRegistry(queue=queue).count,
            }
            now = time.time()
            silence = settings.health_worker_silence.total_seconds()
            alive = sum(
                1
                for w in Worker.all(connection=connection)
                if w.last_heartbeat and now - w.last_heartbeat.timestamp() <= silence
            )
            sent = connection.hgetall(DELIVERY_COUNTS)
        except Exception:  # Redis away: the scrape still gives the web's own figures
            return
        jobs = GaugeMetricFamily("twinning_jobs", "Jobs on the queue by state", labels=["state"])
        for state in JOB_STATES:
            jobs.add_metric([state], counts[state])
        workers = GaugeMetricFamily("twinning_rq_workers_alive", "RQ workers with a fresh heartbeat")
        workers.add_metric([], alive)
        deliveries = CounterMetricFamily(
            "twinning_deliveries", "Deliveries by channel and outcome", labels=["channel", "outcome"]
        )
        for key, count in sorted(sent.items()):
            channel, _, outcome = key.decode().partition(":")
            deliveries.add_metric([channel, outcome], int(count))
        yield from (jobs, workers, deliveries)


def _allowed(settings: Any) -> bool:
    token = settings.metrics_token
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
    return request.remote_addr in LOOPBACK


def install(app: Flask) -> None:
    scrape = ScrapeTime(app)

    @app.before_request
    def start_clock() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def count(response):
        rule = request.url_rule.rule if request.url_rule is not None else "unmatched"
        if rule != "/metrics":
            status = response.status_code
            REQUESTS.labels(request.method, rule, str(status)).inc()
            started = g.get("metrics_started")
            if started is not None:
                LATENCY.labels(request.method, rule).observe(time.perf_counter() - started)
            if request.method in COMMAND_METHODS and rule.startswith("/api/"):
                COMMANDS.labels(request.endpoint or "unmatched", _outcome(status)).inc()
            if request.headers.get("Authorization", "").lower().startswith("bearer "):
                SIGN_INS.labels("refused" if status == 401 else "throttled" if status == 429 else "accepted").inc()
        return response

    bp = APIBlueprint("metrics", __name__)

    # Not in the OpenAPI document: an operator's endpoint, described in the README.
    @bp.get("/metrics")
    @bp.doc(hide=True)
    def metrics():
        if not _allowed(services().settings):
            raise ApiProblem(403, "metrics-forbidden", "/metrics needs the metrics token (TWINNING_METRICS_TOKEN)")
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        else:
            registry = CollectorRegistry()
            registry.register(_Default())
        registry.register(scrape)
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    app.register_blueprint(bp)


class _Default:
    """The process's own registry (the request counters and the runtime's), within a scrape registry."""

    def collect(self):
        return REGISTRY.collect()
