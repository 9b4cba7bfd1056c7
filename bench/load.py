"""A small HTTP load generator, run as its own process (``python -m bench.load``).

Threads with one keep-alive ``http.client`` connection each send requests for a
bounded time (and at most a bounded count); the requests answered in the measured
window (after a warm-up) give the rate. Prints one JSON object.

    python -m bench.load --port 8000 --token T --mode get --threads 8 --seconds 5
    python -m bench.load --port 8000 --token T --mode pairs --pairs pairs.json

``get``: ``GET /api/v1/me`` (authenticated, reads two small aggregates).
``pairs``: ``POST /api/v1/partnerships`` then ``POST …/accept`` by the invited city
(the token's holder must be staff); ``--pairs`` is a JSON list of [proposer, invited]
city ids from different world regions. Each answered request counts once.
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time


class Load:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.lock = threading.Lock()
        self.counted = 0
        self.units = 0
        self.errors: dict[str, int] = {}
        self.latencies: list[float] = []
        self.pairs = json.load(open(args.pairs)) if args.pairs else []
        self.headers = {"Authorization": f"Bearer {args.token}", "Content-Type": "application/json"}

    def request(self, conn: http.client.HTTPConnection, method: str, path: str, body: dict | None = None) -> dict:
        conn.request(method, path, body=None if body is None else json.dumps(body), headers=self.headers)
        response = conn.getresponse()
        data = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path} -> {response.status} {data[:200]!r}")
        return json.loads(data) if data else {}

    def worker(self, number: int, start: float, window: tuple[float, float], stop: float) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.args.port, timeout=30)
        sequence = 0
        while True:
            now = time.perf_counter()
            if now >= stop or (self.args.max and self.units >= self.args.max):
                break
            began = now
            try:
                if self.args.mode == "get":
                    self.request(conn, "GET", "/api/v1/me")
                    requests = 1
                else:
                    proposer, invited = self.pairs[(number * 7919 + sequence) % len(self.pairs)]
                    made = self.request(
                        conn,
                        "POST",
                        "/api/v1/partnerships",
                        {
                            "title": f"Load test {number}-{sequence}",
                            "proposer_city_id": proposer,
                            "invited_city_ids": [invited],
                            "themes": ["smart-city"],
                        },
                    )
                    self.request(conn, "POST", f"/api/v1/partnerships/{made['id']}/accept", {"city_id": invited})
                    requests = 2
            except Exception as error:
                with self.lock:
                    key = str(error)[:120]
                    self.errors[key] = self.errors.get(key, 0) + 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.args.port, timeout=30)
                continue
            finally:
                sequence += 1
            done = time.perf_counter()
            if window[0] <= done <= window[1]:
                with self.lock:
                    self.counted += requests
                    self.units += 1
                    self.latencies.append((done - began) * 1000)
        conn.close()

    def run(self) -> dict:
        start = time.perf_counter()
        window = (start + self.args.warmup, start + self.args.warmup + self.args.seconds)
        threads = [
            threading.Thread(target=self.worker, args=(n, start, window, window[1]), daemon=True)
            for n in range(self.args.threads)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        measured = min(time.perf_counter(), window[1]) - window[0]
        latencies = sorted(self.latencies) or [0.0]
        return {
            "mode": self.args.mode,
            "requests": self.counted,
            "units": self.units,
            "seconds": measured,
            "requests_per_s": self.counted / measured,
            "units_per_s": self.units / measured,
            "p50_ms": latencies[len(latencies) // 2],
            "p95_ms": latencies[int(len(latencies) * 0.95)],
            "errors": self.errors,
        }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--mode", choices=["get", "pairs"], required=True)
    parser.add_argument("--pairs", help="JSON file: [[proposer, invited], ...] (mode pairs)")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5.0, help="measured window")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before the window")
    parser.add_argument("--max", type=int, default=0, help="stop after this many units (requests or pairs); 0: none")
    print(json.dumps(Load(parser.parse_args(argv)).run()))


if __name__ == "__main__":
    main()
