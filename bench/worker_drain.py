"""Benchmark of the production RQ worker draining its queue: seconds per job.

Enqueues N jobs that find nothing to send (``send_agreement_unsigned`` for agreements that
do not exist: the job builds its context, loads nothing and skips), then times
``rq worker --burst --worker-class workers.worker.Worker`` (the Procfile's worker) until
the queue is empty. What a job costs here is what every job pays before its own work:
the forked work horse, its imports and its job context.

    python -m bench.worker_drain                   # 20 jobs on a temporary PostgreSQL database
    python -m bench.worker_drain --jobs 50

PostgreSQL: a database ``twinning_bench_<random>`` is created on 127.0.0.1:5432 and
dropped at the end. Redis (127.0.0.1:6379): a free db number is claimed the way test runs
claim theirs (``SET NX`` of ``twinning-test-claim:<db>`` in db 0), flushed, and given back.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from redis import Redis
from rq import Queue

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stores import temporary_store  # noqa: E402
from workers.scheduling import QUEUE_NAME  # noqa: E402

CLAIM_SECONDS = 3600


def claim_redis_db(control: Redis, token: str) -> int:
    """A Redis db number nobody else uses now (test runs claim theirs the same way)."""
    for db in range(15, 0, -1):
        if control.set(f"twinning-test-claim:{db}", token, nx=True, ex=CLAIM_SECONDS):
            return db
    raise RuntimeError("every Redis db number 1-15 is claimed")


def drain(jobs: int) -> float:
    """Seconds the Procfile's worker takes to run ``jobs`` jobs that send nothing."""
    control, token = Redis(host="127.0.0.1", port=6379, db=0), uuid.uuid4().hex
    redis_db = claim_redis_db(control, token)
    redis_url = f"redis://127.0.0.1:6379/{redis_db}"
    connection = Redis.from_url(redis_url)
    connection.flushdb()
    try:
        with temporary_store("postgres") as database_url:
            queue = Queue(QUEUE_NAME, connection=connection)
            for _ in range(jobs):
                queue.enqueue("workers.jobs.send_agreement_unsigned", str(uuid.uuid4()))
            env = {
                **os.environ,
                "TWINNING_MODE": "test",
                "TWINNING_DATABASE": database_url,
                "TWINNING_LOG_LEVEL": "WARNING",
                "REDIS_URL": redis_url,
                "PYTHONPATH": str(ROOT),
            }
            rq = Path(sys.executable).with_name("rq")
            command = [str(rq), "worker", "--burst", "--worker-class", "workers.worker.Worker"]
            started = time.perf_counter()
            subprocess.run([*command, "--url", redis_url, QUEUE_NAME], env=env, cwd=ROOT, check=True)
            elapsed = time.perf_counter() - started
            if queue.count or len(queue.failed_job_registry):
                raise RuntimeError("the worker left jobs queued or failed")
            return elapsed
    finally:
        connection.flushdb()
        connection.close()
        if control.get(f"twinning-test-claim:{redis_db}") == token.encode():
            control.delete(f"twinning-test-claim:{redis_db}")
        control.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20, help="jobs to enqueue (default 20)")
    args = parser.parse_args()
    elapsed = drain(args.jobs)
    print("| jobs | seconds | seconds per job |")
    print("|---:|---:|---:|")
    print(f"| {args.jobs} | {elapsed:.1f} | {elapsed / args.jobs:.3f} |")


if __name__ == "__main__":
    main()
