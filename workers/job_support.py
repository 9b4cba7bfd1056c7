"""What every job does first: re-read its aggregate (or find it gone), find whom to tell, or skip with a reason."""

from __future__ import annotations

import logging
from typing import Any

from domain.errors import NotFound
from domain.model.city import City
from domain.model.user import User
from workers.context import JobContext

log = logging.getLogger("workers.jobs")


def skip(reason: str, **extra: Any) -> dict[str, Any]:
    log.info("nothing sent: %s", reason)
    return {"skipped": reason, **extra}


def load_or_none(ctx: JobContext, cls: type, aggregate_id: str):
    try:
        return ctx.programme.load(cls, aggregate_id)
    except NotFound:
        return None


class Cities:
    """Cities loaded once per job."""

    def __init__(self, ctx: JobContext) -> None:
        self.ctx, self.cache = ctx, {}

    def __getitem__(self, city_id: str) -> City:
        if city_id not in self.cache:
            self.cache[city_id] = self.ctx.programme.load(City, city_id)
        return self.cache[city_id]


def officers(ctx: JobContext, city_ids: list[str]) -> list[tuple[User, str]]:
    """(officer, city id) for every active officer of these cities, each person once."""
    seen, found = set(), []
    for city_id in city_ids:
        for officer in ctx.programme.officers_of(city_id):
            if officer.id not in seen:
                seen.add(officer.id)
                found.append((officer, city_id))
    return found
