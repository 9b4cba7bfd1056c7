"""Users, their tokens and their inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StrictStr

from domain.model.statuses import USER_ROLES, EmailMode, Language, NotificationKind, UserStatus
from web.schemas.base import (
    Email,
    Id,
    Input,
    Name,
    Output,
    PageQuery,
    RequiredText,
    Subject,
    TimeZone,
    _enum,
    values_of,
)


class UserIn(Input):
    """An officer belongs to one city (`city_id` required); the other roles to none (`city_id` left out)."""

    name: Name
    email: Email
    role: Annotated[StrictStr, Field(json_schema_extra=_enum(USER_ROLES))]
    city_id: Id | None = None


class UserOut(Output):
    id: str
    version: int
    status: values_of(UserStatus)
    name: str
    email: str
    role: str
    city_id: str | None
    created_at: datetime
    updated_at: datetime


class PreferencesOut(Output):
    language: values_of(Language)
    email: values_of(EmailMode)
    timezone: str = Field(description="the zone the person lives by: their own, else their city's, else UTC")


class MeOut(UserOut):
    preferences: PreferencesOut


class PreferencesIn(Input):
    """Only the fields sent change; nothing different, nothing recorded."""

    language: values_of(Language) | None = Field(None, description="mail, .ics and inbox language")
    email: values_of(EmailMode) | None = Field(
        None, description="immediate: each notification mailed; daily: one digest at 08:00 local time; off: none"
    )
    timezone: TimeZone | None = Field(
        None, description="an IANA zone for the digest and dates; null: the city's zone (UTC without a city)"
    )


class UserWithToken(UserOut):
    token: str = Field(description="the bearer token, shown only now")


class NotificationOut(Output):
    id: str
    kind: Annotated[str, Field(json_schema_extra=_enum(NotificationKind))]
    subject: Subject
    title: str
    body: str
    sent_at: datetime
    channels: list[str]
    read_at: datetime | None = Field(description="when its recipient read it; null while unread")


class ReadNotificationOut(NotificationOut):
    """One notification as its recipient marked it read (a model of its own: generated clients name it once)."""


class NotificationQuery(PageQuery):
    unread: bool = Field(False, description="true: only the notifications not read yet")


class NotificationsMarked(Output):
    marked: int = Field(description="how many notifications this marked read (0 when all were read already)")


class NotificationPage(Output):
    items: list[NotificationOut]
    next_cursor: str | None


class ErasureIn(Input):
    reason: RequiredText = Field(
        description="why the person's data is erased (their request, its date); no personal data"
    )


class ErasureOut(Output):
    user: UserOut
    position: int | None = Field(description="the log position of PersonalDataErased")
    plain_text_positions: list[int] = Field(
        description="log positions of events written before encryption that still hold the person's data in plain"
        " text (the log is never rewritten): what a purge of backups must cover"
    )
    aggregates: list[str] = Field(description="ids of the aggregates whose events held the person's data")


class PersonalEvent(Output):
    position: int
    aggregate_id: str
    version: int
    type: str
    recorded_at: datetime
    data: dict[str, Any]


class PersonalNotification(Output):
    id: str
    position: int
    kind: str
    title: str
    body: str
    channels: list[str]
    sent_at: datetime


class PersonalProfile(Output):
    id: str
    name: str
    email: str
    role: str
    city_id: str | None
    status: values_of(UserStatus)
    registered_at: datetime


class PersonalDataOut(Output):
    generated_at: datetime
    profile: PersonalProfile
    events: list[PersonalEvent] = Field(description="every event the person acted in or whose personal data is theirs")
    notifications: list[PersonalNotification] = Field(description="every notification sent to the person")
