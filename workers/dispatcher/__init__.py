"""The dispatcher: follows the event log and turns events into RQ jobs with deterministic ids.

A ``Processor`` for ``domain.followers.Follower`` (name ``dispatcher``). For each batch:
enqueue every job (``unique=True``: a job id already in Redis raises DuplicateJobError,
which means it was enqueued before), THEN record the batch's tracking in the store's
tracking table. Redis is not in the store's transaction, so a crash between the two
re-dispatches the batch on restart and enqueues nothing new.

The job ids planned for an event depend only on the event and the aggregate *at that
event's version*, so re-dispatch plans the same ids. Jobs that can no longer matter
are left out: reminders already in the past, reminders of a meeting cancelled or moved
since, invitations answered since, notices of a milestone achieved or an agreement
signed since, and suggestions for changes older than a week (a replay of an old log).

Where things are:
- ``plans``: which event class calls for which plan (``PLANS``), and which plans hold jobs
  for later (re-armed even after a clean stop);
- ``partnerships``, ``meetings``, ``projects``: the plans themselves, one module per concept;
- ``follower``: the ``Dispatcher`` processor (enqueue, then track; the armed-marker watch) and
  ``run_dispatcher``;
- ``rearm``: putting the jobs back after Redis lost them.
"""

from __future__ import annotations

from workers.dispatcher.base import DEFAULT_OFFSETS, NAME, SUGGESTIONS_STALE_AFTER, Planning
from workers.dispatcher.follower import Dispatcher, open_tracking_recorder, run_dispatcher
from workers.dispatcher.plans import PLANS, planned_events
from workers.dispatcher.rearm import ARMED_CHECK_SECONDS, ARMED_KEY, REARM_IMMEDIATE_WINDOW, Rearmed, rearm
from workers.scheduling import arm_weekly_digest

__all__ = [
    "ARMED_CHECK_SECONDS",
    "ARMED_KEY",
    "DEFAULT_OFFSETS",
    "NAME",
    "PLANS",
    "REARM_IMMEDIATE_WINDOW",
    "SUGGESTIONS_STALE_AFTER",
    "Dispatcher",
    "Planning",
    "Rearmed",
    "arm_weekly_digest",
    "open_tracking_recorder",
    "planned_events",
    "rearm",
    "run_dispatcher",
]
