"""Single-resource reads from the aggregate itself (read-your-writes), now or as of an instant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from web.http import answer, programme


def read_one(cls: type, aggregate_id: UUID, as_of: datetime | None, to_dict: Callable[[Any], dict]):
    app = programme()
    aggregate = app.load(cls, aggregate_id) if as_of is None else app.load_as_of(cls, aggregate_id, as_of)
    return answer(to_dict(aggregate), aggregate.version)
