"""Memory of the web process after serving a store of 100,000 events.

A synthetic programme of N events is recorded, the views (and the audit chain, when
the audit module is there) catch up, then gunicorn (``config/gunicorn.py``, 2
workers) serves a session that touches everything: every page of the city,
partnership and meeting lists, details, timelines, histories and suggestions of a
sample of cities and partnerships, the reports, and the audit log. The figure is the
largest resident set (VmRSS) of a worker afterwards; its peak (VmHWM) is shown too.

    python -m bench.memory [--store sqlite|postgres|both] [--events N] [--quick]
"""

from __future__ import annotations

import argparse
import random
import time
from urllib.parse import quote

from bench.report import Figure, Section, quick
from bench.server import Server, gunicorn, rss_mb
from bench.stores import temporary_store
from bench.synthetic import generate_events
from config.settings import persistence_env
from domain.application import Programme
from domain.followers import Follower
from domain.views import Views

TARGET_MB = 200.0
API = "/api/v1"


def catch_up(app: Programme, env: dict[str, str]) -> None:
    """Bring the read models (and the audit chain, if the module exists) up to the head, as the projector would."""
    views = Views(env)
    try:
        Follower(app, views).run_once()
    finally:
        views.close()
    try:
        from domain.audit import catch_up_chain
    except ImportError:
        return
    catch_up_chain(app)


def walk(server: Server, path: str, limit: int = 100) -> list[dict]:
    """Every item of a list, page by page."""
    items, cursor = [], None
    while True:
        separator = "&" if "?" in path else "?"
        url = f"{API}{path}{separator}limit={limit}" + (f"&cursor={quote(cursor)}" if cursor else "")
        status, body = server.request("GET", url)
        if status != 200:
            raise RuntimeError(f"GET {url} -> {status} {body}")
        items += body.get("items", [])
        cursor = body.get("next_cursor")
        if not cursor:
            return items


def session(server: Server, sample: int, seed: int = 5) -> dict[str, int]:
    """Requests a busy day would bring; answers the count per kind (404s of absent optional endpoints skipped)."""
    counts: dict[str, int] = {}

    def get(kind: str, path: str, optional: bool = False) -> None:
        status, body = server.request("GET", API + path)
        if status == 404 and optional:
            return
        if status >= 400:
            raise RuntimeError(f"GET {path} -> {status} {body}")
        counts[kind] = counts.get(kind, 0) + 1

    cities = walk(server, "/cities")
    partnerships = walk(server, "/partnerships")
    walk(server, "/meetings")
    counts["list pages"] = (len(cities) + len(partnerships)) // 100 + 2
    rng = random.Random(seed)
    for _ in range(2):  # twice: both workers get their share of each kind
        for city in rng.sample(cities, min(sample, len(cities))):
            cid = city["id"]
            for kind, path in (
                ("city", f"/cities/{cid}"),
                ("timeline", f"/cities/{cid}/timeline?limit=100"),
                ("suggestions", f"/cities/{cid}/suggestions?limit=10"),
                ("history", f"/cities/{cid}/history"),
                ("invitations", f"/cities/{cid}/invitations"),
            ):
                get(kind, path)
        for partnership in rng.sample(partnerships, min(sample, len(partnerships))):
            get("partnership", f"/partnerships/{partnership['id']}")
            get("history", f"/partnerships/{partnership['id']}/history")
        for kind, path in (
            ("reports", "/reports/dashboard"),
            ("reports", "/reports/progress-review"),
            ("me", "/me"),
            ("me", "/me/notifications"),
            ("themes", "/themes"),
        ):
            get(kind, path)
        for page in range(10):
            get("audit", f"/audit/events?after={page * 200}&limit=200", optional=True)
        get("audit verify", "/audit/verify", optional=True)
    return counts


def measure(url: str, sample: int) -> dict:
    with gunicorn(url, workers=2) as server:
        before = {pid: rss_mb(pid) for pid in server.workers()}
        started = time.perf_counter()
        counts = session(server, sample)
        seconds = time.perf_counter() - started
        after = {pid: rss_mb(pid) for pid in server.workers()}
    return {
        "before": max(v[0] for v in before.values()),
        "rss": max(v[0] for v in after.values()),
        "hwm": max(v[1] for v in after.values()),
        "requests": sum(counts.values()),
        "seconds": seconds,
        "workers": len(after),
    }


def row(store: str, events: int, r: dict) -> list[object]:
    return [
        store,
        f"{events:,}",
        r["workers"],
        r["requests"],
        f"{r['seconds']:.1f} s",
        f"{r['before']:.0f}",
        f"**{r['rss']:.0f}**",
        f"{r['hwm']:.0f}",
    ]


HEADER = [
    "store",
    "events",
    "workers",
    "requests",
    "session time",
    "worker RSS at start MB",
    "largest worker RSS after MB",
    "largest worker peak (HWM) MB",
]


def figure(store: str, events: int, r: dict) -> Figure:
    return Figure(
        f"web worker RSS after serving a {events:,}-event store ({store})",
        f"{r['rss']:.0f} MB",
        f"< {TARGET_MB:.0f} MB",
        r["rss"] < TARGET_MB,
    )


def section(rows: list[list[object]], figures: list[Figure]) -> Section:
    s = Section("Web process memory after serving a large store (gunicorn -w 2)")
    s.table(HEADER, rows, "lrrrrrrr")
    s.figures += figures
    return s


def run(stores: list[str], small: bool | None = None, events: int | None = None) -> list[Section]:
    small = quick() if small is None else small
    events = events or (2_000 if small else 100_000)
    sample = 5 if small else 40
    rows, figures = [], []
    for store in stores:
        with temporary_store(store) as url:
            env = persistence_env(url)
            app = Programme(env=env)
            try:
                total = generate_events(app, events).events
                catch_up(app, env)
            finally:
                app.close()
            result = measure(url, sample)
        rows.append(row(store, total, result))
        figures.append(figure(store, total, result))
    return [section(rows, figures)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--events", type=int)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    for s in run(stores, args.quick or quick(), args.events):
        print(s.render())


if __name__ == "__main__":
    main()
