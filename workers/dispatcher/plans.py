"""Which event class calls for which plan: the one registry, keyed by the event classes themselves.

An event is looked up by its exact class (``type(event)``), as the library decodes it
from its stored topic; events of any other class call for nothing. The same registry
gives ``rearm`` the topics to read back from the store.
"""

from __future__ import annotations

from eventsourcing.domain import DomainEvent
from eventsourcing.utils import get_topic

from workers.dispatcher import loop, meetings, partnerships, projects
from workers.dispatcher.base import Plan, Planning
from workers.scheduling import JobSpec

PLANS: dict[type[DomainEvent], Plan] = {**partnerships.PLANS, **meetings.PLANS, **projects.PLANS, **loop.PLANS}


def plan(event: DomainEvent, planning: Planning) -> list[JobSpec]:
    """The jobs an event calls for (none for most events)."""
    found = PLANS.get(type(event))
    return found.jobs(event, planning) if found is not None else []


def planned_events(*, timed_only: bool = False) -> list[str]:
    """The topics of the events that call for jobs (``timed_only``: for jobs planned for later)."""
    return [get_topic(cls) for cls, found in PLANS.items() if found.timed or not timed_only]
