"""What every job does first: re-read its aggregate (or find it gone), find whom to tell, or skip with a reason."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from domain.errors import NotFound
from domain.model.city import City
from domain.model.user import User
from workers.context import JobContext
from workers.messages import Words

if TYPE_CHECKING:
    from workers.delivery import Delivery, Message

log = logging.getLogger("workers.jobs")


def skip(reason: str, **extra: Any) -> dict[str, Any]:
    log.info("skipped: %s (nothing sent)", reason)
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


def tell(
    delivery: Delivery,
    recipients: list[tuple[User, str]],
    build: Callable[[Words, User, str], Message],
    actor: str | None = None,
) -> Delivery:
    """Deliver to each (recipient, city id) the message ``build`` words for them, in their language;
    never to ``actor``, the person whose act this tells of."""
    for recipient, city_id in recipients:
        if actor is not None and str(recipient.id) == str(actor):
            continue
        delivery.deliver(recipient, build(delivery.words(recipient), recipient, city_id))
    return delivery
