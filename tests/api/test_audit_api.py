"""The audit log, verification, exports and as-of reports over HTTP (SQLite store, Flask test client)."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import UTC, datetime

import pytest

from tests.api.conftest import assert_problem

AUDIT_READS = ["/api/v1/audit/events", "/api/v1/audit/verify", "/api/v1/audit/head"]
EXPORTS = [
    f"/api/v1/exports/{kind}.{fmt}"
    for kind in ("partnerships", "meetings", "agreements", "projects", "audit")
    for fmt in ("csv", "json")
]


def _city(api, name: str, country: str, tz: str, local_name: str | None = None) -> str:
    body = {"name": name, "country": country, "timezone": tz, "themes_offered": ["urban-agriculture"]}
    if local_name:
        body["local_name"] = local_name
    response = api.post("facilitator", "/api/v1/cities", body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _csv_rows(response) -> list[dict]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode()), raw[:20]  # the BOM spreadsheet programs need for UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


# -- who may read ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", AUDIT_READS + EXPORTS)
def test_only_auditors_and_admins_read_the_audit_and_exports(api, path):
    for who in ("rome", "facilitator"):
        assert_problem(api.get(who, path), 403, "forbidden")
    assert_problem(api.get(None, path), 401)
    for who in ("auditor", "admin"):
        response = api.get(who, path)
        body = response.get_data(as_text=True)  # read a streamed export to its end
        assert response.status_code == 200, (who, path, body[:300])


def test_an_auditor_writes_nothing(api):
    partnership = api.propose()
    writes = [
        ("/api/v1/cities", {"name": "Liuzhou", "country": "CN", "timezone": "Asia/Shanghai"}),
        (
            "/api/v1/partnerships",
            {"title": "P", "proposer_city_id": api.city("rome"), "invited_city_ids": [api.city("yantai")]},
        ),
        (f"/api/v1/partnerships/{partnership['id']}/accept", {"city_id": api.city("yantai")}),
        (
            "/api/v1/meetings",
            {
                "title": "M",
                "kind": "online",
                "starts_at": "2030-03-04T09:00:00+01:00",
                "duration_minutes": 60,
                "invited_city_ids": [api.city("rome")],
            },
        ),
        (
            "/api/v1/agreements",
            {
                "title": "A",
                "kind": "mou",
                "parties": [{"name": "X", "city_id": api.city("rome")}, {"name": "Y", "city_id": api.city("yantai")}],
            },
        ),
        ("/api/v1/users", {"name": "N", "email": "n@example.org", "role": "officer", "city_id": api.city("rome")}),
    ]
    for path, body in writes:
        assert_problem(api.post("auditor", path, body), 403, "forbidden")


# -- the audit log -----------------------------------------------------------------------------------


def test_the_audit_log_pages_through_every_event_in_order_with_its_hash(api):
    api.active_partnership()
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        body = api.get("auditor", "/api/v1/audit/events", query_string=query).get_json()
        assert len(body["items"]) <= 7
        seen.extend(body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    head = api.get("auditor", "/api/v1/audit/head").get_json()
    positions = [e["position"] for e in seen]
    assert positions == list(range(1, head["position"] + 1)) and pages == -(-len(seen) // 7)
    assert all(e["hash"] and len(e["hash"]) == 64 for e in seen)
    assert seen[-1]["hash"] == head["hash"] and head["value"] == f"{head['position']}:{head['hash']}"

    proposed = next(e for e in seen if e["type"] == "PartnershipProposed")
    assert proposed["aggregate_type"] == "Partnership" and proposed["version"] == 1
    assert proposed["actor"] == api.user_ids["rome"]
    assert proposed["data"]["proposer_city_id"] == api.city("rome")
    assert datetime.fromisoformat(proposed["recorded_at"]).utcoffset().total_seconds() == 0
    assert not any("token_hash" in e["data"] or "token_hashes" in e["data"] for e in seen)

    after = api.get("admin", "/api/v1/audit/events", query_string={"after": positions[-3], "limit": 50}).get_json()
    assert [e["position"] for e in after["items"]] == positions[-2:] and after["next_cursor"] is None
    assert_problem(api.get("auditor", "/api/v1/audit/events", query_string={"cursor": "nonsense"}), 400)
    assert_problem(api.get("auditor", "/api/v1/audit/events", query_string={"limit": 0}), 422)


def test_verify_answers_ok_and_proves_a_kept_head(api):
    kept = api.get("auditor", "/api/v1/audit/head").get_json()["value"]
    api.propose()
    body = api.get("auditor", "/api/v1/audit/verify").get_json()
    assert body["ok"] is True and body["first_bad"] is None and body["unchained"] == 0
    assert body["events_checked"] == body["head"]["position"] > int(kept.split(":")[0])
    anchored = api.get("admin", "/api/v1/audit/verify", query_string={"head": kept}).get_json()
    assert anchored["ok"] and anchored["anchor"]["matches"] is True
    forged = kept.split(":")[0] + ":" + "0" * 64
    failed = api.get("auditor", "/api/v1/audit/verify", query_string={"head": forged}).get_json()
    assert failed["ok"] is False and failed["anchor"]["matches"] is False
    assert failed["first_bad"]["position"] == int(kept.split(":")[0])
    assert_problem(api.get("auditor", "/api/v1/audit/verify", query_string={"head": "12:abc"}), 422)


# -- exports ---------------------------------------------------------------------------------------------


def test_exports_keep_chinese_and_accented_names_intact(api, projector):
    liuzhou = _city(api, "Liuzhou", "CN", "Asia/Shanghai", local_name="柳州")
    malaga = _city(api, "Málaga", "ES", "Europe/Madrid")
    title = "柳州 – Málaga: 城市农业 (urban agriculture)"
    response = api.post(
        "facilitator",
        "/api/v1/partnerships",
        {
            "title": title,
            "proposer_city_id": malaga,
            "invited_city_ids": [liuzhou],
            "themes": ["urban-agriculture"],
            "description": '=HYPERLINK("http://evil")',
        },
    )
    assert response.status_code == 201
    pid = response.get_json()["id"]
    response = api.post(
        "rome",
        "/api/v1/partnerships",
        {"title": "Rome with Yantai", "proposer_city_id": api.city("rome"), "invited_city_ids": [api.city("yantai")]},
    )
    other, position = response.get_json(), response.headers["X-Log-Position"]

    exported = api.get("auditor", "/api/v1/exports/partnerships.csv", query_string={"after": position})
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert exported.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="partnerships.csv"' in exported.headers["Content-Disposition"]
    rows = {row["id"]: row for row in _csv_rows(exported)}
    assert set(rows) == {pid, other["id"]}
    row = rows[pid]
    assert row["title"] == title and row["proposer"] == "Málaga" and row["invited (answer)"] == "Liuzhou (pending)"
    assert row["status"] == "proposed" and row["themes"] == "urban-agriculture"
    assert row["description"] == '\'=HYPERLINK("http://evil")'  # shown, never run as a formula

    document = api.get("admin", "/api/v1/exports/partnerships.json").get_json()
    assert document["export"] == "partnerships" and document["position"] >= int(position)
    items = {p["id"]: p for p in document["items"]}
    assert items[pid]["title"] == title and items[pid]["proposer_name"] == "Málaga"
    assert "柳州".encode() in api.get("admin", "/api/v1/exports/audit.json").get_data()  # raw UTF-8, not \\u escapes

    audit_rows = _csv_rows(api.get("auditor", "/api/v1/exports/audit.csv"))
    liuzhou_registered = next(r for r in audit_rows if r["type"] == "CityRegistered" and r["aggregate_id"] == liuzhou)
    assert json.loads(liuzhou_registered["data"])["local_name"] == "柳州"
    assert [int(r["position"]) for r in audit_rows] == list(range(1, len(audit_rows) + 1))
    assert all(len(r["hash"]) == 64 for r in audit_rows)


def test_exports_of_sessions_agreements_and_projects_hold_the_right_rows(api, projector):
    partnership = api.active_partnership()
    meeting = api.schedule()
    agreement = api.draft()
    project = api.launch(partnership["id"])
    response = api.post(
        "rome",
        f"/api/v1/projects/{project['id']}/milestones",
        {"title": "Faculty founded", "due_on": "2031-01-01", "milestone_id": "m1"},
    )
    after = response.headers["X-Log-Position"]

    meetings = _csv_rows(api.get("auditor", "/api/v1/exports/meetings.csv", query_string={"after": after}))
    assert [(r["id"], r["status"], r["invited_cities"]) for r in meetings] == [
        (meeting["id"], "scheduled", "Rome; Yantai")
    ]
    agreements = _csv_rows(api.get("auditor", "/api/v1/exports/agreements.csv"))
    assert [(r["id"], r["kind"], r["parties"]) for r in agreements] == [
        (agreement["id"], "mou", "Yantai University; Tuscia University")
    ]
    projects = _csv_rows(api.get("auditor", "/api/v1/exports/projects.csv"))
    assert [(r["id"], r["cities"], r["milestones_planned"]) for r in projects] == [(project["id"], "Rome; Yantai", "1")]
    for kind, expected in (("meetings", meeting["id"]), ("agreements", agreement["id"]), ("projects", project["id"])):
        document = api.get("admin", f"/api/v1/exports/{kind}.json").get_json()
        assert [item["id"] for item in document["items"]] == [expected]


# -- reports as recorded by an instant ------------------------------------------------------------------


def test_reports_as_of_an_instant_are_rebuilt_from_the_log(api, projector):
    first = api.active_partnership()
    project = api.launch(first["id"])
    time.sleep(0.01)
    between = datetime.now(UTC)
    time.sleep(0.01)
    api.propose("barcelona", ("chengdu",))
    response = api.post("rome", f"/api/v1/projects/{project['id']}/complete", {"summary": "Faculty founded"})
    after = response.headers["X-Log-Position"]

    now = api.get("auditor", "/api/v1/reports/dashboard", query_string={"after": after}).get_json()
    assert now["partnerships"]["total"] == 2 and now["projects"]["by_status"] == {"completed": 1}

    then = api.get("rome", "/api/v1/reports/dashboard", query_string={"as_of": between.isoformat()})
    assert then.status_code == 200, then.get_json()
    body = then.get_json()
    assert body["partnerships"]["total"] == 1 and body["partnerships"]["by_status"] == {"active": 1}
    assert body["projects"]["by_status"] == {"active": 1}
    assert body["as_of"] == between.date().isoformat()
    assert int(then.headers["X-View-Position"]) < int(after)

    review = api.get("auditor", "/api/v1/reports/progress-review", query_string={"as_of": between.isoformat()})
    assert [(i["project_id"], i["status"]) for i in review.get_json()["items"]] == [(project["id"], "active")]
    current = api.get("auditor", "/api/v1/reports/progress-review", query_string={"after": after}).get_json()
    assert [(i["project_id"], i["status"]) for i in current["items"]] == [(project["id"], "completed")]

    before_anything = api.get("auditor", "/api/v1/reports/dashboard", query_string={"as_of": "2001-01-01T00:00:00Z"})
    assert before_anything.get_json()["cities"]["total"] == 0
    # A date keeps its meaning: the programme as known now, milestones evaluated on that date.
    dated = api.get("auditor", "/api/v1/reports/dashboard", query_string={"as_of": "2001-01-01", "after": after})
    assert dated.get_json()["partnerships"]["total"] == 2
    assert_problem(api.get("auditor", "/api/v1/reports/dashboard", query_string={"as_of": "yesterday"}), 422)
