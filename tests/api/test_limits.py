"""What the API documents as a bound is the bound the programme's rules apply.

For each limit in ``domain.limits`` the schema clients read (and schemathesis generates
from) states it, the domain accepts a value at it and refuses the next one, naming the
field. A number copied into a schema and later changed on one side only fails here.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain import limits
from domain.errors import InvalidValue
from domain.model.meeting import check_duration
from domain.scheduling import WorkingWeek, common_slots
from domain.values import check_date, check_name
from domain.views.paging import check_limit, decode_cursor
from web.schemas import CityListQuery, PageQuery, SlotsQuery, SuggestionsQuery
from web.schemas.base import _rfc3339


def _property(model, name: str) -> dict:
    """A property's schema, the non-null branch of an optional one merged in."""
    prop = model.model_json_schema()["properties"][name]
    return {**prop, **next((option for option in prop.get("anyOf", []) if option.get("type") != "null"), {})}


def _refused(field: str, check, value) -> None:
    with pytest.raises(InvalidValue) as refused:
        check(value)
    assert refused.value.field == field


def test_a_page_is_documented_and_checked_up_to_the_same_size():
    assert _property(PageQuery, "limit")["maximum"] == limits.MAX_LIMIT
    assert check_limit(limits.MAX_LIMIT) == limits.MAX_LIMIT
    _refused("limit", check_limit, limits.MAX_LIMIT + 1)
    assert check_limit(None) == limits.DEFAULT_LIMIT


def test_a_cursor_longer_than_documented_is_refused():
    assert _property(PageQuery, "cursor")["maxLength"] == limits.MAX_CURSOR
    _refused("cursor", lambda c: decode_cursor("cities", c, str), "A" * (limits.MAX_CURSOR + 1))


def test_the_directory_search_is_documented_at_its_length():
    assert _property(CityListQuery, "q")["maxLength"] == limits.MAX_SEARCH


def test_suggestions_asked_for_at_once():
    limit = _property(SuggestionsQuery, "limit")
    assert (limit["maximum"], limit["default"]) == (limits.MAX_SUGGESTIONS, limits.DEFAULT_SUGGESTIONS)


def test_a_session_between_rome_and_yantai_lasts_what_the_slot_finder_documents():
    duration = _property(SlotsQuery, "duration_minutes")
    assert (duration["minimum"], duration["maximum"]) == (limits.MIN_MINUTES, limits.MAX_MINUTES)
    assert check_duration(limits.MAX_MINUTES) == limits.MAX_MINUTES
    _refused("duration_minutes", check_duration, limits.MAX_MINUTES + 1)
    _refused("duration_minutes", check_duration, limits.MIN_MINUTES - 1)

    step = _property(SlotsQuery, "step_minutes")
    assert (step["minimum"], step["maximum"]) == (limits.MIN_STEP_MINUTES, limits.MAX_STEP_MINUTES)
    weeks = [WorkingWeek.of("Europe/Rome"), WorkingWeek.of("Asia/Shanghai")]
    start = datetime(2030, 3, 4, tzinfo=UTC)

    def slots(step_minutes: int = 30, days: int = 1):
        return common_slots(weeks, start, start + timedelta(days=days), 60, step_minutes)

    _refused("step_minutes", slots, limits.MAX_STEP_MINUTES + 1)
    assert slots(limits.MAX_STEP_MINUTES) is not None
    _refused("to", lambda days: slots(days=days), limits.MAX_SLOT_RANGE.days + 1)
    assert f"at most {limits.MAX_SLOT_RANGE.days} days" in _property(SlotsQuery, "to")["description"]


def test_years_outside_the_programme_are_refused_by_both():
    _refused("signed_on", lambda d: check_date(d, "signed_on"), date(limits.MAX_YEAR + 1, 1, 1))
    assert check_date(date(limits.MAX_YEAR, 12, 31), "signed_on").year == limits.MAX_YEAR
    with pytest.raises(ValueError, match=str(limits.MAX_YEAR)):
        _rfc3339(f"{limits.MAX_YEAR + 1}-01-01T09:00:00+01:00")
    assert _rfc3339(f"{limits.MIN_YEAR}-01-01T09:00:00+01:00")


def test_a_name_is_a_line_of_at_most_the_limit():
    assert check_name("R" * limits.MAX_NAME) == "R" * limits.MAX_NAME
    _refused("name", check_name, "R" * (limits.MAX_NAME + 1))
