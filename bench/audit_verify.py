"""Benchmark of the audit chain: chaining the log (the follower) and verifying it.

Generates N events quickly (many aggregates per save: cities registered with profile
updates and stakeholders, partnerships proposed and answered), chains them with the
``audit-chain`` follower, then times ``verify`` (recompute every hash from the raw
stored bytes and compare with the chain table), plain and against a kept head.
Prints a markdown table with events/s (verify: the median of ``--repeat`` runs).

    python -m bench.audit_verify                        # 100,000 events on SQLite
    python -m bench.audit_verify --store postgres       # on a temporary PostgreSQL database
    python -m bench.audit_verify --store both --events 50000
    python -m bench.audit_verify --quick                # a few thousand events, a few seconds

PostgreSQL: a database ``twinning_bench_<random>`` is created on 127.0.0.1:5432
(user postgres, trust auth) and dropped at the end.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.stores import temporary_store
from config.settings import persistence_env
from domain.application import Programme
from domain.audit import AuditChain, catch_up_chain, chain_head
from domain.audit.verify import VERIFY_BATCH, verify_chain
from domain.model.city import City
from domain.model.partnership import Partnership
from domain.themes import CLUSTER_THEMES

PLACES = [
    ("IT", "Europe/Rome"),
    ("ES", "Europe/Madrid"),
    ("DE", "Europe/Berlin"),
    ("CN", "Asia/Shanghai"),
    ("JP", "Asia/Tokyo"),
    ("VN", "Asia/Ho_Chi_Minh"),
]
NAMES = ["Málaga", "柳州", "Mannheim", "重庆", "Yantai", "Chengdu"]
THEMES = sorted(CLUSTER_THEMES)
ACTOR = str(uuid.UUID(int=1))
SAVE_CHUNK = 500  # aggregates per save


def generate(app: Programme, events: int, seed: int = 11) -> int:
    """Record at least ``events`` events in saves of many aggregates; return the log's length."""
    rng = random.Random(seed)
    cities: list[str] = []
    recorded = 0
    while recorded < events:
        batch = []
        for _ in range(SAVE_CHUNK // 2):  # 4 events per city
            country, tz = rng.choice(PLACES)
            city = City(
                name=f"{rng.choice(NAMES)} {len(cities)}",
                country=country,
                timezone=tz,
                themes_offered=rng.sample(THEMES, 2),
                themes_sought=rng.sample(THEMES, 2),
                actor=ACTOR,
            )
            city.update_profile({"population": rng.randint(10_000, 5_000_000)}, actor=ACTOR)
            city.update_profile({"description": f"A city in {country}"}, actor=ACTOR)
            city.add_stakeholder(
                str(uuid.uuid4()),
                "University",
                rng.choice(["public", "private", "research"]),
                rng.sample(THEMES, 2),
                actor=ACTOR,
            )
            cities.append(str(city.id))
            batch.append(city)
        for n in range(SAVE_CHUNK // 2):  # 4 to 5 events per partnership
            proposer, *invited = rng.sample(cities, 3)
            partnership = Partnership.propose(
                title=f"Partnership {n}",
                proposer_city_id=proposer,
                invited_city_ids=invited,
                themes=rng.sample(THEMES, 2),
                actor=ACTOR,
            )
            partnership.accept(invited[0], actor=ACTOR)
            partnership.decline(invited[1], actor=ACTOR, reason="Not now")
            batch.append(partnership)
        recorded = app.save(*batch)[-1].notification.id
    return app.recorder.max_notification_id()


def run(store: str, events: int, batch_size: int, repeat: int) -> dict:
    with temporary_store(store) as url:
        app = Programme(env=persistence_env(url))
        try:
            started = time.perf_counter()
            total = generate(app, events)
            generate_rate = total / (time.perf_counter() - started)
            started = time.perf_counter()
            chained = catch_up_chain(app)
            chain_rate = chained / (time.perf_counter() - started)
            kept = str(chain_head(app, catch_up=False))
            chain = AuditChain(app)
            plain, anchored = [], []
            for _ in range(repeat):
                started = time.perf_counter()
                result = verify_chain(chain, batch_size=batch_size)
                plain.append(time.perf_counter() - started)
                assert result.ok and result.events_checked == total, result
                started = time.perf_counter()
                result = verify_chain(chain, head=kept, batch_size=batch_size)
                anchored.append(time.perf_counter() - started)
                assert result.ok and result.anchor["matches"], result
        finally:
            app.close()
    return {
        "store": store,
        "events": total,
        "generate": generate_rate,
        "chain": chain_rate,
        "verify": total / statistics.median(plain),
        "verify_head": total / statistics.median(anchored),
        "verify_seconds": statistics.median(plain),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000, help="events to generate (default 100000)")
    parser.add_argument(
        "--store",
        choices=["sqlite", "postgres", "both"],
        default="sqlite",
        help="the store to measure (default sqlite)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=VERIFY_BATCH,
        help=f"records per select_notifications while verifying (default {VERIFY_BATCH})",
    )
    parser.add_argument("--repeat", type=int, default=3, help="verify runs per store; the median is shown (default 3)")
    parser.add_argument(
        "--quick", action="store_true", help="a tiny run (3,000 events, one verify) to check that it works"
    )
    args = parser.parse_args(argv)
    events, repeat = (3_000, 1) if args.quick else (args.events, max(1, args.repeat))
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    rows = [run(store, events, args.batch_size, repeat) for store in stores]
    print(f"\nAudit chain: chaining and verifying, batches of {args.batch_size} (events/s)\n")
    print(
        "| store | events | generate (batched saves) | chain (follower catch-up) | verify | verify with kept head "
        "| verify wall time |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['store']} | {r['events']:,} | {r['generate']:,.0f} | {r['chain']:,.0f} | {r['verify']:,.0f} "
            f"| {r['verify_head']:,.0f} | {r['verify_seconds']:.2f} s |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
