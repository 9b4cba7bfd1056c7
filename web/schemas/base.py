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

from domain.application.users import EMAIL_PATTERN
from domain.followers import MAX_WAIT_SECONDS
from domain.limits import (
    DEFAULT_LIMIT,
    MAX_CURSOR,
    MAX_EMAIL,
    MAX_LIMIT,
    MAX_LOCATION,
    MAX_MINUTES,
    MAX_NAME,
    MAX_TEXT,
    MAX_YEAR,
    MIN_MINUTES,
    MIN_YEAR,
)
from domain.regions import REGION_OF_COUNTRY, REGIONS
from domain.themes import THEMES
from domain.values import CONTROL_CHARACTERS, INVISIBLE_CHARACTERS, LINE_BREAKS, SPACE_CHARACTERS
from domain.zones import zones_by_country, zones_in_use


def _numbers_between(low: int, high: int) -> str:
    """A regex alternation matching exactly the whole numbers low..high of one digit count (the years)."""
    blocks: list[tuple[str, int]] = []  # (fixed leading digits, count of free trailing digits)
    number = low
    while number <= high:
        free = 0
        while number % 10 ** (free + 1) == 0 and number + 10 ** (free + 1) - 1 <= high:
            free += 1
        blocks.append((str(number)[: len(str(number)) - free], free))
        number += 10**free
    parts: list[tuple[str, int, str]] = []
    for lead, free in blocks:  # 1900, 1901 … 1909 as 190[0-9]: neighbours differing in their last fixed digit
        if parts and parts[-1][1] == free and parts[-1][0][:-1] == lead[:-1] and lead[-1] == chr(ord(parts[-1][2]) + 1):
            parts[-1] = (parts[-1][0], free, lead[-1])
        else:
            parts.append((lead, free, lead[-1]))
    return "|".join(
        (lead if last == lead[-1] else f"{lead[:-1]}[{lead[-1]}-{last}]") + r"\d" * free for lead, free, last in parts
    )


YEARS = f"(?:{_numbers_between(MIN_YEAR, MAX_YEAR)})"
DATE_PATTERN = f"^{YEARS}-[0-9]{{2}}-[0-9]{{2}}$"
INSTANT_PATTERN = f"^{YEARS}-[0-9]{{2}}-[0-9]{{2}}[Tt ][0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}(\\.[0-9]{{1,9}})?([Zz]|[+-][0-9]{{2}}:[0-9]{{2}})$"
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

# Text as the domain takes it (domain.values.check_text / check_name), stated as patterns: no control
# characters; a required text has a visible character; a name is one line without invisible characters.
_TEXT_CHARACTER = f"[^{CONTROL_CHARACTERS}]"
_NAME_CHARACTER = f"[^{CONTROL_CHARACTERS}{LINE_BREAKS}{INVISIBLE_CHARACTERS}]"
_VISIBLE = f"[^{CONTROL_CHARACTERS}{SPACE_CHARACTERS}{INVISIBLE_CHARACTERS}]"
TEXT_PATTERN = f"^{_TEXT_CHARACTER}*$"
REQUIRED_TEXT_PATTERN = f"^{_TEXT_CHARACTER}*{_VISIBLE}{_TEXT_CHARACTER}*$"
NAME_PATTERN = f"^{_NAME_CHARACTER}*{_VISIBLE}{_NAME_CHARACTER}*$"
Text = Annotated[
    StrictStr, Field(max_length=MAX_TEXT, pattern=TEXT_PATTERN, description=f"text, at most {MAX_TEXT} characters")
]
RequiredText = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=MAX_TEXT,
        pattern=REQUIRED_TEXT_PATTERN,
        description=f"text that is not blank, at most {MAX_TEXT} characters",
    ),
]
Name = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=MAX_NAME,
        pattern=NAME_PATTERN,
        description=f"one line that is not blank, at most {MAX_NAME} characters",
    ),
]
Location = Annotated[StrictStr, Field(max_length=MAX_LOCATION, pattern=TEXT_PATTERN)]
Email = Annotated[
    StrictStr, Field(max_length=MAX_EMAIL, pattern=EMAIL_PATTERN, description="an email address, e.g. f@iuc.example")
]
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
