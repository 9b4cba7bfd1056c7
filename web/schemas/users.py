"""Users, their tokens and their inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StrictStr

from domain.model.statuses import USER_ROLES, NotificationKind, UserStatus
from web.schemas.base import Email, Id, Input, Name, Output, Subject, _enum, values_of


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


class NotificationPage(Output):
    items: list[NotificationOut]
    next_cursor: str | None
