"""Sessions: scheduling, moving, cancelling, outcomes, the calendar and the slot finder."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StrictInt, StrictStr

from domain.limits import (
    MAX_ATTENDANCE,
    MAX_MINUTES,
    MAX_SLOT_RANGE,
    MAX_STEP_MINUTES,
    MAX_URL,
    MIN_MINUTES,
    MIN_STEP_MINUTES,
)
from domain.model.statuses import MeetingKind, MeetingStatus
from web.schemas.base import (
    Id,
    Input,
    Instant,
    Minutes,
    Output,
    PageQuery,
    QueryInstant,
    Text,
    ViewItem,
    _enum,
    values_of,
)

WebLink = Annotated[
    StrictStr,
    Field(
        max_length=MAX_URL,
        pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+[^\s]*$",
        description="an http:// or https:// link",
    ),
]
Attendance = Annotated[StrictInt, Field(ge=0, le=MAX_ATTENDANCE)]


class MeetingIn(Input):
    title: Text
    kind: Annotated[StrictStr, Field(json_schema_extra=_enum(MeetingKind))]
    starts_at: Instant
    duration_minutes: Minutes
    invited_city_ids: list[Id]
    partnership_id: Id | None = None
    location: Text | None = None
    url: WebLink | None = None
    programme_id: Id | None = Field(
        None, description="the programme; omitted: the partnership's or cluster's, else the one holding every city"
    )
    cluster_id: Id | None = Field(None, description="a cluster's session: every member of the cluster is invited")


class HeldMeetingIn(MeetingIn):
    """A session that already ended, recorded for history with its outcome (nobody is invited)."""

    attendance: Attendance
    summary: Text
    attended_city_ids: list[Id] | None = None


class RescheduleIn(Input):
    starts_at: Instant
    duration_minutes: Minutes | None = None


class CancelIn(Input):
    reason: Text


class OutcomeIn(Input):
    attendance: Attendance
    summary: Text
    attended_city_ids: list[Id] | None = None


class MeetingOutcomeOut(Output):
    attendance: int
    summary: str
    attended_city_ids: list[str]
    no_show_city_ids: list[str]


class MeetingOut(Output):
    id: str
    version: int
    status: values_of(MeetingStatus)
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    invited_city_ids: list[str]
    partnership_id: str | None
    location: str | None
    url: str | None
    organiser_id: str
    sequence: int
    cancel_reason: str | None
    outcome: MeetingOutcomeOut | None
    recorded_after_the_fact: bool = Field(description="recorded as held after it happened (POST /meetings/held)")
    created_at: datetime
    updated_at: datetime
    programme_id: str | None = None
    cluster_id: str | None = None


class SlotsQuery(Input):
    city_ids: StrictStr = Field(description="comma-separated city ids, e.g. a,b")
    duration_minutes: Annotated[int, Field(ge=MIN_MINUTES, le=MAX_MINUTES)] = 60
    step_minutes: Annotated[int, Field(ge=MIN_STEP_MINUTES, le=MAX_STEP_MINUTES)] = 30
    from_: QueryInstant | None = Field(None, alias="from", description="default: now")
    to: QueryInstant | None = Field(
        None, description=f"default: 7 days after from; at most {MAX_SLOT_RANGE.days} days after it"
    )


class SlotOut(Output):
    starts_at: datetime
    ends_at: datetime


class SlotPage(Output):
    items: list[SlotOut]
    next_cursor: str | None = None


class MeetingListQuery(PageQuery):
    city_id: Id | None = None
    from_: QueryInstant | None = Field(None, alias="from", description="sessions starting at or after")
    to: QueryInstant | None = Field(None, description="sessions starting before")
    status: values_of(MeetingStatus) | None = None
    organiser_id: Id | None = None
    partnership_id: Id | None = None
    programme_id: Id | None = None
    cluster_id: Id | None = None


class MeetingListItem(ViewItem):
    id: str
    version: int
    status: str
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    invited_cities: list[dict[str, Any]] = []
    invited_city_ids: list[str] = []


class MeetingPage(Output):
    items: list[MeetingListItem]
    next_cursor: str | None
