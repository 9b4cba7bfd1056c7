"""The machine's PostgreSQL and Redis, claimed per test run and cleaned up afterwards."""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

import pytest

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_DBS = range(1, 16)
CLAIM_SECONDS = 2 * 3600


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def service_missing(what: str) -> None:
    if in_ci():
        pytest.exit(f"{what} is not reachable and CI=true: failing rather than skipping", returncode=3)
    pytest.skip(f"{what} is not reachable")


class PostgresRun:
    """A database of its own for this test run (``twinning_test_<random>``), dropped at the end."""

    def __init__(self, dbname: str) -> None:
        self.dbname = dbname

    @classmethod
    def start(cls) -> PostgresRun | None:
        import psycopg

        dbname = f"twinning_test_{uuid.uuid4().hex[:10]}"
        try:
            with psycopg.connect(
                host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True, connect_timeout=3
            ) as conn:
                conn.execute(f'CREATE DATABASE "{dbname}"')
        except psycopg.OperationalError:
            return None
        return cls(dbname)

    def url(self, schema: str | None = None) -> str:
        url = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{self.dbname}"
        return f"{url}?schema={quote(schema)}" if schema else url

    def execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=self.dbname, autocommit=True) as conn:
            conn.execute(sql)

    def stop(self) -> None:
        import psycopg

        with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')


class RedisRun:
    """A Redis db number of its own, claimed with SET NX in db 0 so parallel runs never share one."""

    def __init__(self, db: int, claim_key: str, token: str) -> None:
        self.db, self.claim_key, self.token = db, claim_key, token
        self.url = f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}"

    @classmethod
    def start(cls) -> RedisRun | None:
        import redis

        control = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=0, socket_connect_timeout=3)
        try:
            control.ping()
        except redis.ConnectionError:
            return None
        token = uuid.uuid4().hex
        for db in REDIS_DBS:
            key = f"twinning-test-claim:{db}"
            if control.set(key, token, nx=True, ex=CLAIM_SECONDS):
                run = cls(db, key, token)
                run.flush()
                return run
        raise RuntimeError("every Redis db number 1-15 is claimed by another test run")

    def client(self):
        import redis

        return redis.Redis.from_url(self.url)

    def flush(self) -> None:
        self.client().flushdb()

    def stop(self) -> None:
        import redis

        self.flush()
        control = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=0)
        if control.get(self.claim_key) == self.token.encode():
            control.delete(self.claim_key)
