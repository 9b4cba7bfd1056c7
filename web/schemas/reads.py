"""Reads across resources: history as of an instant, the timeline, themes, health, the reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from domain.themes import ThemeKind
from web.schemas.base import After, Day, Id, Input, Output, PageQuery, QueryInstant, Subject, ViewItem, values_of


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
    kind: values_of(ThemeKind)


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


class TimelineItem(ViewItem):
    position: int
    type: str
    subject: Subject
    recorded_at: datetime
    actor: str | None = None


class TimelinePage(Output):
    items: list[TimelineItem]
    next_cursor: str | None


class ReviewQuery(PageQuery):
    as_of: Day | None = Field(None, description="default today (UTC)")
    programme_id: Id | None = None


class DashboardQuery(Input):
    as_of: Day | None = Field(None, description="default today (UTC)")
    after: After | None = None
    programme_id: Id | None = None


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
    programme_id: str | None = None
    cities: dict[str, Any]
    partnerships: dict[str, Any]
    sessions: dict[str, Any]
    agreements: dict[str, Any]
    projects: dict[str, Any]
    milestones: dict[str, Any]
