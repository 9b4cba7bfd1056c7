"""The weekly suggestion batch (``workers.jobs.send_weekly_digest``) for N cities, without email.

A synthetic programme of N cities, each with one officer (user, token, roster), about
N/2 partnerships and N/4 sessions, is recorded; then the digest job runs as the RQ
worker would run it (its context installed), except that the email channel sends
nothing: what is timed is the computation and the recording — city profiles from the
store (``load_profiles``), the ``MatchIndex``, the top partners of every city, and one
``NotificationSent`` per officer. Its phases are timed separately too.

    python -m bench.batch [--store sqlite|postgres|both] [--cities 10000] [--quick]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.report import Figure, Section, quick
from bench.stores import temporary_store
from bench.synthetic import generate
from config.settings import persistence_env
from domain.application import Programme
from domain.matchmaking import MatchIndex
from workers import delivery, jobs
from workers.context import DeliverySettings, JobContext, install_context
from workers.profiles import load_profiles

TARGET_SECONDS = 300.0


@contextmanager
def no_email(app: Programme) -> Iterator[JobContext]:
    """The job's context on this Programme, with the email (and webhook) channels sending nothing."""
    with tempfile.TemporaryDirectory(prefix="twinning-bench-outbox-") as folder:
        context = JobContext(programme=app, delivery=DeliverySettings(outbox_dir=Path(folder)))
        previous = install_context(context)
        send = delivery.Delivery._send
        delivery.Delivery._send = lambda self, channel, notification, recipient, message: None
        try:
            yield context
        finally:
            delivery.Delivery._send = send
            install_context(previous)


@contextmanager
def phases(app: Programme) -> Iterator[dict[str, float]]:
    """Time the job's phases from inside it: profiles, index, top-k, recipients, recording."""
    spent = {"profiles": 0.0, "index": 0.0, "suggest": 0.0, "officers": 0.0, "record": 0.0}

    def timed(name: str, function):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started

        return wrapper

    class TimedIndex(MatchIndex):
        def __init__(self, profiles) -> None:
            started = time.perf_counter()
            super().__init__(profiles)
            spent["index"] += time.perf_counter() - started

        suggest = timed("suggest", MatchIndex.suggest)

    saved = jobs.load_profiles, jobs.MatchIndex
    jobs.load_profiles, jobs.MatchIndex = timed("profiles", load_profiles), TimedIndex
    app.officers_of = timed("officers", app.officers_of)
    app.record_notification = timed("record", app.record_notification)
    try:
        yield spent
    finally:
        jobs.load_profiles, jobs.MatchIndex = saved
        del app.officers_of, app.record_notification


def measure(app: Programme, week: str) -> dict:
    with no_email(app), phases(app) as spent:
        started = time.perf_counter()
        result = jobs.send_weekly_digest(week, rearm=False)
        job_s = time.perf_counter() - started
    return {"job_s": job_s, "recorded": result["recorded"], **{f"{k}_s": v for k, v in spent.items()}}


def run(stores: list[str], small: bool | None = None, cities: int | None = None) -> list[Section]:
    small = quick() if small is None else small
    cities = cities or (200 if small else 10_000)
    s = Section(f"Weekly suggestion batch (send_weekly_digest) for {cities:,} cities, email channel off")
    rows = []
    for store in stores:
        with temporary_store(store) as url:
            app = Programme(env=persistence_env(url))
            try:
                started = time.perf_counter()
                made = generate(app, cities=cities, officers=True)
                generate_s = time.perf_counter() - started
                r = measure(app, "2026-W03")
            finally:
                app.close()
        rows.append(
            [
                store,
                f"{cities:,}",
                f"{made.events:,} in {generate_s:.0f} s",
                f"{r['profiles_s']:.1f}",
                f"{r['index_s']:.1f}",
                f"{r['suggest_s']:.1f}",
                f"{r['officers_s']:.1f}",
                f"{r['record_s']:.1f}",
                f"{r['recorded']:,}",
                f"**{r['job_s']:.1f}**",
                f"{r['job_s'] / cities * 1000:.1f}",
            ]
        )
        s.figures.append(
            Figure(
                f"weekly suggestion batch, {cities:,} cities ({store})",
                f"{r['job_s']:.0f} s",
                f"< {TARGET_SECONDS / 60:.0f} min",
                r["job_s"] < TARGET_SECONDS,
            )
        )
    s.table(
        [
            "store",
            "cities",
            "events recorded (generator)",
            "load_profiles s",
            "MatchIndex s",
            "top-k s",
            "officers_of s",
            "record_notification s",
            "notifications",
            "whole job s",
            "per city ms",
        ],
        rows,
        "lrrrrrrrrrr",
    )
    s.notes.append("Phases are timed inside the job (the rest: message text, sorting).")
    return [s]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--cities", type=int)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    for section in run(stores, args.quick or quick(), args.cities):
        print(section.render())


if __name__ == "__main__":
    main()
