"""Common working-hours slots of Rome and Yantai, in winter and in summer (Rome on DST)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.api.conftest import assert_problem

ROME, SHANGHAI = ZoneInfo("Europe/Rome"), ZoneInfo("Asia/Shanghai")


def _slots(api, *, start, end, duration=60, cities=("rome", "yantai")):
    response = api.get(
        "rome",
        "/api/v1/meetings/slots",
        query_string={
            "city_ids": ",".join(api.city(c) for c in cities),
            "duration_minutes": duration,
            "from": start,
            "to": end,
        },
    )
    assert response.status_code == 200, response.get_json()
    return [
        (datetime.fromisoformat(s["starts_at"]), datetime.fromisoformat(s["ends_at"]))
        for s in response.get_json()["items"]
    ]


def _inside_working_hours(start: datetime, end: datetime, zone: ZoneInfo) -> bool:
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return (
        local_start.date() == local_end.date()
        and local_start.weekday() < 5
        and time(9) <= local_start.time()
        and local_end.time() <= time(18)
    )


@pytest.mark.parametrize(
    "week, rome_offset, last_start",
    [
        # Rome UTC+1, Shanghai UTC+8: 09:00-11:00 Rome overlaps 16:00-18:00 Yantai
        ("2030-01-07", 1, time(10, 0)),
        # Rome UTC+2 (DST): 09:00-12:00 Rome overlaps 15:00-18:00 Yantai
        ("2030-07-08", 2, time(11, 0)),
    ],
)
def test_rome_and_yantai_share_only_their_morning_afternoon_overlap(api, week, rome_offset, last_start):
    monday = datetime.fromisoformat(week)
    slots = _slots(api, start=f"{week}T00:00:00Z", end=(monday + timedelta(days=7)).strftime("%Y-%m-%dT00:00:00Z"))
    assert slots, "there is a common window every working day"
    for start, end in slots:
        assert end - start == timedelta(minutes=60)
        assert _inside_working_hours(start, end, ROME), start
        assert _inside_working_hours(start, end, SHANGHAI), start
    local_starts = [s.astimezone(ROME) for s, _ in slots]
    assert {s.weekday() for s in local_starts} == {0, 1, 2, 3, 4}
    assert min(s.time() for s in local_starts) == time(9, 0)
    assert max(s.time() for s in local_starts) == last_start
    assert all(s.utcoffset() == timedelta(hours=rome_offset) for s in local_starts)
    per_day = len(slots) // 5
    assert per_day == (3 if rome_offset == 1 else 5)  # 09:00, 09:30, 10:00 in winter; to 11:00 in summer


def test_slots_follow_a_city_working_hours_profile(api):
    api.patch(
        "yantai",
        f"/api/v1/cities/{api.city('yantai')}",
        {"working_hours": {"start": "08:00", "end": "17:00", "days": [0, 1, 2, 3, 4, 5]}},
    )
    slots = _slots(api, start="2030-01-07T00:00:00Z", end="2030-01-14T00:00:00Z", duration=30)
    for start, end in slots:
        local = start.astimezone(SHANGHAI), end.astimezone(SHANGHAI)
        assert time(8) <= local[0].time() and local[1].time() <= time(17)
        assert _inside_working_hours(start, end, ROME)
    # Yantai ends at 17:00 (10:00 Rome in winter): the last 30-minute slot starts 09:30 Rome
    assert max(s.astimezone(ROME).time() for s, _ in slots) == time(9, 30)


def test_slots_are_bounded_and_checked(api):
    ids = f"{api.city('rome')},{api.city('yantai')}"
    base = {"city_ids": ids, "from": "2030-01-01T00:00:00Z"}
    assert_problem(api.get("rome", "/api/v1/meetings/slots", query_string={**base, "to": "2030-03-01T00:00:00Z"}), 422)
    assert_problem(api.get("rome", "/api/v1/meetings/slots", query_string={**base, "to": "2029-12-01T00:00:00Z"}), 422)
    assert_problem(api.get("rome", "/api/v1/meetings/slots", query_string={**base, "duration_minutes": 5}), 422)
    unknown = api.get("rome", "/api/v1/meetings/slots", query_string={"city_ids": "nope"})
    assert assert_problem(unknown, 422)["errors"][0]["field"] == "city_ids"
    assert_problem(api.get("rome", "/api/v1/meetings/slots", query_string={"city_ids": " , "}), 422)
    assert_problem(api.get("rome", "/api/v1/meetings/slots"), 422)
    # default range: the coming week
    assert api.get("rome", "/api/v1/meetings/slots", query_string={"city_ids": ids}).status_code == 200
