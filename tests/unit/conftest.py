"""Unit tier: aggregates on their own, and the Programme on eventsourcing's in-memory store (no I/O).

``programme_in_memory`` is a Programme on the POPO store; ``people`` is the usual cast (Rome, Yantai,
Mannheim, Chongqing, Chengdu, Barcelona, their officers, a facilitator, an auditor and
an admin) enrolled in it. Both use the settable ``clock`` of ``tests.support.cast``.
"""

from __future__ import annotations

import pytest

from domain.application import Programme
from tests.support.cast import Cast, enrol

MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
ADMIN_TOKEN = "admin-token-for-unit-tests-" + "x" * 24


def in_memory_programme(clock=None, **env: str) -> Programme:
    return Programme(env={**MEMORY, **env}, clock=clock)


def enrol_cast(programme: Programme) -> Cast:
    admin = programme.ensure_admin(ADMIN_TOKEN)
    facilitator = programme.authenticate(
        programme.create_user(admin, "IUC facilitator", "facilitator@iuc.example", "facilitator").token
    )
    auditor = programme.authenticate(
        programme.create_user(admin, "Programme auditor", "auditor@iuc.example", "auditor").token
    )
    city_ids, officers = enrol(programme, admin, facilitator)
    return Cast(programme, admin, facilitator, auditor, city_ids, officers)


@pytest.fixture
def programme_in_memory(clock):
    programme = in_memory_programme(clock)
    yield programme
    programme.close()


@pytest.fixture
def people(programme_in_memory) -> Cast:
    return enrol_cast(programme_in_memory)


@pytest.fixture
def make_cast(clock):
    """Another programme in memory with its own settings (e.g. the cross-region rule off), cast enrolled."""
    made: list[Programme] = []

    def make(**env: str) -> Cast:
        made.append(in_memory_programme(clock, **env))
        return enrol_cast(made[-1])

    yield make
    for programme in made:
        programme.close()
