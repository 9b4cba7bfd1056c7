"""The calendar pages: a facilitator finds a slot Rome and Yantai share and schedules a session; the
calendar shows it on Rome's and Yantai's clocks; refusals, stale forms and other roles' limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import unquote

import pytest

from tests.api.pages_support import Browser


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request):
    """Read-your-writes and stale forms are store behaviour: these pages run on both stores."""
    return request.getfixturevalue(f"{request.param}_url")


def slot_finder(browser, api, **extra):
    return browser.get(
        "/meetings/new",
        find="1",
        city_ids=[api.city("rome"), api.city("yantai")],
        duration_minutes="60",
        **{"from": "2030-03-04", "days": "1", **extra},
    )


def test_the_slot_finder_answers_the_apis_slots(api, projector):
    facilitator = Browser(api, "facilitator")
    page = slot_finder(facilitator, api)
    assert page.status == 200, page.text[:1500]
    from_api = api.get(
        "facilitator",
        "/api/v1/meetings/slots",
        query_string={
            "city_ids": f"{api.city('rome')},{api.city('yantai')}",
            "duration_minutes": 60,
            "from": "2030-03-04T00:00:00+00:00",
            "to": "2030-03-05T00:00:00+00:00",
        },
    ).get_json()["items"]
    shown = [unquote(s) for s in re.findall(r"starts_at=([0-9A-Za-z:%+\-]+)", page.html)]
    assert [datetime.fromisoformat(s) for s in shown] == [
        datetime.fromisoformat(s["starts_at"].replace("Z", "+00:00")) for s in from_api
    ]
    assert len(from_api) == 3  # 08:00, 08:30 and 09:00 UTC: Rome's morning is Yantai's afternoon
    assert "Rome: Mar 4, 2030, 9:00 AM" in page.text and "Yantai: Mar 4, 2030, 4:00 PM" in page.text


def test_a_facilitator_schedules_a_slot_and_the_calendar_shows_both_local_times(api, projector):
    facilitator = Browser(api, "facilitator")
    finder = slot_finder(facilitator, api)
    chosen = re.search(r'href="(/meetings/new\?[^"]+)#schedule-heading"', finder.html).group(1).replace("&amp;", "&")
    form = facilitator.get(chosen)
    assert form.value_of("schedule", "starts_local") == "2030-03-04T08:00"  # the facilitator reads UTC
    page = facilitator.post(
        "/meetings",
        {
            "title": "Urban farming kick-off",
            "kind": "online",
            "starts_local": form.value_of("schedule", "starts_local"),
            "zone": "UTC",
            "duration_minutes": "60",
            "invited_city_ids": [api.city("rome"), api.city("yantai")],
        },
    )
    assert page.status == 200, page.text[:1500]
    assert re.match(r"^/meetings/[0-9a-f-]{36}\?after=\d+$", page.redirected_to)
    assert "Rome: Mar 4, 2030, 9:00 AM" in page.text and "Yantai: Mar 4, 2030, 4:00 PM" in page.text

    week = facilitator.get("/meetings", view="week", week="2030-03-04")
    monday = week.html[week.html.index('id="day-1"') : week.html.index('id="day-2"')]
    assert "Urban farming kick-off" in monday
    assert "Rome: Mar 4, 2030, 9:00 AM" in week.text and "Yantai: Mar 4, 2030, 4:00 PM" in week.text

    rome = Browser(api, "rome")
    listed = rome.get("/meetings")
    assert "Urban farming kick-off" in listed.text
    assert "Central European" in listed.text  # Rome's officer reads the start on Rome's clock


def test_a_start_in_the_past_is_refused_next_to_the_field_and_the_form_kept(api, projector):
    facilitator = Browser(api, "facilitator")
    facilitator.get("/meetings/new")
    page = facilitator.post(
        "/meetings",
        {
            "title": "Too late",
            "kind": "webinar",
            "starts_local": "2020-03-04T09:00",
            "zone": "Europe/Rome",
            "duration_minutes": "60",
            "invited_city_ids": [api.city("rome")],
        },
    )
    assert page.status == 422
    assert page.error_next_to("schedule", "starts_local")
    assert page.value_of("schedule", "title") == "Too late"
    assert page.value_of("schedule", "starts_local") == "2020-03-04T09:00"


def test_a_time_the_clocks_skip_is_refused_by_name(api, projector):
    facilitator = Browser(api, "facilitator")
    facilitator.get("/meetings/new")
    page = facilitator.post(
        "/meetings",
        {
            "title": "Spring forward",
            "kind": "online",
            "starts_local": "2030-03-31T02:30",
            "zone": "Europe/Rome",
            "duration_minutes": "60",
            "invited_city_ids": [api.city("rome")],
        },
    )
    assert page.status == 422
    assert "does not exist in Europe/Rome" in page.error_next_to("schedule", "starts_local")
    assert api.get("facilitator", "/api/v1/meetings").get_json()["items"] == []


def test_a_time_the_clocks_repeat_is_refused_by_name(api, projector):
    meeting = api.schedule()
    facilitator = Browser(api, "facilitator")
    page = facilitator.get(f"/meetings/{meeting['id']}")
    refused = facilitator.post(
        f"/meetings/{meeting['id']}/reschedule",
        {"starts_local": "2030-10-27T02:30", "zone": "Europe/Rome", "version": str(page.version())},
    )
    assert refused.status == 422
    assert "happens twice in Europe/Rome" in refused.error_next_to("move", "starts_local")
    assert refused.value_of("move", "starts_local") == "2030-10-27T02:30"
    moved = facilitator.post(
        f"/meetings/{meeting['id']}/reschedule",
        {"starts_local": "2030-10-27T03:30", "zone": "Europe/Rome", "version": str(page.version())},
    )
    assert moved.status == 200
    starts = api.get("facilitator", f"/api/v1/meetings/{meeting['id']}").get_json()["starts_at"]
    assert datetime.fromisoformat(starts) == datetime(2030, 10, 27, 2, 30, tzinfo=UTC)  # 03:30 in Rome, clocks back


def test_moving_a_session_with_a_stale_form_says_so(api, projector):
    meeting = api.schedule()
    facilitator = Browser(api, "facilitator")
    page = facilitator.get(f"/meetings/{meeting['id']}")
    version = page.version()
    moved = api.post(
        "facilitator", f"/api/v1/meetings/{meeting['id']}/reschedule", {"starts_at": "2030-03-05T09:00:00+01:00"}
    )
    assert moved.status_code == 200
    page = facilitator.post(
        f"/meetings/{meeting['id']}/cancel", {"reason": "The mayor cannot come", "version": str(version)}
    )
    assert page.status == 412
    assert "Someone else changed this" in page.text
    assert "Mar 5, 2030" in page.text  # the new state: the session now starts on 5 March
    assert page.value_of("cancel", "reason") == "The mayor cannot come"
    assert api.get("facilitator", f"/api/v1/meetings/{meeting['id']}").get_json()["status"] == "scheduled"


def test_an_outcome_before_the_start_is_refused_and_a_cancel_goes_through(api, projector):
    meeting = api.schedule()
    facilitator = Browser(api, "facilitator")
    page = facilitator.get(f"/meetings/{meeting['id']}")
    refused = facilitator.post(
        f"/meetings/{meeting['id']}/outcome",
        {
            "attendance": "12",
            "summary": "Good",
            "attended_city_ids": [api.city("rome")],
            "version": str(page.version()),
        },
    )
    assert refused.status == 409
    assert refused.error_next_to("outcome", "attendance")
    assert refused.value_of("outcome", "summary") == "Good"
    cancelled = facilitator.post(
        f"/meetings/{meeting['id']}/cancel", {"reason": "Moved online", "version": str(refused.version())}
    )
    assert cancelled.status == 200 and "Cancelled: Moved online" in cancelled.text


def test_officers_cannot_schedule_or_cancel(api, projector):
    meeting = api.schedule()
    rome = Browser(api, "rome")
    page = rome.get(f"/meetings/{meeting['id']}")
    assert page.status == 200 and "Cancel the session" not in page.text
    assert rome.get("/meetings/new").status == 403
    refused = rome.post(f"/meetings/{meeting['id']}/cancel", {"reason": "no"})
    assert refused.status == 403
    assert api.get("rome", f"/api/v1/meetings/{meeting['id']}").get_json()["status"] == "scheduled"


def test_the_calendar_in_chinese(api, projector):
    api.schedule()
    yantai = Browser(api, "yantai", language="zh-Hans")
    page = yantai.get("/meetings", view="week", week="2030-03-04")
    assert page.status == 200
    assert "日程" in page.text and "2030年3月4日" in page.text
    assert datetime.now(UTC).year < 2030
