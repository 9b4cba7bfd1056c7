"""Values every aggregate shares: time zones, instants, business dates, text and working hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

import pytest

from domain.errors import InvalidValue
from domain.model.city import City
from domain.values import (
    MAX_NAME,
    MAX_TEXT,
    check_date,
    check_instant,
    check_name,
    check_stakeholder_kind,
    check_text,
    check_timezone,
    check_working_hours,
    utc,
)

# --- time zones --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Europe/Rome", "Asia/Shanghai", "Asia/Chongqing", "Europe/London", "UTC", "America/Argentina/Buenos_Aires"]
)
def test_iana_time_zones_are_accepted(name):
    assert check_timezone(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "Europe/Atlantis",
        "CET",
        "EST",
        "GMT+8",
        "+08:00",
        "europe",
        "",
        " Asia/Shanghai",
        "Asia/Shanghai\n",
        "../zoneinfo/UTC",
        None,
        8,
    ],
)
def test_anything_else_is_not_a_time_zone(name):
    with pytest.raises(InvalidValue) as refused:
        check_timezone(name, "timezone")
    assert refused.value.field == "timezone"


# --- instants ----------------------------------------------------------------------------


class NoOffset(tzinfo):
    def utcoffset(self, dt):
        return None


def test_instants_must_be_tz_aware():
    with pytest.raises(InvalidValue) as refused:
        check_instant(datetime(2020, 12, 3, 9, 30), "starts_at")
    assert refused.value.field == "starts_at"
    with pytest.raises(InvalidValue):
        check_instant(datetime(2020, 12, 3, 9, 30, tzinfo=NoOffset()), "starts_at")
    with pytest.raises(InvalidValue):
        check_instant(date(2020, 12, 3), "starts_at")
    with pytest.raises(InvalidValue):
        check_instant("2020-12-03T09:30:00+01:00", "starts_at")


def test_aware_instants_keep_their_offset_and_convert_to_utc():
    rome = datetime(2020, 12, 3, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    assert check_instant(rome, "starts_at") is rome
    assert utc(rome) == datetime(2020, 12, 3, 8, 30, tzinfo=UTC)
    assert utc(rome).utcoffset() == timedelta(0)


# --- business dates ----------------------------------------------------------------------


def test_business_dates_are_calendar_dates():
    assert check_date(date(2020, 10, 30), "signed_on") == date(2020, 10, 30)
    for value in (datetime(2020, 10, 30, 12, 0, tzinfo=UTC), "2020-10-30", None, 20201030):
        with pytest.raises(InvalidValue) as refused:
            check_date(value, "signed_on")
        assert refused.value.field == "signed_on"


@pytest.mark.parametrize("value", [date(1899, 12, 31), date(2201, 1, 1), date(1, 1, 1)])
def test_business_dates_lie_in_a_plausible_range(value):
    with pytest.raises(InvalidValue):
        check_date(value, "due_on")


@pytest.mark.parametrize("value", [date(1900, 1, 1), date(2200, 12, 31)])
def test_business_date_range_is_inclusive(value):
    assert check_date(value, "due_on") == value


# --- text --------------------------------------------------------------------------------


def test_names_up_to_200_characters_are_kept():
    assert check_name("A" * MAX_NAME) == "A" * 200
    assert check_name("柳" * 200) == "柳" * 200, "the limit counts characters, not bytes"
    with pytest.raises(InvalidValue) as refused:
        check_name("A" * 201, "title")
    assert refused.value.field == "title"


def test_descriptions_up_to_10000_characters_are_kept():
    assert len(check_text("x" * MAX_TEXT, "description")) == 10_000
    with pytest.raises(InvalidValue) as refused:
        check_text("x" * 10_001, "description")
    assert refused.value.field == "description"


def test_text_is_trimmed_before_it_is_measured():
    assert check_name("  Chengdu  ") == "Chengdu"
    assert check_name(" " * 50 + "A" * 200 + " " * 50) == "A" * 200


@pytest.mark.parametrize(
    "name", ["柳州", "Málaga", "Reggio nell'Emilia", "Zürich", "Łódź", "서울", "Αθήνα", "🏙 Smart City"]
)
def test_unicode_names_are_kept_intact(name):
    assert check_name(name) == name


def test_unicode_names_survive_the_city_aggregate(people):
    liuzhou = people.programme.register_city(
        people.facilitator, "Liuzhou", "CN", "Asia/Shanghai", local_name="柳州"
    ).aggregate
    malaga = people.programme.register_city(people.facilitator, "Málaga", "ES", "Europe/Madrid").aggregate
    assert people.programme.load(City, liuzhou.id).local_name == "柳州"
    assert people.programme.load(City, malaga.id).name == "Málaga"


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9b"])
def test_control_characters_are_refused(control):
    with pytest.raises(InvalidValue) as refused:
        check_text(f"before{control}after", "description")
    assert "control" in refused.value.message
    with pytest.raises(InvalidValue):
        check_name(f"Ro{control}me", "name")


def test_descriptions_may_span_lines_but_names_may_not():
    assert check_text("line one\nline two\r\n\tindented", "description") == "line one\nline two\r\n\tindented"
    for bad in ("Rome\nItaly", "Rome\tItaly", "Rome\rItaly"):
        with pytest.raises(InvalidValue):
            check_name(bad)


@pytest.mark.parametrize("value", ["", "   ", None, 42, ["Rome"]])
def test_a_required_name_must_be_present_text(value):
    with pytest.raises(InvalidValue) as refused:
        check_name(value, "title")
    assert refused.value.field == "title"


def test_optional_text_may_be_absent():
    assert check_text(None, "description") is None


def test_stakeholder_kinds_are_the_triple_helix():
    assert [check_stakeholder_kind(k) for k in ("public", "private", "research")] == ["public", "private", "research"]
    for bad in ("Public", "ngo", ""):
        with pytest.raises(InvalidValue):
            check_stakeholder_kind(bad)


# --- working hours -----------------------------------------------------------------------


def test_working_hours_default_to_weekdays_nine_to_six():
    assert check_working_hours({}) == {"start": "09:00", "end": "18:00", "days": [0, 1, 2, 3, 4]}
    assert check_working_hours(None) is None


def test_working_hours_are_normalised():
    assert check_working_hours({"start": "08:00", "end": "16:30", "days": [2, 0, 2, 6]}) == {
        "start": "08:00",
        "end": "16:30",
        "days": [0, 2, 6],
    }


@pytest.mark.parametrize(
    ("hours", "field"),
    [
        ({"start": "9:00"}, "working_hours.start"),
        ({"start": "24:00"}, "working_hours.start"),
        ({"end": "18:60"}, "working_hours.end"),
        ({"end": 18}, "working_hours.end"),
        ({"start": "18:00", "end": "09:00"}, "working_hours"),
        ({"start": "09:00", "end": "09:00"}, "working_hours"),
        ({"days": []}, "working_hours.days"),
        ({"days": [7]}, "working_hours.days"),
        ({"days": [-1]}, "working_hours.days"),
        ({"days": "0-4"}, "working_hours.days"),
        ({"days": [True]}, "working_hours.days"),
        ({"days": [1.0]}, "working_hours.days"),
        ({"lunch": "12:00"}, "working_hours"),
        ("09:00-18:00", "working_hours"),
    ],
)
def test_malformed_working_hours_are_refused(hours, field):
    with pytest.raises(InvalidValue) as refused:
        check_working_hours(hours)
    assert refused.value.field == field
