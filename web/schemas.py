"""Request and response models (Pydantic 2) for every operation of /api/v1.

Inputs forbid unknown fields and accept JSON types strictly (no "5" for 5); value
rules (themes, time zones, lengths, kinds) stay in the domain, which answers with
``InvalidValue`` (422) naming the field. The enums and formats below only document
what the domain accepts, so clients and generated tests can find their way.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StrictStr

from domain.model.agreement import AGREEMENT_KINDS
from domain.model.meeting import MAX_MINUTES, MEETING_KINDS, MIN_MINUTES
from domain.model.notification import NOTIFICATION_KINDS
from domain.model.user import ROLES
from domain.regions import REGIONS
from domain.themes import THEMES
from domain.values import STAKEHOLDER_KINDS

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")
MIN_YEAR, MAX_YEAR = 1900, 2200


def _calendar_date(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError("expected a calendar date YYYY-MM-DD")
    return value


def _rfc3339(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _INSTANT.match(value):
        raise ValueError("expected an RFC 3339 date-time with an offset, e.g. 2020-12-03T09:30:00+01:00")
    if not MIN_YEAR <= int(value[:4]) <= MAX_YEAR:
        raise ValueError(f"the year must lie between {MIN_YEAR} and {MAX_YEAR}")
    return value


def _query_rfc3339(value: Any) -> Any:
    """In a query string an unescaped ``+`` arrives as a space: read ``…09:00:00 01:00`` as ``+01:00``."""
    if isinstance(value, str) and re.search(r"\d \d{2}:\d{2}$", value):
        value = value[:-6] + "+" + value[-5:]
    return _rfc3339(value)


def _enum(values, description: str | None = None) -> dict:
    extra: dict[str, Any] = {"enum": list(values)}
    if description:
        extra["description"] = description
    return extra


Day = Annotated[date, BeforeValidator(_calendar_date)]
Instant = Annotated[datetime, BeforeValidator(_rfc3339), Field(json_schema_extra={"format": "date-time"})]
QueryInstant = Annotated[datetime, BeforeValidator(_query_rfc3339), Field(json_schema_extra={"format": "date-time"})]
Id = Annotated[UUID, Field(description="an id (UUID)")]
Text = StrictStr
Theme = Annotated[StrictStr, Field(json_schema_extra=_enum(sorted(THEMES), "a theme slug: GET /api/v1/themes"))]
Country = Annotated[
    StrictStr,
    Field(description="ISO 3166-1 alpha-2 country code, e.g. IT, CN", json_schema_extra={"pattern": "^[A-Z]{2}$"}),
]
TimeZone = Annotated[
    StrictStr,
    Field(
        description="IANA time zone, e.g. Europe/Rome", json_schema_extra={"examples": ["Europe/Rome", "Asia/Shanghai"]}
    ),
]
Minutes = Annotated[StrictInt, Field(description=f"{MIN_MINUTES} to {MAX_MINUTES}")]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Empty(Input):
    """No fields: send `{}` or no body."""


# -- problems -----------------------------------------------------------------------


class FieldError(Output):
    field: str = Field(description="the field's path, e.g. parties.0.name; empty for the whole body")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details (application/problem+json)."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(description="a URI naming the problem, https://twinning.example/problems/<code>")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None
    request_id: str | None = None


# -- users ------------------------------------------------------------------------


class UserIn(Input):
    name: Text
    email: Text
    role: Annotated[StrictStr, Field(json_schema_extra=_enum(ROLES))]
    city_id: Id | None = None


class UserOut(Output):
    id: str
    version: int
    status: Literal["active", "deactivated"]
    name: str
    email: str
    role: str
    city_id: str | None
    created_at: datetime
    updated_at: datetime


class UserWithToken(UserOut):
    token: str = Field(description="the bearer token, shown only now")


class Subject(Output):
    kind: str
    id: str


class NotificationOut(Output):
    id: str
    kind: Annotated[str, Field(json_schema_extra=_enum(NOTIFICATION_KINDS))]
    subject: Subject
    title: str
    body: str
    sent_at: datetime
    channels: list[str]


# -- cities ---------------------------------------------------------------------------


class WorkingHours(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: StrictStr = Field("09:00", description="local time HH:MM")
    end: StrictStr = Field("18:00", description="local time HH:MM")
    days: list[StrictInt] = Field([0, 1, 2, 3, 4], description="weekdays, 0 = Monday")


class CityIn(Input):
    name: Text
    local_name: Text | None = None
    country: Country
    timezone: TimeZone
    population: StrictInt | None = None
    themes_offered: list[Theme] = []
    themes_sought: list[Theme] = []
    description: Text | None = None
    working_hours: WorkingHours | None = None


def _drop_impossible_defaults(schema: dict) -> None:
    """A field that may be left out but not be null has no default to document."""
    for prop in schema.get("properties", {}).values():
        if "default" in prop and prop["default"] is None and "anyOf" not in prop:
            del prop["default"]


class CityPatch(Input):
    """Any profile field; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_drop_impossible_defaults)

    # Left out means "unchanged"; null clears the optional fields and is refused for the others.
    name: Text = None  # type: ignore[assignment]
    local_name: Text | None = None
    timezone: TimeZone = None  # type: ignore[assignment]
    population: StrictInt | None = None
    themes_offered: list[Theme] = None  # type: ignore[assignment]
    themes_sought: list[Theme] = None  # type: ignore[assignment]
    description: Text | None = None
    working_hours: WorkingHours | None = None


class StakeholderIn(Input):
    name: Text
    kind: Annotated[StrictStr, Field(json_schema_extra=_enum(STAKEHOLDER_KINDS, "the triple helix"))]
    themes: list[Theme] = []


class StakeholderOut(Output):
    id: str
    name: str
    kind: str
    themes: list[str]


class CityOut(Output):
    id: str
    version: int
    status: Literal["active", "retired"]
    name: str
    local_name: str | None
    country: str
    region: Annotated[str, Field(json_schema_extra=_enum(REGIONS))]
    timezone: str
    population: int | None
    themes_offered: list[str]
    themes_sought: list[str]
    description: str | None
    working_hours: WorkingHours | None
    stakeholders: list[StakeholderOut]
    created_at: datetime
    updated_at: datetime


class SuggestionOut(Output):
    city_id: str
    name: str
    score: int = Field(ge=0, le=100)
    reasons: list[str]


class SuggestionPage(Output):
    items: list[SuggestionOut]
    next_cursor: str | None = None


class SuggestionsQuery(Input):
    limit: Annotated[int, Field(ge=1, le=50)] = 10
    after: (
        Annotated[int, Field(ge=0, description="wait (up to 5 s) until the views have processed this log position")]
        | None
    ) = None


# -- partnerships -------------------------------------------------------------------------


class PartnershipIn(Input):
    title: Text
    proposer_city_id: Id
    invited_city_ids: list[Id]
    themes: list[Theme] = []
    description: Text | None = None


class CityRef(Input):
    city_id: Id


class DeclineIn(Input):
    city_id: Id
    reason: Text | None = None


class ReasonIn(Input):
    reason: Text | None = None


class ActionPlanIn(Input):
    summary: Text
    adopted_on: Day


class ConcludeIn(Input):
    outcome: Text


class InvitationOut(Output):
    city_id: str
    status: Literal["pending", "accepted", "declined"]
    invited_at: datetime | None
    answered_at: datetime | None
    reason: str | None


class ActionPlanOut(Output):
    summary: str
    adopted_on: date


class PartnershipOut(Output):
    id: str
    version: int
    status: Literal["proposed", "active", "declined", "withdrawn", "concluded"]
    title: str
    proposer_city_id: str
    member_city_ids: list[str]
    invitations: list[InvitationOut]
    themes: list[str]
    description: str | None
    action_plan: ActionPlanOut | None
    outcome: str | None
    closing_reason: str | None
    created_at: datetime
    updated_at: datetime


# -- meetings ---------------------------------------------------------------------------


class MeetingIn(Input):
    title: Text
    kind: Annotated[StrictStr, Field(json_schema_extra=_enum(MEETING_KINDS))]
    starts_at: Instant
    duration_minutes: Minutes
    invited_city_ids: list[Id]
    partnership_id: Id | None = None
    location: Text | None = None
    url: Text | None = None


class RescheduleIn(Input):
    starts_at: Instant
    duration_minutes: Minutes | None = None


class CancelIn(Input):
    reason: Text


class OutcomeIn(Input):
    attendance: StrictInt
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
    status: Literal["scheduled", "held", "cancelled"]
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
    created_at: datetime
    updated_at: datetime


class SlotsQuery(Input):
    city_ids: StrictStr = Field(description="comma-separated city ids, e.g. a,b")
    duration_minutes: Annotated[int, Field(ge=15, le=600)] = 60
    step_minutes: Annotated[int, Field(ge=5, le=240)] = 30
    from_: QueryInstant | None = Field(None, alias="from", description="default: now")
    to: QueryInstant | None = Field(None, description="default: 7 days after from; at most 31 days after it")


class SlotOut(Output):
    starts_at: datetime
    ends_at: datetime


class SlotPage(Output):
    items: list[SlotOut]
    next_cursor: str | None = None


# -- agreements --------------------------------------------------------------------------


class PartyIn(Input):
    name: Text
    city_id: Id | None = None


class AgreementIn(Input):
    title: Text
    kind: Annotated[StrictStr, Field(json_schema_extra=_enum(AGREEMENT_KINDS))]
    parties: list[PartyIn]
    partnership_id: Id | None = None
    topics: list[Theme] = []


class SignIn(Input):
    party: Text
    signed_on: Day
    signatory: Text | None = None


class TerminateIn(Input):
    reason: Text
    on: Day


class PartyOut(Output):
    name: str
    city_id: str | None
    signed_on: date | None
    signatory: str | None


class TerminationOut(Output):
    reason: str
    on: date


class AgreementOut(Output):
    id: str
    version: int
    status: Literal["drafted", "in_force", "terminated"]
    title: str
    kind: str
    parties: list[PartyOut]
    topics: list[str]
    partnership_id: str | None
    in_force_on: date | None
    termination: TerminationOut | None
    created_at: datetime
    updated_at: datetime


# -- projects --------------------------------------------------------------------------


class ProjectIn(Input):
    title: Text
    partnership_id: Id
    themes: list[Theme] = []
    description: Text | None = None


class MilestoneIn(Input):
    title: Text
    due_on: Day
    milestone_id: Text | None = Field(None, description="optional; a new id is made when left out")


class AchieveIn(Input):
    achieved_on: Day
    note: Text | None = None


class MilestoneRescheduleIn(Input):
    due_on: Day
    reason: Text


class CompleteIn(Input):
    summary: Text


class ProjectCancelIn(Input):
    reason: Text


class MilestoneOut(Output):
    id: str
    title: str
    due_on: date
    status: Literal["planned", "achieved"]
    achieved_on: date | None
    note: str | None


class ProjectOut(Output):
    id: str
    version: int
    status: Literal["active", "completed", "cancelled"]
    title: str
    partnership_id: str
    member_city_ids: list[str]
    themes: list[str]
    description: str | None
    milestones: list[MilestoneOut]
    summary: str | None
    created_at: datetime
    updated_at: datetime


# -- history, reads, meta ---------------------------------------------------------------------------


class AsOfQuery(Input):
    as_of: QueryInstant | None = Field(None, description="RFC 3339 instant: the resource as it was recorded then")


class ActorOut(Output):
    id: str
    name: str
    role: str


class HistoryEntryOut(Output):
    type: str
    version: int
    recorded_at: datetime
    actor: ActorOut | None
    data: dict[str, Any]


class HistoryPage(Output):
    items: list[HistoryEntryOut]
    next_cursor: str | None = None


class ThemeOut(Output):
    slug: str
    label: str
    kind: Literal["cluster", "sdg"]


class ThemeList(Output):
    items: list[ThemeOut]
    next_cursor: str | None = None


class HealthCheck(Output):
    ok: bool
    detail: str | None = None
    latency_ms: float | None = None


class FollowerHealth(Output):
    ok: bool
    detail: str | None = None
    position: int | None = Field(None, description="the last log position it has read (null: it never ran)")
    lag: int | None = Field(None, description="events recorded that it has not read")
    lag_seconds: float | None = Field(None, description="age of the oldest of them, against HEALTH_MAX_LAG")


class WorkersHealth(Output):
    ok: bool
    detail: str | None = None
    alive: int | None = Field(None, description="RQ workers with a heartbeat within HEALTH_WORKER_SILENCE")
    silent: int | None = Field(None, description="workers still registered whose heartbeat is older")


class JobsHealth(Output):
    ok: bool
    detail: str | None = None
    failed: int | None = Field(None, description="jobs in the failed registry")
    retrying: int | None = Field(None, description="delivery jobs retried within DELIVERY_RETRY_FOR")


class Health(Output):
    status: Literal["ok", "degraded", "down"]
    reasons: list[str] = Field(default_factory=list, description="what is not ok, one line per part")
    store: HealthCheck
    redis: HealthCheck | None
    views: FollowerHealth | None = None
    dispatcher: FollowerHealth | None = None
    audit: FollowerHealth | None = None
    workers: WorkersHealth | None = None
    scheduler: HealthCheck | None = None
    jobs: JobsHealth | None = None
    smtp: HealthCheck | None = None
    log_position: int | None


# -- lists (read models) ------------------------------------------------------------------------
# View items are documented by their known fields; they may carry more (extra="allow"), so a
# read model that grows a column does not break its endpoint.

Limit = Annotated[int, Field(ge=1, le=200, description="page size, 1 to 200 (default 50)")]
Cursor = Annotated[StrictStr, Field(max_length=2000, description="the next_cursor of the previous page")]
After = Annotated[
    int,
    Field(
        ge=0,
        le=2**63 - 1,
        description="wait (up to 5 s) until the view has processed this log position (X-Log-Position of a command)",
    ),
]


def _known(vocabulary, what: str):
    def check(value: str) -> str:
        if value not in vocabulary:
            raise ValueError(f"unknown {what} {value!r}")
        return value

    return AfterValidator(check)


QueryTheme = Annotated[
    StrictStr, _known(THEMES, "theme"), Field(json_schema_extra=_enum(sorted(THEMES), "a theme slug"))
]
QueryRegion = Annotated[StrictStr, _known(REGIONS, "region"), Field(json_schema_extra=_enum(REGIONS))]


class ViewItem(BaseModel):
    model_config = ConfigDict(extra="allow")


class PageQuery(Input):
    limit: Limit | None = None
    cursor: Cursor | None = None
    after: After | None = None


class CityListQuery(PageQuery):
    region: QueryRegion | None = None
    theme: QueryTheme | None = None
    q: Annotated[StrictStr, Field(max_length=200, description="part of the name or local name, any case")] | None = None
    status: Literal["active", "retired"] | None = None


class PartnershipListQuery(PageQuery):
    status: Literal["proposed", "active", "declined", "withdrawn", "concluded"] | None = None
    city_id: Id | None = None
    theme: QueryTheme | None = None


class MeetingListQuery(PageQuery):
    city_id: Id | None = None
    from_: QueryInstant | None = Field(None, alias="from", description="sessions starting at or after")
    to: QueryInstant | None = Field(None, description="sessions starting before")
    status: Literal["scheduled", "held", "cancelled"] | None = None
    organiser_id: Id | None = None
    partnership_id: Id | None = None


class AgreementListQuery(PageQuery):
    status: Literal["drafted", "in_force", "terminated"] | None = None
    kind: Annotated[StrictStr, Field(json_schema_extra=_enum(AGREEMENT_KINDS))] | None = None
    city_id: Id | None = None
    partnership_id: Id | None = None


class ProjectListQuery(PageQuery):
    status: Literal["active", "completed", "cancelled"] | None = None
    city_id: Id | None = None
    partnership_id: Id | None = None
    theme: QueryTheme | None = None
    as_of: Day | None = Field(
        None, description="milestone states (planned, achieved, overdue) as of this date; default today"
    )


class ReviewQuery(PageQuery):
    as_of: Day | None = Field(None, description="default today (UTC)")


class DashboardQuery(Input):
    as_of: Day | None = Field(None, description="default today (UTC)")
    after: After | None = None


class CityListItem(ViewItem):
    id: str
    version: int
    status: str
    name: str
    local_name: str | None = None
    country: str
    region: str
    timezone: str
    population: int | None = None
    themes_offered: list[str]
    themes_sought: list[str]
    description: str | None = None
    working_hours: dict[str, Any] | None = None
    stakeholders: list[dict[str, Any]] = []


class CityPage(Output):
    items: list[CityListItem]
    next_cursor: str | None


class PartnershipListItem(ViewItem):
    id: str
    version: int
    status: str
    title: str
    proposer_city_id: str
    proposer_name: str | None = None
    themes: list[str]
    invitations: list[dict[str, Any]]


class PartnershipPage(Output):
    items: list[PartnershipListItem]
    next_cursor: str | None


class InvitationAwaitingItem(ViewItem):
    partnership_id: str
    title: str
    proposer_city_id: str
    invited_at: datetime | None = None


class InvitationPage(Output):
    items: list[InvitationAwaitingItem]
    next_cursor: str | None


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


class MeetingPage(Output):
    items: list[MeetingListItem]
    next_cursor: str | None


class AgreementListItem(ViewItem):
    id: str
    version: int
    status: str
    title: str
    kind: str
    parties: list[dict[str, Any]]


class AgreementPage(Output):
    items: list[AgreementListItem]
    next_cursor: str | None


class ProjectListItem(ViewItem):
    id: str
    version: int
    status: str
    title: str
    partnership_id: str
    member_city_ids: list[str]
    milestones: list[dict[str, Any]] = []


class ProjectPage(Output):
    items: list[ProjectListItem]
    next_cursor: str | None


class TimelineItem(ViewItem):
    position: int
    type: str
    subject: Subject
    recorded_at: datetime
    actor: str | None = None


class TimelinePage(Output):
    items: list[TimelineItem]
    next_cursor: str | None


class NotificationPage(Output):
    items: list[NotificationOut]
    next_cursor: str | None


class ReviewItem(ViewItem):
    project_id: str
    project: str
    cities: list[str]
    status: str
    latest_result: str | None = None


class ReviewPage(Output):
    items: list[ReviewItem]
    next_cursor: str | None


class Dashboard(ViewItem):
    as_of: date
    position: int
    cities: dict[str, Any]
    partnerships: dict[str, Any]
    sessions: dict[str, Any]
    agreements: dict[str, Any]
    projects: dict[str, Any]
    milestones: dict[str, Any]
