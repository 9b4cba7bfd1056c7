"""The document's patterns never promise what the domain refuses (a schema-valid value is stored).

The web layer enforces the patterns itself, so where a pattern is stricter (a trailing NEL or
carriage return that the domain would strip) the API refuses it consistently, as documented."""

from __future__ import annotations

import re

import pytest

from domain.application.users import EMAIL_PATTERN as DOMAIN_EMAIL
from domain.application.users import check_email
from domain.errors import InvalidValue
from domain.limits import MAX_YEAR, MIN_YEAR
from domain.values import check_name, check_text
from web.schemas.fields import NAME_PATTERN, REQUIRED_TEXT_PATTERN, TEXT_PATTERN, YEARS, _numbers_between

SAMPLES = [
    "Rome",
    "柳州",
    "Málaga",
    " Yantai ",
    "",
    "   ",
    "\u3000",
    "Rome\nYantai",
    "Rome\tYantai",
    "Rome\x00",
    "Rome\x85",
    "Ro\u202eme",
    "Ro\u200bme",
    "\ufeffRome",
    "Mannheim\u00a0",
    "a\r",
    "\x7f",
]


def _accepted(check, value: str) -> bool:
    try:
        check(value)
    except InvalidValue:
        return False
    return True


def test_the_plainly_bad_are_refused_by_both():
    for value in ("", "   ", "Rome\nYantai", "Rome\x00", "Ro\u202eme", "\ufeffRome"):
        assert not re.fullmatch(NAME_PATTERN.strip("^$"), value) and not _accepted(check_name, value), repr(value)
    for value in ("Rome", "柳州", " Yantai ", "Málaga"):
        assert re.fullmatch(NAME_PATTERN.strip("^$"), value) and _accepted(check_name, value), value


@pytest.mark.parametrize("value", SAMPLES)
def test_a_name_passes_the_pattern_exactly_when_the_domain_takes_it(value):
    assert bool(re.fullmatch(NAME_PATTERN.strip("^$"), value)) <= _accepted(check_name, value), repr(value)


@pytest.mark.parametrize("value", SAMPLES)
def test_text_passes_the_patterns_exactly_when_the_domain_takes_it(value):
    optional = _accepted(lambda v: check_text(v, "description"), value)
    assert bool(re.fullmatch(TEXT_PATTERN.strip("^$"), value)) <= optional, repr(value)
    required = _accepted(lambda v: check_text(v, "summary", required=True), value)
    assert bool(re.fullmatch(REQUIRED_TEXT_PATTERN.strip("^$"), value)) <= required, repr(value)


@pytest.mark.parametrize("value", ["f@iuc.example", "@iuc.example", "f@iuc", "f @iuc.example", "f@iu@c.example"])
def test_an_email_passes_the_pattern_exactly_when_the_domain_takes_it(value):
    assert bool(re.fullmatch(DOMAIN_EMAIL.strip("^$"), value)) == _accepted(check_email, value), value


def test_the_year_pattern_holds_exactly_the_programme_years():
    years = re.compile(f"^{YEARS}$")
    assert [y for y in range(1000, 10000) if years.match(str(y))] == list(range(MIN_YEAR, MAX_YEAR + 1))
    odd = re.compile(f"^(?:{_numbers_between(1995, 2013)})$")
    assert [y for y in range(1000, 10000) if odd.match(str(y))] == list(range(1995, 2014))
