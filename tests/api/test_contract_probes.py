"""What the first probes of the API broke (issue 12): each answer is now the programme's own rule."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from tests.api.conftest import ADMIN_TOKEN, assert_problem, make_settings
from web.app import close_app, create_app
from web.openapi import OPERATION_IDS

MEETINGS = "/api/v1/meetings"


def field_of(problem: dict) -> str:
    return problem["errors"][0]["field"]


def session_body(api, starts_at: datetime, **extra) -> dict:
    return {
        "title": "Rome–Yantai kick-off",
        "kind": "online",
        "starts_at": starts_at.isoformat(),
        "duration_minutes": 90,
        "invited_city_ids": [api.city("rome"), api.city("yantai")],
        **extra,
    }


# -- sessions in the past ----------------------------------------------------------------------


def test_a_session_two_days_ago_cannot_be_scheduled(api):
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    problem = assert_problem(api.post("facilitator", MEETINGS, session_body(api, two_days_ago)), 422)
    assert field_of(problem) == "starts_at"
    assert api.get("facilitator", MEETINGS).get_json()["items"] == []


def test_a_session_cannot_be_moved_into_the_past(api):
    meeting = api.schedule()
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    problem = assert_problem(
        api.post("facilitator", f"{MEETINGS}/{meeting['id']}/reschedule", {"starts_at": yesterday}), 422
    )
    assert field_of(problem) == "starts_at"
    assert api.get("facilitator", f"{MEETINGS}/{meeting['id']}").get_json()["starts_at"] == meeting["starts_at"]


def test_a_session_that_happened_is_recorded_as_held_after_the_fact(api):
    global_event = datetime(2020, 12, 3, 9, 30, tzinfo=UTC)
    body = session_body(
        api, global_event, attendance=166, summary="4th Global Event", attended_city_ids=[api.city("rome")]
    )
    response = api.post("facilitator", f"{MEETINGS}/held", body)
    assert response.status_code == 201, response.get_json()
    held = response.get_json()
    assert (held["status"], held["recorded_after_the_fact"], held["outcome"]["no_show_city_ids"]) == (
        "held",
        True,
        [api.city("yantai")],
    )
    assert api.schedule()["recorded_after_the_fact"] is False


def test_only_staff_record_a_past_session_and_only_once_it_has_ended(api):
    body = session_body(api, datetime(2020, 12, 3, 9, 30, tzinfo=UTC), attendance=5, summary="held")
    assert_problem(api.post("rome", f"{MEETINGS}/held", body), 403)
    running = session_body(api, datetime.now(UTC) - timedelta(minutes=30), attendance=5, summary="still going")
    assert field_of(assert_problem(api.post("facilitator", f"{MEETINGS}/held", running), 422)) == "starts_at"


# -- links --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "data:text/html,<b>hi</b>", "file:///etc/passwd", "https://", "meet.example/rome"]
)
def test_a_session_link_that_is_not_http_or_https_is_refused(api, link):
    body = session_body(api, datetime(2030, 3, 4, 8, 0, tzinfo=UTC), url=link)
    assert field_of(assert_problem(api.post("facilitator", MEETINGS, body), 422)) == "url"


def test_a_session_link_on_https_reaches_the_calendar(api):
    meeting = api.schedule(url="https://meet.example/rome-yantai")
    ics = api.get("rome", f"{MEETINGS}/{meeting['id']}/ics").get_data(as_text=True)
    assert "URL:https://meet.example/rome-yantai" in ics


# -- time zones of the country ---------------------------------------------------------------


def test_a_chinese_city_on_rome_time_is_refused(api):
    body = {"name": "Liuzhou", "country": "CN", "timezone": "Europe/Rome"}
    assert field_of(assert_problem(api.post("facilitator", "/api/v1/cities", body), 422)) == "timezone"
    moved = api.patch("yantai", f"/api/v1/cities/{api.city('yantai')}", {"timezone": "Europe/Rome"})
    assert field_of(assert_problem(moved, 422)) == "timezone"


@pytest.mark.parametrize(
    ("country", "zone"), [("CN", "Asia/Shanghai"), ("CN", "Asia/Chongqing"), ("VA", "Europe/Rome")]
)
def test_a_city_on_a_zone_of_its_country_is_registered(api, country, zone):
    response = api.post("facilitator", "/api/v1/cities", {"name": "Liuzhou", "country": country, "timezone": zone})
    assert response.status_code == 201, response.get_json()


# -- the last admin ----------------------------------------------------------------------------


def test_the_last_admin_deactivating_itself_or_revoking_its_tokens_is_409(api):
    me = api.user_ids["admin"]
    assert_problem(api.post("admin", f"/api/v1/users/{me}/deactivate"), 409, "last-admin")
    assert_problem(api.post("admin", f"/api/v1/users/{me}/tokens/revoke"), 409, "last-admin")
    assert api.get("admin", "/api/v1/me").status_code == 200


def test_a_server_starts_with_the_token_of_a_deactivated_admin_and_says_so_once(api, database_url, views, caplog):
    issued = api.programme.create_user(
        api.programme.authenticate(ADMIN_TOKEN), "Second admin", "s@iuc.example", "admin"
    )
    second = api.client.post(
        f"/api/v1/users/{api.user_ids['admin']}/deactivate",
        json={},
        headers={"Authorization": f"Bearer {issued.token}"},
    )
    assert second.status_code == 200, second.get_json()
    with caplog.at_level(logging.INFO):
        restarted = create_app(make_settings(database_url), programme=api.programme, views=views)
    try:
        lines = [r.getMessage() for r in caplog.records if "TWINNING_ADMIN_TOKEN" in r.getMessage()]
        assert len(lines) == 1 and "deactivated admin" in lines[0]
        assert not [r for r in caplog.records if r.exc_info]
        me = restarted.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {issued.token}"})
        assert me.status_code == 200
    finally:
        close_app(restarted)


# -- bodies over the limit -------------------------------------------------------------------


@pytest.mark.parametrize("framing", ["chunked", "declared"])
def test_a_body_over_the_limit_is_413_whatever_its_framing_and_records_nothing(api, framing):
    padded = json.dumps({"name": "Viterbo", "country": "IT", "timezone": "Europe/Rome"}).encode() + b" " * (3 << 20)
    headers = api.headers("facilitator", {"Content-Type": "application/json"})
    if framing == "chunked":
        headers["Transfer-Encoding"] = "chunked"
        response = api.client.post("/api/v1/cities", input_stream=io.BytesIO(padded), headers=headers)
    else:
        response = api.client.post("/api/v1/cities", data=padded, headers=headers)
    assert_problem(response, 413, "request-too-large")
    before = api.programme.recorder.max_notification_id()
    small = json.dumps({"name": "Viterbo", "country": "IT", "timezone": "Europe/Rome"}).encode()
    headers["Transfer-Encoding"] = "chunked"
    created = api.client.post("/api/v1/cities", input_stream=io.BytesIO(small), headers=headers)
    assert created.status_code == 201, created.get_json()
    assert api.programme.recorder.max_notification_id() > before


# -- search -----------------------------------------------------------------------------------------


def test_the_directory_finds_malaga_typed_without_its_accent_and_liuzhou_by_its_local_name(api, projector):
    body = {"name": "Málaga", "country": "ES", "timezone": "Europe/Madrid"}
    api.post("facilitator", "/api/v1/cities", body)
    liuzhou = {"name": "Liuzhou", "local_name": "柳州", "country": "CN", "timezone": "Asia/Shanghai"}
    position = api.post("facilitator", "/api/v1/cities", liuzhou).headers["X-Log-Position"]
    for q, expected in (("malaga", ["Málaga"]), ("MALAGA", ["Málaga"]), ("柳州", ["Liuzhou"])):
        found = api.get("rome", "/api/v1/cities", query_string={"q": q, "after": position}).get_json()
        assert [c["name"] for c in found["items"]] == expected, q


# -- one name per fact ------------------------------------------------------------------------------


def test_lists_singles_and_exports_name_each_fact_alike(api, projector):
    partnership = api.active_partnership()
    project = api.launch(partnership["id"])
    meeting = api.schedule(partnership_id=partnership["id"])
    agreement = api.draft()
    position = api.post("facilitator", f"{MEETINGS}/{meeting['id']}/invite", {"city_id": api.city("mannheim")})
    after = {"after": position.headers["X-Log-Position"], "limit": 200}

    def listed(path: str, item_id: str) -> dict:
        items = api.get("auditor", f"/api/v1/{path}", query_string=after).get_json()["items"]
        return next(i for i in items if i["id"] == item_id)

    rome = api.get("rome", f"/api/v1/cities/{api.city('rome')}").get_json()
    singles = {
        "cities": (rome, "registered_at"),
        "partnerships": (api.get("rome", f"/api/v1/partnerships/{partnership['id']}").get_json(), "proposed_at"),
        "agreements": (agreement, "drafted_at"),
        "projects": (project, "launched_at"),
    }
    for path, (single, old_name) in singles.items():
        item = listed(path, single["id"])
        assert item["created_at"] == item[old_name] == single["created_at"], path  # the old name: one more release
    assert listed("partnerships", partnership["id"])["member_city_ids"] == [api.city("rome"), api.city("yantai")]
    moved = api.get("rome", f"{MEETINGS}/{meeting['id']}").get_json()
    assert listed("meetings", meeting["id"])["invited_city_ids"] == moved["invited_city_ids"]
    schemas = api.get(None, "/openapi.json").get_json()["components"]["schemas"]
    city_item = next(s for name, s in schemas.items() if name.split(".")[-1] == "CityListItem")
    assert city_item["properties"]["registered_at"]["deprecated"] is True


# -- small ones ----------------------------------------------------------------------------------


def test_options_answers_allow_with_no_body(api):
    response = api.client.options(f"/api/v1/cities/{api.city('rome')}", headers=api.headers("rome"))
    assert response.status_code == 204
    assert {"GET", "PATCH"} <= {m.strip() for m in response.headers["Allow"].split(",")}
    assert response.get_data() == b"" and "Content-Type" not in response.headers


def test_a_body_with_a_key_twice_is_a_400_and_records_nothing(api):
    before = api.programme.recorder.max_notification_id()
    body = b'{"name": "Viterbo", "name": "Tarquinia", "country": "IT", "timezone": "Europe/Rome"}'
    response = api.client.post(
        "/api/v1/cities", data=body, headers=api.headers("facilitator", {"Content-Type": "application/json"})
    )
    problem = assert_problem(response, 400)
    assert "'name' appears twice" in problem["detail"]
    assert api.programme.recorder.max_notification_id() == before


def test_suggestions_say_they_are_top_k_not_a_page(api, projector):
    spec = api.get(None, "/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/cities/{city_id}/suggestions"]["get"]
    assert "Top-k by design" in operation["description"]
    query = {"limit": 3, "after": api.programme.recorder.max_notification_id()}
    found = api.get("rome", f"/api/v1/cities/{api.city('rome')}/suggestions", query_string=query).get_json()
    assert len(found["items"]) == 3 and found["next_cursor"] is None


def test_every_operation_and_schema_has_one_meaningful_name(api):
    spec = api.get(None, "/openapi.json").get_json()
    ids = [op["operationId"] for ops in spec["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)) and set(ids) <= set(OPERATION_IDS.values())
    assert {"update_city", "accept_invitation", "register_city", "get_city_timeline"} <= set(ids)
    names = set(spec["components"]["schemas"])
    assert not [n for n in names if "." in n] and {"WorkingHours", "JobOut", "Subject", "CityOut"} <= names


def test_same_region_candidates_come_last_as_third_members_only(api, projector):
    """Rome cannot twin with Barcelona alone under the cross-region rule: Asian candidates first."""
    query = {"limit": 50, "after": api.programme.recorder.max_notification_id()}
    found = api.get("rome", f"/api/v1/cities/{api.city('rome')}/suggestions", query_string=query).get_json()["items"]
    europe = {api.city(k) for k in ("mannheim", "barcelona")}
    kinds = ["same" if s["city_id"] in europe else "other" for s in found]
    assert "same" in kinds and "other" in kinds
    assert kinds == sorted(kinds, key=lambda k: k == "same"), kinds  # every other-region candidate first
    for suggestion in found:
        third = any("only as a third member" in reason for reason in suggestion["reasons"])
        assert third == (suggestion["city_id"] in europe), suggestion
    top = api.get("rome", f"/api/v1/cities/{api.city('rome')}/suggestions", query_string={**query, "limit": 2})
    assert all(s["city_id"] not in europe for s in top.get_json()["items"])
