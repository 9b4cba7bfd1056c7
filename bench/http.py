"""HTTP benchmark: commands against authenticated no-op reads, through gunicorn.

gunicorn (``config/gunicorn.py``, 2 workers) serves a temporary store holding a small
synthetic programme; a separate process (``bench.load``, keep-alive ``http.client``
connections in threads) sends, alternately for a fixed window each:

  (a) ``GET /api/v1/me`` (authentication + one read): the baseline;
  (b) propose + accept pairs: ``POST /partnerships`` then ``POST /partnerships/{id}/accept``.

The figure is the command rate (requests/s of (b), each pair two commands) over the
rate of (a), the median of the rounds.

    python -m bench.http [--store sqlite|postgres|both] [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.report import Figure, Section, quick, rate
from bench.server import ROOT, gunicorn
from bench.stores import temporary_store
from bench.synthetic import generate
from config.settings import persistence_env
from domain.application import Programme

RATIO_TARGET = 0.5
THREADS = 8


def cross_region_pairs(made, count: int) -> list[list[str]]:
    ids, regions = made.city_ids, made.regions
    pairs = []
    for n, proposer in enumerate(ids):
        for offset in range(1, len(ids)):
            invited = ids[(n + offset * 17) % len(ids)]
            if regions[invited] != regions[proposer]:
                pairs.append([proposer, invited])
                break
        if len(pairs) >= count:
            break
    return pairs


def load(port: int, token: str, mode: str, seconds: float, pairs_file: str | None, warmup: float) -> dict:
    command = [
        sys.executable,
        "-m",
        "bench.load",
        "--port",
        str(port),
        "--token",
        token,
        "--mode",
        mode,
        "--threads",
        str(THREADS),
        "--seconds",
        str(seconds),
        "--warmup",
        str(warmup),
    ]
    if pairs_file:
        command += ["--pairs", pairs_file]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=seconds + warmup + 120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(store: str, seconds: float, rounds: int, warmup: float) -> dict:
    with temporary_store(store) as url, tempfile.TemporaryDirectory(prefix="twinning-bench-") as folder:
        app = Programme(env=persistence_env(url))
        try:
            made = generate(app, cities=200, partnerships_per_city=0.5)
        finally:
            app.close()
        pairs_file = str(Path(folder) / "pairs.json")
        Path(pairs_file).write_text(json.dumps(cross_region_pairs(made, 100)))
        gets, commands = [], []
        with gunicorn(url, workers=2) as server:
            for number in range(rounds):
                order = ("get", "pairs") if number % 2 == 0 else ("pairs", "get")
                for mode in order:
                    result = load(
                        server.port, server.token, mode, seconds, pairs_file if mode == "pairs" else None, warmup
                    )
                    if result["errors"]:
                        raise RuntimeError(f"{mode}: errors under load: {result['errors']}")
                    (gets if mode == "get" else commands).append(result)
    get_rate = statistics.median(r["requests_per_s"] for r in gets)
    command_rate = statistics.median(r["requests_per_s"] for r in commands)
    return {
        "store": store,
        "get": get_rate,
        "commands": command_rate,
        "pairs": statistics.median(r["units_per_s"] for r in commands),
        "get_p95": statistics.median(r["p95_ms"] for r in gets),
        "pair_p95": statistics.median(r["p95_ms"] for r in commands),
        "ratio": statistics.median(c["requests_per_s"] / g["requests_per_s"] for g, c in zip(gets, commands)),
    }


def run(stores: list[str], small: bool | None = None) -> list[Section]:
    small = quick() if small is None else small
    seconds, rounds, warmup = (1.0, 1, 0.3) if small else (4.0, 3, 1.0)
    section = Section(
        f"HTTP: propose + accept commands ÷ authenticated GET /me, gunicorn -w 2, "
        f"{THREADS} keep-alive connections from a separate process"
    )
    rows = []
    for store in stores:
        r = measure(store, seconds, rounds, warmup)
        rows.append(
            [
                store,
                rounds,
                rate(r["get"]),
                f"{r['get_p95']:.1f}",
                rate(r["commands"]),
                rate(r["pairs"]),
                f"{r['pair_p95']:.1f}",
                f"**{r['ratio']:.2f}**",
            ]
        )
        section.figures.append(
            Figure(
                f"HTTP commands ÷ GET /me ({store})",
                f"{r['ratio']:.2f}",
                f"≥ {RATIO_TARGET}",
                r["ratio"] >= RATIO_TARGET,
            )
        )
    section.table(
        ["store", "rounds", "GET /me /s", "GET p95 ms", "commands /s", "pairs /s", "pair p95 ms", "ratio commands/GET"],
        rows,
        "lrrrrrrr",
    )
    section.notes.append("Each pair is two commands (propose, accept); the ratio counts commands (requests).")
    return [section]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    for section in run(stores, args.quick or quick()):
        print(section.render())


if __name__ == "__main__":
    main()
