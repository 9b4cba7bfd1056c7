"""Benchmark of the read models catching up with the event log.

Generates N events quickly (many aggregates per save: cities with profile updates
and stakeholders, partnerships proposed and answered, sessions scheduled and held),
then measures from position zero:

  (a) the raw log: ``select_notifications`` + ``mapper.to_domain_event``, in batches;
  (b) the views catching up: ``Follower(app, Views(env)).run_once()``.

It prints a markdown table with events/s and the ratio (b)/(a).

    python bench/catch_up.py                          # 100,000 events on SQLite
    python bench/catch_up.py --store postgres         # on a temporary PostgreSQL database
    python bench/catch_up.py --store both --events 50000
    python bench/catch_up.py --quick                  # a few thousand events, a few seconds

PostgreSQL: a database ``twinning_bench_<random>`` is created on 127.0.0.1:5432
(user postgres, trust auth) and dropped at the end.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config.settings import persistence_env  # noqa: E402
from domain.application import Programme  # noqa: E402
from domain.followers import Follower  # noqa: E402
from domain.model.city import City  # noqa: E402
from domain.model.meeting import Meeting  # noqa: E402
from domain.model.partnership import Partnership  # noqa: E402
from domain.themes import CLUSTER_THEMES  # noqa: E402
from domain.views import Views  # noqa: E402

PLACES = [("IT", "Europe/Rome"), ("ES", "Europe/Madrid"), ("DE", "Europe/Berlin"), ("FR", "Europe/Paris"),
          ("CN", "Asia/Shanghai"), ("JP", "Asia/Tokyo"), ("KR", "Asia/Seoul"), ("VN", "Asia/Ho_Chi_Minh")]
THEMES = sorted(CLUSTER_THEMES)
ACTOR = str(uuid.UUID(int=1))
SAVE_CHUNK = 500  # aggregates per save


@contextmanager
def sqlite_store() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="twinning-bench-") as directory:
        yield f"sqlite:///{directory}/bench.db"


@contextmanager
def postgres_store() -> Iterator[str]:
    import psycopg

    dbname = f"twinning_bench_{uuid.uuid4().hex[:10]}"
    admin = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**admin) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{dbname}"
    finally:
        with psycopg.connect(**admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def generate(app: Programme, events: int, seed: int = 7) -> int:
    """Record about ``events`` events in saves of many aggregates; return the log's length."""
    rng = random.Random(seed)
    cities: list[str] = []
    recorded = 0
    start = datetime(2021, 1, 4, 8, 0, tzinfo=timezone.utc)
    while recorded < events:
        batch = []
        # Cities: registered, two profile updates, a stakeholder (4 events each).
        for _ in range(SAVE_CHUNK // 2):
            country, tz = rng.choice(PLACES)
            offered, sought = rng.sample(THEMES, 2), rng.sample(THEMES, 2)
            city = City(name=f"City {len(cities)}", country=country, timezone=tz, themes_offered=offered,
                        themes_sought=sought, actor=ACTOR)
            city.update_profile({"population": rng.randint(10_000, 5_000_000)}, actor=ACTOR)
            city.update_profile({"description": f"A city in {country}", "themes_sought": rng.sample(THEMES, 3)}, actor=ACTOR)
            city.add_stakeholder(str(uuid.uuid4()), "University", rng.choice(["public", "private", "research"]),
                                 rng.sample(THEMES, 2), actor=ACTOR)
            cities.append(str(city.id))
            batch.append(city)
        # Partnerships: proposed to two cities, answered (4-5 events); sessions scheduled and held (2 events).
        for n in range(SAVE_CHUNK // 2):
            proposer, *invited = rng.sample(cities, 3)
            partnership = Partnership.propose(title=f"Partnership {n}", proposer_city_id=proposer,
                                              invited_city_ids=invited, themes=rng.sample(THEMES, 2), actor=ACTOR)
            partnership.accept(invited[0], actor=ACTOR)
            if rng.random() < 0.5:
                partnership.accept(invited[1], actor=ACTOR)
            else:
                partnership.decline(invited[1], actor=ACTOR, reason="Not now")
            batch.append(partnership)
            if n % 2 == 0:
                starts = start + timedelta(hours=rng.randint(0, 24 * 365))
                meeting = Meeting.schedule(title=f"Session {n}", kind="online", starts_at=starts, duration_minutes=60,
                                           invited_city_ids=[proposer, *invited], actor=ACTOR,
                                           partnership_id=str(partnership.id))
                meeting.record_outcome(rng.randint(5, 80), "Held", now=starts + timedelta(hours=1), actor=ACTOR)
                batch.append(meeting)
        recordings = app.save(*batch)
        recorded = recordings[-1].notification.id
    return app.recorder.max_notification_id()


def measure_raw(app: Programme, batch_size: int) -> tuple[int, float]:
    started = time.perf_counter()
    count, position = 0, 0
    while True:
        notifications = app.recorder.select_notifications(start=position + 1, limit=batch_size)
        if not notifications:
            break
        for notification in notifications:
            app.mapper.to_domain_event(notification)
        count += len(notifications)
        position = notifications[-1].id
    return count, time.perf_counter() - started


def measure_views(app: Programme, env: dict[str, str], batch_size: int) -> tuple[int, float]:
    views = Views(env)
    try:
        started = time.perf_counter()
        count = Follower(app, views, batch_size=batch_size).run_once()
        elapsed = time.perf_counter() - started
        assert views.position() == app.recorder.max_notification_id()
        return count, elapsed
    finally:
        views.close()


def run(store: str, events: int, batch_size: int) -> dict:
    with (sqlite_store() if store == "sqlite" else postgres_store()) as url:
        env = persistence_env(url)
        app = Programme(env=env)
        try:
            started = time.perf_counter()
            total = generate(app, events)
            generated = time.perf_counter() - started
            raw_count, raw_seconds = measure_raw(app, batch_size)
            view_count, view_seconds = measure_views(app, env, batch_size)
        finally:
            app.close()
    return {"store": store, "events": total, "generate": total / generated,
            "raw": raw_count / raw_seconds, "views": view_count / view_seconds,
            "view_seconds": view_seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000, help="events to generate (default 100000)")
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="sqlite",
                        help="the store to measure (default sqlite)")
    parser.add_argument("--batch-size", type=int, default=500, help="notifications per batch (default 500)")
    parser.add_argument("--quick", action="store_true", help="a tiny run (3,000 events) to check that it works")
    args = parser.parse_args(argv)
    events = 3_000 if args.quick else args.events
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    rows = [run(store, events, args.batch_size) for store in stores]
    print(f"\nCatch-up from zero, batches of {args.batch_size} (events/s)\n")
    print("| store | events | generate (batched saves) | (a) select_notifications + decode | (b) views catch-up "
          "| (b) wall time | ratio (b)/(a) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['store']} | {r['events']:,} | {r['generate']:,.0f} | {r['raw']:,.0f} | {r['views']:,.0f} "
              f"| {r['view_seconds']:.1f} s | {r['views'] / r['raw']:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
