"""Store benchmarks: the Programme's command rate against raw eventsourcing, and as-of reads.

    python -m bench.core [--store sqlite|postgres|both] [--quick]

(a) raw eventsourcing: ``repository.get`` + one event + ``save`` of a bare aggregate
(snapshots every 50, like the Programme's); (b) the Programme's ``update_city`` (load,
check the rules, one ProfileUpdated, save). Both run on the same database, in
alternating rounds, and the figure is the median of the per-round ratios (b)/(a).
The as-of figure is the median time of ``load_as_of`` on an aggregate of 1,000 events.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench.report import Figure, Section, interleaved, quick, rate
from bench.stores import temporary_store
from config.settings import persistence_env
from domain.access import SYSTEM
from domain.application import Programme
from domain.model.city import City

RATIO_TARGET = 0.8
AS_OF_TARGET_MS = 20.0


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


def command_rates(env: dict[str, str], commands: int, rounds: int) -> tuple[list[float], list[float]]:
    """(raw rates, Programme rates) per round, alternating, on the same database."""
    raw_app, app = Raw(env=env), Programme(env=env)
    try:
        counter = Counter(name="baseline")
        raw_app.save(counter)
        admin = app.ensure_admin("bench-admin-token-" + "x" * 30)
        city_id = str(app.register_city(admin, "Rome", "IT", "Europe/Rome", ["smart-city"], ["hydrogen"]).aggregate.id)
        revision = iter(range(10**9))

        def raw() -> float:
            started = time.perf_counter()
            for _ in range(commands):
                aggregate = raw_app.repository.get(counter.id)
                aggregate.count_one(actor="bench")
                raw_app.save(aggregate)
            return commands / (time.perf_counter() - started)

        def ours() -> float:
            started = time.perf_counter()
            for _ in range(commands):
                app.update_city(admin, city_id, {"description": f"profile revision {next(revision)}"})
            return commands / (time.perf_counter() - started)

        raw(), ours()  # warm up (connections, statement caches, first snapshots)
        return interleaved(raw, ours, rounds)
    finally:
        app.close()
        raw_app.close()


def as_of_ms(env: dict[str, str], events: int, reads: int) -> list[float]:
    app = Programme(env=env)
    try:
        admin = app.ensure_admin("bench-admin-token-" + "y" * 30)
        city = app.register_city(admin, "Yantai", "CN", "Asia/Shanghai").aggregate
        instants = []
        for number in range(events - 1):
            city.update_profile({"description": f"revision {number}"}, actor=SYSTEM.user_id)
            if number % 50 == 0:
                app.save(city)
                instants.append(datetime.now(UTC))
        app.save(city)
        app.load_as_of(City, city.id, instants[0])  # warm up
        timings = []
        for index in range(reads):
            instant = instants[(index * 7) % len(instants)]
            started = time.perf_counter()
            app.load_as_of(City, city.id, instant)
            timings.append((time.perf_counter() - started) * 1000)
        return timings
    finally:
        app.close()


def run(stores: list[str], small: bool | None = None) -> list[Section]:
    small = quick() if small is None else small
    commands, rounds, events, reads = (30, 2, 120, 10) if small else (200, 7, 1000, 60)
    commands_section = Section("Application command rate ÷ raw eventsourcing (get + 1 event + save), same store")
    as_of_section = Section(f"As-of read of an aggregate with {events:,} events (snapshots every 50)")
    command_rows, as_of_rows = [], []
    for store in stores:
        with temporary_store(store) as url:
            raw_rates, our_rates = command_rates(persistence_env(url), commands, rounds)
        ratios = [o / r for r, o in zip(raw_rates, our_rates)]
        ratio = statistics.median(ratios)
        command_rows.append(
            [
                store,
                rounds,
                commands,
                rate(statistics.median(raw_rates)),
                rate(statistics.median(our_rates)),
                f"{min(ratios):.2f}–{max(ratios):.2f}",
                f"**{ratio:.2f}**",
            ]
        )
        commands_section.figures.append(
            Figure(
                f"command rate ÷ raw eventsourcing ({store})",
                f"{ratio:.2f}",
                f"≥ {RATIO_TARGET}",
                ratio >= RATIO_TARGET,
            )
        )
        with temporary_store(store) as url:
            timings = as_of_ms(persistence_env(url), events, reads)
        median_ms = statistics.median(timings)
        as_of_rows.append([store, reads, f"{min(timings):.1f}", f"**{median_ms:.1f}**", f"{max(timings):.1f}"])
        as_of_section.figures.append(
            Figure(
                f"as-of read, {events:,}-event aggregate ({store})",
                f"{median_ms:.1f} ms",
                f"< {AS_OF_TARGET_MS:.0f} ms median",
                median_ms < AS_OF_TARGET_MS,
            )
        )
    commands_section.table(
        [
            "store",
            "rounds",
            "commands/round",
            "raw /s (median)",
            "Programme /s (median)",
            "ratio range",
            "ratio (median of rounds)",
        ],
        command_rows,
        "llrrrrr",
    )
    as_of_section.table(["store", "reads", "min ms", "median ms", "max ms"], as_of_rows, "lrrrr")
    return [commands_section, as_of_section]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run, figures meaningless")
    args = parser.parse_args(argv)
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    for section in run(stores, args.quick or quick()):
        print(section.render())


if __name__ == "__main__":
    main()
