"""Benchmark of matchmaking: index build time and top-10 ``suggest`` latency.

Generates synthetic cities (themes from the vocabulary, Europe / East Asia / other
regions with real time zones, random triple-helix stakeholders, some partners,
response times) and prints a markdown table.

    python -m bench.matchmaking            # 1k, 10k and 100k cities
    python -m bench.matchmaking --quick    # tiny sizes, a couple of seconds
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import date
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domain.matchmaking import CityProfile, MatchIndex
from domain.themes import CLUSTER_THEMES, SDG_THEMES

# (country, region, time zone, a few city names), weighted towards the programme's two sides.
PLACES = [
    (
        45,
        "europe",
        [
            ("IT", "Europe/Rome", ["Rome", "Bologna", "Reggio Emilia", "Turin"]),
            ("ES", "Europe/Madrid", ["Barcelona", "Malaga", "Granada"]),
            ("DE", "Europe/Berlin", ["Stuttgart", "Mannheim", "Leipzig"]),
            ("FR", "Europe/Paris", ["Nice", "Lyon"]),
            ("GB", "Europe/London", ["Manchester", "Barnsley"]),
            ("BG", "Europe/Sofia", ["Burgas"]),
            ("GR", "Europe/Athens", ["Thessaloniki"]),
            ("PT", "Europe/Lisbon", ["Porto"]),
            ("PL", "Europe/Warsaw", ["Gdansk"]),
        ],
    ),
    (
        35,
        "east-asia",
        [
            ("CN", "Asia/Shanghai", ["Chengdu", "Chongqing", "Yantai", "Liuzhou", "Guangzhou", "Wuhan"]),
            ("KR", "Asia/Seoul", ["Gwangju", "Daegu"]),
            ("JP", "Asia/Tokyo", ["Kitakyushu", "Toyama"]),
        ],
    ),
    (
        20,
        "other",
        [
            ("MY", "Asia/Kuala_Lumpur", ["Penampang"]),
            ("VN", "Asia/Ho_Chi_Minh", ["Da Nang"]),
            ("TH", "Asia/Bangkok", ["Chiang Mai"]),
            ("ID", "Asia/Jakarta", ["Surabaya"]),
            ("IN", "Asia/Kolkata", ["Pune"]),
            ("AU", "Australia/Sydney", ["Newcastle"]),
            ("NZ", "Pacific/Auckland", ["Wellington"]),
            ("US", "America/New_York", ["Pittsburgh"]),
            ("BR", "America/Sao_Paulo", ["Curitiba"]),
        ],
    ),
]
OTHER_REGIONS = {
    "MY": "south-east-asia",
    "VN": "south-east-asia",
    "TH": "south-east-asia",
    "ID": "south-east-asia",
    "IN": "south-asia",
    "AU": "oceania",
    "NZ": "oceania",
    "US": "north-america",
    "BR": "latin-america",
}
THEMES = list(CLUSTER_THEMES) + list(SDG_THEMES)
THEME_WEIGHTS = [3] * len(CLUSTER_THEMES) + [1] * len(SDG_THEMES)
HOURS = [(clock(9), clock(18))] * 6 + [(clock(8), clock(17)), (clock(8, 30), clock(17, 30)), (clock(10), clock(19))]
KINDS = ["public", "private", "research"]


def _themes(rng: random.Random, low: int, high: int) -> frozenset[str]:
    return frozenset(rng.choices(THEMES, THEME_WEIGHTS, k=rng.randint(low, high)))


def synthetic_cities(count: int, seed: int = 0) -> list[CityProfile]:
    """``count`` random but plausible city profiles, the same for the same seed."""
    rng = random.Random(seed)
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(count)]
    partners: dict[str, set[str]] = {i: set() for i in ids}
    for i in ids:
        if rng.random() < 0.3:
            for other in rng.sample(ids, k=min(len(ids), rng.randint(1, 3))):
                if other != i:
                    partners[i].add(other)
    groups = [g for _, _, g in PLACES]
    weights = [w for w, _, _ in PLACES]
    cities = []
    for n, cid in enumerate(ids):
        group_index = rng.choices(range(len(groups)), weights)[0]
        country, tz, names = rng.choice(groups[group_index])
        region = PLACES[group_index][1]
        if region == "other":
            region = OTHER_REGIONS[country]
        offered = _themes(rng, 1, 5)
        sought = _themes(rng, 1, 5) - offered
        helix = {t: frozenset(k for k in KINDS if rng.random() < 0.6) for t in offered}
        cities.append(
            CityProfile(
                id=cid,
                name=f"{rng.choice(names)} {n}",
                country=country,
                region=region,
                timezone=tz,
                themes_offered=offered,
                themes_sought=sought,
                helix={t: k for t, k in helix.items() if k},
                partners=frozenset(partners[cid]),
                working_hours=rng.choice(HOURS),
                working_days=frozenset(range(6)) if rng.random() < 0.05 else frozenset(range(5)),
                median_response_hours=None if rng.random() < 0.25 else round(rng.lognormvariate(3.8, 0.9), 1),
                retired=rng.random() < 0.02,
            )
        )
    return cities


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def run(size: int, queries: int, seed: int) -> dict[str, float]:
    cities = synthetic_cities(size, seed)
    started = time.perf_counter()
    index = MatchIndex(cities)
    build = time.perf_counter() - started
    rng = random.Random(seed + 1)
    active = [c.id for c in cities if not c.retired]
    dates = [date(2026, 1, 15), date(2026, 7, 15)]
    for d in dates:  # warm the per-date offset and overlap caches
        index.suggest(active[0], limit=10, on=d)
    latencies = []
    for q in range(queries):
        city_id = rng.choice(active)
        started = time.perf_counter()
        result = index.suggest(city_id, limit=10, on=dates[q % 2])
        latencies.append((time.perf_counter() - started) * 1000)
        assert len(result) <= 10
    return {
        "build_s": build,
        "p50": statistics.median(latencies),
        "p95": _percentile(latencies, 0.95),
        "max": max(latencies),
    }


P95_TARGET_MS = 50.0


def sections(small: bool | None = None) -> list:
    """The table of ``python -m bench`` (sizes 1k, 10k, 100k; quick: 200, 1000)."""
    from bench.report import Figure, Section, quick

    small = quick() if small is None else small
    sizes, queries = ([200, 1000], 30) if small else ([1000, 10_000, 100_000], 200)
    section = Section(f"Matchmaking: top-10 suggestions among N synthetic cities, {queries} queries per size")
    rows = []
    for size in sizes:
        r = run(size, queries, 0)
        rows.append(
            [f"{size:,}", f"{r['build_s'] * 1000:.0f}", f"{r['p50']:.2f}", f"**{r['p95']:.2f}**", f"{r['max']:.2f}"]
        )
        if size == 10_000 or (small and size == sizes[-1]):
            section.figures.append(
                Figure(
                    f"top-10 suggestions among {size:,} cities, p95",
                    f"{r['p95']:.1f} ms",
                    f"< {P95_TARGET_MS:.0f} ms (10k)",
                    r["p95"] < P95_TARGET_MS,
                )
            )
        else:
            section.figures.append(
                Figure(f"top-10 suggestions among {size:,} cities, p95", f"{r['p95']:.1f} ms", "–", None)
            )
    section.table(["cities", "index build ms", "top-10 p50 ms", "top-10 p95 ms", "top-10 max ms"], rows, "rrrrr")
    return [section]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (200, 1000), few queries")
    parser.add_argument("--sizes", type=int, nargs="+", help="city counts (default 1000 10000 100000)")
    parser.add_argument("--queries", type=int, help="suggest() calls per size (default 200, quick 30)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sizes = args.sizes or ([200, 1000] if args.quick else [1000, 10_000, 100_000])
    queries = args.queries or (30 if args.quick else 200)
    print(f"Matchmaking top-10 latency, {queries} queries per size (Python {sys.version.split()[0]})\n")
    print("| cities | index build (ms) | top-10 p50 (ms) | top-10 p95 (ms) | top-10 max (ms) |")
    print("|---:|---:|---:|---:|---:|")
    for size in sizes:
        r = run(size, queries, args.seed)
        print(
            f"| {size:,} | {r['build_s'] * 1000:.0f} | {r['p50']:.2f} | {r['p95']:.2f} | {r['max']:.2f} |", flush=True
        )


if __name__ == "__main__":
    main()
