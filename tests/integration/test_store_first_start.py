"""Processes starting at once on an empty PostgreSQL schema (gunicorn's workers, the projector,
RQ workers from one Procfile) all create the store's tables: none of them fails for the others."""

from __future__ import annotations

import multiprocessing
import uuid

from config.settings import persistence_env

STARTING = 6


def _open_the_store(url: str, start: multiprocessing.synchronize.Event, errors: multiprocessing.Queue) -> None:
    from domain.application import Programme

    start.wait(10)
    try:
        Programme(env=persistence_env(url)).close()
    except Exception as error:  # reported to the test, which names it
        errors.put(f"{type(error).__name__}: {error}")


def test_six_processes_opening_an_empty_store_at_once_all_start(postgres_run):
    context = multiprocessing.get_context("spawn")
    for _round in range(5):
        schema = f"t_{uuid.uuid4().hex[:12]}"
        postgres_run.execute(f"CREATE SCHEMA {schema}")
        postgres_url = postgres_run.url(schema)
        start, errors = context.Event(), context.Queue()
        starting = [
            context.Process(target=_open_the_store, args=(postgres_url, start, errors)) for _ in range(STARTING)
        ]
        for process in starting:
            process.start()
        start.set()
        for process in starting:
            process.join(60)
        assert [p.exitcode for p in starting] == [0] * STARTING
        found = []
        while not errors.empty():
            found.append(errors.get())
        postgres_run.execute(f"DROP SCHEMA {schema} CASCADE")
        assert found == []
