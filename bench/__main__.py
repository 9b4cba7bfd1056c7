"""``python -m bench`` (``make bench``): every benchmark, one markdown table per figure, then a summary.

    python -m bench                       # the full run (under 10 minutes on 2 cores)
    BENCH_QUICK=1 python -m bench         # everything tiny: checks that it all works, figures meaningless
    python -m bench --store sqlite --only core,catch_up

Benchmarks: core (command rate ÷ raw eventsourcing; as-of reads), catch_up (views
catch-up ÷ raw read + decode) with memory (web worker RSS after serving that 100k-event
store), audit (``bench/audit_verify.py``, when present), http (gunicorn: commands ÷
GET /me), visibility (command answered → its list shows it, gunicorn and the
projector process), matchmaking (top-10 latency), batch (weekly suggestion digest for 10k
cities), privacy (command and catch-up rates with personal data encrypted ÷ plain). Each store-bound figure is measured on SQLite and on PostgreSQL (a temporary
database on 127.0.0.1:5432; skipped with a note when PostgreSQL is not reachable).
The exit status is 1 only if a benchmark failed to run; a missed target is reported,
not failed.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime

from bench.report import Figure, Section, quick

ALL = ("core", "catch_up", "audit", "http", "visibility", "matchmaking", "batch", "privacy")


def postgres_available() -> bool:
    try:
        import psycopg

        from bench.stores import PG

        with psycopg.connect(dbname="postgres", connect_timeout=3, **PG):
            return True
    except Exception:
        return False


def catch_up_and_memory(stores: list[str], small: bool) -> list[Section]:
    """The catch-up figure and, on the same 100k-event store, the web worker's memory."""
    from bench import catch_up, memory
    from bench.stores import temporary_store
    from bench.synthetic import generate_events
    from config.settings import persistence_env
    from domain.application import Programme

    events = 3_000 if small else 100_000
    rounds, sample = (1, 5) if small else (3, 40)
    catch_rows, catch_figures, memory_rows, memory_figures = [], [], [], []
    for store in stores:
        with temporary_store(store) as url:
            env = persistence_env(url)
            app = Programme(env=env)
            try:
                started = time.perf_counter()
                total = generate_events(app, events).events
                generate_rate = total / (time.perf_counter() - started)
                result = catch_up.measure(app, env, rounds)
                memory.catch_up(app, env)
            finally:
                app.close()
            used = memory.measure(url, sample)
        catch_rows.append(catch_up.row(store, total, generate_rate, result))
        catch_figures.append(catch_up.figure(store, result))
        memory_rows.append(memory.row(store, total, used))
        memory_figures.append(memory.figure(store, total, used))
    return [catch_up.section(catch_rows, catch_figures), memory.section(memory_rows, memory_figures)]


def audit(stores: list[str], small: bool) -> list[Section]:
    try:
        from bench import audit_verify
        from domain.audit.verify import VERIFY_BATCH
    except ImportError as error:
        s = Section("Audit verify")
        s.notes.append(f"skipped: {error}")
        return [s]
    events, repeat = (3_000, 1) if small else (100_000, 3)
    s = Section(f"Audit verify: recompute the chain of {events:,} events (median of {repeat})")
    rows = []
    for store in stores:
        r = audit_verify.run(store, events, VERIFY_BATCH, repeat)
        rows.append(
            [
                store,
                f"{r['events']:,}",
                f"{r['chain']:,.0f}",
                f"**{r['verify']:,.0f}**",
                f"{r['verify_head']:,.0f}",
                f"{r['verify_seconds']:.2f} s",
            ]
        )
        s.figures.append(
            Figure(
                f"audit verify ({store})", f"{r['verify']:,.0f} events/s", "≥ 100,000 events/s", r["verify"] >= 100_000
            )
        )
    s.table(
        ["store", "events", "chain (follower) /s", "verify /s", "verify with kept head /s", "verify wall time"],
        rows,
        "lrrrrr",
    )
    return [s]


def runners(stores: list[str], small: bool) -> dict[str, Callable[[], list[Section]]]:
    from bench import batch, core, http, matchmaking, privacy, visibility

    return {
        "core": lambda: core.run(stores, small),
        "catch_up": lambda: catch_up_and_memory(stores, small),
        "audit": lambda: audit(stores, small),
        "http": lambda: http.run(stores, small),
        "visibility": lambda: visibility.run(stores, small),
        "matchmaking": lambda: matchmaking.sections(small),
        "batch": lambda: batch.run(stores, small),
        "privacy": lambda: privacy.run(stores, small),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes (same as BENCH_QUICK=1)")
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(ALL)}")
    args = parser.parse_args(argv)
    small = args.quick or quick()
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    notes = []
    if "postgres" in stores and not postgres_available():
        stores.remove("postgres")
        notes.append("PostgreSQL is not reachable on 127.0.0.1:5432: SQLite only.")
    chosen = [name.strip() for name in args.only.split(",")] if args.only else list(ALL)
    unknown = [name for name in chosen if name not in ALL]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")

    began = time.perf_counter()
    print(
        f"## twinning benchmarks — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, stores: {', '.join(stores) or 'none'}{' — QUICK (figures meaningless)' if small else ''}\n"
    )
    for note in notes:
        print(note + "\n")
    sys.stdout.flush()
    sections: list[Section] = []
    failed = []
    table = runners(stores, small)
    for name in chosen:
        started = time.perf_counter()
        try:
            produced = table[name]()
        except Exception:
            failed.append(name)
            s = Section(f"{name}: FAILED")
            s.notes.append("```\n" + traceback.format_exc().rstrip() + "\n```")
            s.figures.append(Figure(name, "failed", "–", False))
            produced = [s]
        if produced:
            produced[-1].notes.append(f"_{name}: {time.perf_counter() - started:.0f} s_")
        for s in produced:
            print(s.render(), flush=True)
        sections += produced
    from bench.report import summary

    print(summary(sections))
    print(f"Total: {time.perf_counter() - began:.0f} s" + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
