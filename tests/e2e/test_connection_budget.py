"""The Procfile stack at ``honcho start``'s default scale holds at most 40 PostgreSQL connections,
busy as well as idle: eight clients at once sign Rome, Yantai, Mannheim and Chongqing into
partnerships and read the lists while the worker delivers and the followers follow.

The same run shows the web process's access log naming each request's ``X-Request-Id``, and
/metrics adding up the counters of both gunicorn workers."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import ADMIN_TOKEN, BIN, ROOT, Api, base_env, free_port, wait_until
from tests.support.services import PG_HOST, PG_PORT, PG_USER

pytestmark = pytest.mark.slow
BUDGET = 40


def connections(dbname: str) -> int:
    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (dbname,)).fetchone()[0]


def test_the_default_stack_holds_at_most_40_connections(tmp_path, processes, fresh_database, redis_url, smtp_server):
    dbname = urlsplit(fresh_database).path.lstrip("/")
    port = free_port()
    env = base_env(
        TWINNING_DATABASE=fresh_database,
        REDIS_URL=redis_url,
        SMTP_URL=smtp_server.url,
        PORT=str(port),
        TWINNING_MODE="production",
        TWINNING_SECRET="e2e-budget-secret",
        TWINNING_ADMIN_TOKEN=ADMIN_TOKEN,
        TWINNING_VAR_DIR=str(tmp_path / "var"),
    )
    honcho = processes.start(
        [BIN / "honcho", "start", "-f", ROOT / "Procfile", "-d", ROOT], ROOT, env, tmp_path / "honcho.log"
    )
    try:
        api = Api(f"http://127.0.0.1:{port}")
        api.wait_up(honcho, timeout=45)
        facilitator = api.user(ADMIN_TOKEN, "facilitator", "facilitator@budget.example")
        cities = {
            name: api.city(facilitator, name, country, tz)
            for name, country, tz in (
                ("Rome", "IT", "Europe/Rome"),
                ("Yantai", "CN", "Asia/Shanghai"),
                ("Mannheim", "DE", "Europe/Berlin"),
                ("Chongqing", "CN", "Asia/Shanghai"),
            )
        }
        officers = {
            name: api.user(ADMIN_TOKEN, "officer", f"officer@{name.lower()}.example", cid)
            for name, cid in cities.items()
        }

        peak = [connections(dbname)]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak.append(connections(dbname))
                time.sleep(0.1)

        def client(index: int) -> None:
            proposer, invited = ("Rome", "Yantai") if index % 2 else ("Mannheim", "Chongqing")
            for round_ in range(6):
                api.post(
                    "/api/v1/partnerships",
                    officers[proposer],
                    {
                        "title": f"Exchange {index}.{round_}",
                        "proposer_city_id": cities[proposer],
                        "invited_city_ids": [cities[invited]],
                        "themes": ["urban-agriculture"],
                    },
                )
                listed = api.call("GET", "/api/v1/partnerships?limit=50", officers[invited])
                if listed.status != 200:
                    refused.append(listed.status)

        refused: list[int] = []
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        clients = [threading.Thread(target=client, args=(i,)) for i in range(8)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(120)
        wait_until(lambda: len(smtp_server.messages) >= 48, 60, 0.2, "the invitations to be mailed")
        done.set()
        sampler.join(5)
        peak.append(connections(dbname))
        print(f"PostgreSQL connections of the default stack: peak {max(peak)}, idle at start {peak[0]}")
        assert max(peak) <= BUDGET, f"peak {max(peak)} connections (samples: {peak})"
        assert refused == [], "a list was refused under the budget"

        # /metrics sums both gunicorn workers' counters (multiprocess mode): every proposal, once
        scraped = api.call("GET", "/metrics").body
        proposed = [
            s.value
            for family in text_string_to_metric_families(scraped)
            for s in family.samples
            if s.name == "twinning_http_requests_total"
            and s.labels == {"method": "POST", "route": "/api/v1/partnerships", "status": "201"}
        ]
        assert proposed == [48.0], proposed
    finally:
        honcho.stop(timeout=30)  # SIGTERM, which honcho passes on: its children are not in its process group
    access = [line for line in honcho.output().splitlines() if "gunicorn.access:" in line]
    assert access and all("[-]" not in line.split("gunicorn.access:")[0] for line in access), access[:5]
