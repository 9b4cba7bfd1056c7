"""When a milestone of a pilot project is overdue: the one rule, for the views, the reports and the reminders.

A milestone is ``achieved`` as of a date if it was achieved on or before it; otherwise it
is ``overdue`` when its due date has passed while its project is still active (a closed
project's open milestones are no longer expected), and ``planned`` else.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from domain.model.statuses import MilestoneStatus, ProjectStatus


class MilestoneState(StrEnum):
    """A milestone as of a date (its recorded ``MilestoneStatus`` says only planned or achieved)."""

    PLANNED = "planned"
    ACHIEVED = "achieved"
    OVERDUE = "overdue"


STATES = tuple(MilestoneState)


def milestone_state(status: str, due_on: date, achieved_on: date | None, project_status: str, as_of: date) -> str:
    """As of a date: ``achieved`` (on or before it), ``overdue`` (due before it, in an active project) or ``planned``."""
    if status == MilestoneStatus.ACHIEVED and achieved_on is not None and achieved_on <= as_of:
        return MilestoneState.ACHIEVED
    if due_on < as_of and project_status == ProjectStatus.ACTIVE:
        return MilestoneState.OVERDUE
    return MilestoneState.PLANNED


def is_overdue(status: str, due_on: date, achieved_on: date | None, project_status: str, as_of: date) -> bool:
    return milestone_state(status, due_on, achieved_on, project_status, as_of) == MilestoneState.OVERDUE
