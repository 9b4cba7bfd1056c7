"""Benchmark of the read models catching up with the event log.

Generates a synthetic programme of N events (``bench.synthetic``: cities with profile
updates and stakeholders, partnerships proposed and answered, sessions scheduled and
held), then measures from position zero, alternately:

  (a) the raw log: ``select_notifications`` + ``mapper.to_domain_event``, in batches;
  (b) the views catching up: ``Follower(app, Views(env)).run_once()`` (then rebuilds).

It prints a markdown table with events/s and the ratio median(b)/median(a).

    python -m bench.catch_up                          # 100,000 events on SQLite and PostgreSQL
    python -m bench.catch_up --store postgres --events 50000
    python -m bench.catch_up --quick                  # a few thousand events, a few seconds
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.report import Figure, Section, quick, rate
from bench.stores import temporary_store
from bench.synthetic import generate_events
from config.settings import persistence_env
from domain.application import Programme
from domain.followers import Follower
from domain.views import Views

RATIO_TARGET = 0.35  # issue 11: catch-up ÷ raw select + decode on both stores
RAW_BATCH = 1000


def measure_raw(app: Programme, batch_size: int = RAW_BATCH) -> tuple[float, float]:
    """Events/s of reading and decoding the whole log: per wall-clock second and per CPU second of this process."""
    started, cpu = time.perf_counter(), time.process_time()
    count, position = 0, 0
    while True:
        notifications = app.recorder.select_notifications(start=position + 1, limit=batch_size)
        if not notifications:
            break
        for notification in notifications:
            app.mapper.to_domain_event(notification)
        count += len(notifications)
        position = notifications[-1].id
    return count / (time.perf_counter() - started), count / (time.process_time() - cpu)


def measure_views(app: Programme, views: Views, batch_size: int | None, rebuild: bool) -> tuple[float, float]:
    """Events/s (wall, CPU) of the views catching up from zero (the first time) or rebuilding (dropping their tables first)."""
    head = app.recorder.max_notification_id()
    follower = Follower(app, views) if batch_size is None else Follower(app, views, batch_size=batch_size)
    started, cpu = time.perf_counter(), time.process_time()
    count = views.rebuild(app, batch_size=batch_size) if rebuild else follower.run_once()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert views.position() == head and count == head, (views.position(), count, head)
    return count / elapsed, count / cpu


def measure(app: Programme, env: dict[str, str], rounds: int, batch_size: int | None = None) -> dict:
    views = Views(env)
    try:
        raw, built = [measure_raw(app)], []
        for number in range(rounds):
            built.append(measure_views(app, views, batch_size, rebuild=number > 0))
            raw.append(measure_raw(app))
    finally:
        views.close()
    # CPU seconds of this process: on a shared machine less noisy than the wall clock. On SQLite
    # all of the work is in this process; on PostgreSQL the server's share is not counted.
    return {
        "raw": statistics.median(r[0] for r in raw),
        "views": statistics.median(b[0] for b in built),
        "raw_cpu": statistics.median(r[1] for r in raw),
        "views_cpu": statistics.median(b[1] for b in built),
        "raw_all": raw,
        "views_all": built,
        "batch": batch_size or _batches(Follower(app, views)),
    }


def _batches(follower: Follower) -> str:
    first, then = follower.batch_size, follower.catch_up_batch_size
    return f"{first:,}" if first == then else f"{first:,} then {then:,}"


def row(store: str, events: int, generate_rate: float, result: dict) -> list[object]:
    ratio = result["views"] / result["raw"]
    return [
        store,
        f"{events:,}",
        rate(generate_rate),
        result["batch"],
        rate(result["raw"]),
        rate(result["views"]),
        f"{events / result['views']:.1f} s",
        f"**{ratio:.2f}**",
        rate(result["raw_cpu"]),
        rate(result["views_cpu"]),
        f"{result['views_cpu'] / result['raw_cpu']:.2f}",
    ]


HEADER = [
    "store",
    "events",
    "generate (batched saves) /s",
    "batch",
    "(a) select_notifications + decode /s",
    "(b) views catch-up /s",
    "(b) wall time",
    "ratio (b)/(a)",
    "(a) per CPU s",
    "(b) per CPU s",
    "CPU ratio",
]


def section(rows: list[list[object]], figures: list[Figure]) -> Section:
    s = Section("View catch-up from zero ÷ raw select_notifications + decode (events/s, medians)")
    s.table(HEADER, rows, "lrrrrrrrrrr")
    s.figures += figures
    return s


def figure(store: str, result: dict) -> Figure:
    ratio = result["views"] / result["raw"]
    return Figure(
        f"view catch-up ÷ raw read + decode ({store})", f"{ratio:.2f}", f"≥ {RATIO_TARGET}", ratio >= RATIO_TARGET
    )


def run(
    stores: list[str], small: bool | None = None, events: int | None = None, batch_size: int | None = None
) -> list[Section]:
    small = quick() if small is None else small
    events = events or (3_000 if small else 100_000)
    rounds = 1 if small else 3
    rows, figures = [], []
    for store in stores:
        with temporary_store(store) as url:
            env = persistence_env(url)
            app = Programme(env=env)
            try:
                started = time.perf_counter()
                total = generate_events(app, events).events
                generate_rate = total / (time.perf_counter() - started)
                result = measure(app, env, rounds, batch_size)
            finally:
                app.close()
        rows.append(row(store, total, generate_rate, result))
        figures.append(figure(store, result))
    return [section(rows, figures)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, help="events to generate (default 100000; quick 3000)")
    parser.add_argument(
        "--store", choices=["sqlite", "postgres", "both"], default="both", help="the store to measure (default both)"
    )
    parser.add_argument(
        "--batch-size", type=int, help="notifications per batch (default: the follower's for the views)"
    )
    parser.add_argument("--quick", action="store_true", help="a tiny run to check that it works")
    args = parser.parse_args(argv)
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    for s in run(stores, args.quick or quick(), args.events, args.batch_size):
        print(s.render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
