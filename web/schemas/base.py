"""What every resource's models share: strict inputs, dates and instants, ids, themes, paging.

Inputs forbid unknown fields and accept JSON types strictly (no "5" for 5); value
rules (themes, time zones, lengths, kinds) stay in the domain, which answers with
``InvalidValue`` (422) naming the field. The enums, formats and bounds here only
document what the domain accepts, taken from the domain (``domain.limits``, the
statuses' enums), so clients and generated tests can find their way.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, StrictStr

from domain.followers import MAX_WAIT_SECONDS
from domain.limits import (
    DEFAULT_LIMIT,
    MAX_CURSOR,
    MAX_LIMIT,
    MAX_MINUTES,
    MAX_YEAR,
    MIN_MINUTES,
    MIN_YEAR,
)
from domain.regions import REGION_OF_COUNTRY, REGIONS
from domain.themes import THEMES
from domain.zones import zones_by_country, zones_in_use
from web.schemas.fields import (  # noqa: F401 (re-exported: web.schemas.base is where resources look)
    DATE_PATTERN,
    INSTANT_PATTERN,
    NAME_PATTERN,
    REQUIRED_TEXT_PATTERN,
    TEXT_PATTERN,
    YEARS,
    Email,
    Location,
    Name,
    RequiredText,
    Text,
)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$")
WAIT = f"{MAX_WAIT_SECONDS:g} s"


def _calendar_date(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError("expected a calendar date YYYY-MM-DD")
    if not MIN_YEAR <= int(value[:4]) <= MAX_YEAR:
        raise ValueError(f"must lie between the years {MIN_YEAR} and {MAX_YEAR}")
    return value


def _rfc3339(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _INSTANT.match(value):
        raise ValueError("expected an RFC 3339 date-time with an offset, e.g. 2020-12-03T09:30:00+01:00")
    if not MIN_YEAR <= int(value[:4]) <= MAX_YEAR:
        raise ValueError(f"must lie between the years {MIN_YEAR} and {MAX_YEAR}")
    return value


def _query_rfc3339(value: Any) -> Any:
    """In a query string an unescaped ``+`` arrives as a space: read ``…09:00:00 01:00`` as ``+01:00``."""
    if isinstance(value, str) and re.search(r"\d \d{2}:\d{2}$", value):
        value = value[:-6] + "+" + value[-5:]
    return _rfc3339(value)


def values_of(kind: type[StrEnum]) -> Any:
    """The ``Literal`` of an enum's values: validated and documented inline, as plain strings."""
    return Literal[tuple(member.value for member in kind)]


def _enum(values, description: str | None = None) -> dict:
    extra: dict[str, Any] = {"enum": [str(v) for v in values]}
    if description:
        extra["description"] = description
    return extra


def _known(vocabulary, what: str):
    def check(value: str) -> str:
        if value not in vocabulary:
            raise ValueError(f"unknown {what} {value!r}")
        return value

    return AfterValidator(check)


def _one_of(values, what: str, description: str | None = None) -> Any:
    """A string from a closed vocabulary: refused here (422 naming the field) and listed as an enum."""
    return Annotated[StrictStr, _known(frozenset(values), what), Field(json_schema_extra=_enum(values, description))]


_YEARS_NOTE = f"years {MIN_YEAR} to {MAX_YEAR}"
Day = Annotated[
    date,
    BeforeValidator(_calendar_date),
    Field(json_schema_extra={"pattern": DATE_PATTERN, "description": f"a calendar date YYYY-MM-DD, {_YEARS_NOTE}"}),
]
Instant = Annotated[
    datetime,
    BeforeValidator(_rfc3339),
    Field(json_schema_extra={"format": "date-time", "pattern": INSTANT_PATTERN}),
]
QueryInstant = Annotated[
    datetime,
    BeforeValidator(_query_rfc3339),
    Field(json_schema_extra={"format": "date-time", "pattern": INSTANT_PATTERN}),
]
Id = Annotated[UUID, Field(description="an id (UUID)")]

Theme = Annotated[StrictStr, Field(json_schema_extra=_enum(sorted(THEMES), "a theme slug: GET /api/v1/themes"))]
# A city's country has a time zone: the ISO codes of uninhabited places (HM, BV) have none in tzdata.
CITY_COUNTRIES = tuple(sorted(code for code in REGION_OF_COUNTRY if zones_by_country().get(code)))
Country = Annotated[
    StrictStr,
    _known(frozenset(CITY_COUNTRIES), "country code"),
    Field(description="ISO 3166-1 alpha-2 country code, e.g. IT, CN", json_schema_extra={"enum": list(CITY_COUNTRIES)}),
]
TimeZone = Annotated[
    StrictStr,
    _known(frozenset(zones_in_use()), "time zone"),
    Field(
        description="IANA time zone used in the city's country (tzdata's zone tables), e.g. Europe/Rome",
        json_schema_extra={"enum": list(zones_in_use()), "examples": ["Europe/Rome", "Asia/Shanghai"]},
    ),
]


def _whole(value: Any) -> Any:
    """JSON has one number type: 15.0 is the integer 15 (JSON Schema says so too); "15" and true are not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def whole_number(low: int, high: int, description: str | None = None) -> Any:
    """An integer from low to high (bounds before the validator, so the document states them)."""
    return Annotated[StrictInt, Field(ge=low, le=high, description=description), BeforeValidator(_whole)]


Minutes = whole_number(MIN_MINUTES, MAX_MINUTES, f"{MIN_MINUTES} to {MAX_MINUTES}")


def _unique(values: list) -> list:
    if len(set(values)) != len(values):
        raise ValueError("lists an item twice")
    return values


def id_list(*, min_items: int = 0, max_items: int, description: str | None = None) -> Any:
    """Ids, each at most once (uniqueItems, refused here as it is documented)."""
    return Annotated[
        list[Id],
        AfterValidator(_unique),
        Field(
            min_length=min_items, max_length=max_items, description=description, json_schema_extra={"uniqueItems": True}
        ),
    ]


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


class Subject(Output):
    kind: str
    id: str


# -- lists (read models) ------------------------------------------------------------------------
# View items are documented by their known fields; they may carry more (extra="allow"), so a
# read model that grows a column does not break its endpoint.

Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"page size, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})")]
CURSOR_PATTERN = "^[A-Za-z0-9_-]*$"  # domain.views.paging: URL-safe base64 without padding
Cursor = Annotated[
    StrictStr,
    Field(
        max_length=MAX_CURSOR,
        pattern=CURSOR_PATTERN,
        description="the next_cursor of the previous page, passed back as given (opaque; "
        "a cursor this list did not hand out is a 400 invalid-cursor problem)",
    ),
]
After = Annotated[
    int,
    Field(
        ge=0,
        le=2**63 - 1,
        description=f"wait (up to {WAIT}) until the view has processed this log position (X-Log-Position of a command)",
    ),
]


QueryTheme = Annotated[
    StrictStr, _known(THEMES, "theme"), Field(json_schema_extra=_enum(sorted(THEMES), "a theme slug"))
]
QueryRegion = Annotated[StrictStr, _known(REGIONS, "region"), Field(json_schema_extra=_enum(REGIONS))]


class ViewItem(BaseModel):
    model_config = ConfigDict(extra="allow")


def deprecated_alias(of: str) -> Any:
    """A field's old name, still sent for one release (README, Changelog)."""
    return Field(
        None,
        description=f"deprecated: the same as `{of}`; removed in the next release",
        json_schema_extra={"deprecated": True},
    )


class PageQuery(Input):
    limit: Limit | None = None
    cursor: Cursor | None = None
    after: After | None = None
