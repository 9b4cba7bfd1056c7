"""Store benchmarks: the Programme's command rate against raw eventsourcing, and as-of reads.

    python -m bench.core [--store sqlite|postgres|both] [--quick]

Each figure is a ratio or a median measured in the same run, because these machines
are shared and noisy.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime, timezone

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench.stores import temporary_store
from config.settings import persistence_env
from domain.access import SYSTEM
from domain.application import Programme
from domain.model.city import City


class Counter(Aggregate):
    """The raw baseline: an aggregate with one event method and nothing else."""

    @event("Started")
    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    @event("Counted")
    def count_one(self, actor: str) -> None:
        self.count += 1


class Raw(Application):
    """Snapshots at the same interval as the Programme's, so both replay the same number of events."""

    snapshotting_intervals = {Counter: 50}


def raw_rate(env: dict[str, str], commands: int) -> float:
    app = Raw(env=env)
    counter = Counter(name="baseline")
    app.save(counter)
    started = time.perf_counter()
    for _ in range(commands):
        aggregate = app.repository.get(counter.id)
        aggregate.count_one(actor="bench")
        app.save(aggregate)
    rate = commands / (time.perf_counter() - started)
    app.close()
    return rate


def command_rate(env: dict[str, str], commands: int) -> float:
    app = Programme(env=env)
    admin = app.ensure_admin("bench-admin-token-" + "x" * 30)
    city = app.register_city(admin, "Rome", "IT", "Europe/Rome", ["smart-city"], ["hydrogen"]).aggregate
    started = time.perf_counter()
    for number in range(commands):
        app.update_city(admin, str(city.id), {"description": f"profile revision {number}"})
    rate = commands / (time.perf_counter() - started)
    app.close()
    return rate


def as_of_median_ms(env: dict[str, str], events: int, reads: int) -> float:
    app = Programme(env=env)
    admin = app.ensure_admin("bench-admin-token-" + "y" * 30)
    city = app.register_city(admin, "Yantai", "CN", "Asia/Shanghai").aggregate
    instants = []
    for number in range(events - 1):
        city.update_profile({"description": f"revision {number}"}, actor=SYSTEM.user_id)
        if number % 50 == 0:
            app.save(city)
            instants.append(datetime.now(timezone.utc))
    app.save(city)
    timings = []
    for index in range(reads):
        instant = instants[index % len(instants)]
        started = time.perf_counter()
        app.load_as_of(City, city.id, instant)
        timings.append((time.perf_counter() - started) * 1000)
    app.close()
    return statistics.median(timings)


def run(stores: list[str], quick: bool) -> list[str]:
    commands, events, reads = (50, 120, 10) if quick else (1000, 1000, 50)
    rows = ["| store | raw get+event+save /s | Programme command /s | ratio (target ≥ 0.8) | as-of read of a "
            f"{events}-event aggregate, median ms (target < 20) |", "|---|---|---|---|---|"]
    for store in stores:
        with temporary_store(store) as url:
            env = persistence_env(url)
            raw = raw_rate(env, commands)
        with temporary_store(store) as url:
            ours = command_rate(persistence_env(url), commands)
        with temporary_store(store) as url:
            as_of = as_of_median_ms(persistence_env(url), events, reads)
        rows.append(f"| {store} | {raw:,.0f} | {ours:,.0f} | {ours / raw:.2f} | {as_of:.1f} |")
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run, figures meaningless")
    args = parser.parse_args(argv)
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    print("\n".join(run(stores, args.quick)))


if __name__ == "__main__":
    main()
