"""Links a browser or calendar may open, and the time zones each country uses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import InvalidValue
from domain.model.meeting import Meeting
from domain.values import check_url, is_web_link
from domain.zones import check_zone_of_country, zone_used_in
from workers.calendar import meeting_ics

GLOBAL_EVENT = datetime(2020, 12, 3, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize("link", ["https://meet.example/rome-yantai", "http://10.0.0.7:8080/room?id=4", "HTTPS://x.cn"])
def test_http_and_https_links_are_accepted(link):
    assert check_url(link) == link


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://files.example/agenda.pdf",
        "https://",
        "https:///path-only",
        "//meet.example/no-scheme",
        "https://meet.example/a b",
        "http://[::1",
    ],
)
def test_other_links_are_refused_naming_the_field(link):
    with pytest.raises(InvalidValue) as refused:
        check_url(link, "url")
    assert refused.value.field == "url"


def test_a_stored_script_link_never_reaches_the_calendar():
    """Sessions stored before links were checked may hold one: the .ics leaves it out."""
    for link, shown in (("javascript:alert(1)", False), ("https://meet.example/global-event", True)):
        meeting = Meeting.schedule("Global event", "online", GLOBAL_EVENT, 90, ["rome"], "user", GLOBAL_EVENT, url=link)
        assert is_web_link(link) is shown
        assert (b"URL:" in meeting_ics(meeting)) is shown


@pytest.mark.parametrize(
    ("country", "zone"),
    [
        ("CN", "Asia/Shanghai"),
        ("CN", "Asia/Urumqi"),
        ("CN", "Asia/Chongqing"),  # a link to Asia/Shanghai
        ("IT", "Europe/Rome"),
        ("VA", "Europe/Vatican"),
        ("SM", "Europe/Rome"),
        ("ES", "Atlantic/Canary"),
        ("DE", "Europe/Berlin"),
    ],
)
def test_a_zone_used_in_the_country_is_accepted(country, zone):
    assert zone_used_in(country, zone)
    assert check_zone_of_country(country, zone) == zone


@pytest.mark.parametrize(
    ("country", "zone"), [("CN", "Europe/Rome"), ("IT", "Asia/Shanghai"), ("DE", "UTC"), ("ES", "Europe/Paris")]
)
def test_a_zone_of_another_country_is_refused_naming_the_time_zone(country, zone):
    with pytest.raises(InvalidValue) as refused:
        check_zone_of_country(country, zone)
    assert refused.value.field == "timezone"
