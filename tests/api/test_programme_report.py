"""The funder's report from a small story in IUC Asia: Rome–Yantai write and carry out their UCAP,
Mannheim–Chongqing adopt theirs in one step, Rome proposes to Chongqing; the urban agriculture cluster
holds a session, an MoU enters into force and a pilot project meets one milestone on time and one late.
Barcelona–Chengdu's plan, in another programme, stays out. JSON, CSV and PDF tell the same figures."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime

import pytest
from pypdf import PdfReader

from tests.api.conftest import assert_problem
from web.report_render import report_html

AS_OF = "2021-01-31"


def _ok(response, status=(200, 201)):
    assert response.status_code in status, response.get_json()
    return response


def _programmes(api) -> tuple[str, str]:
    app = api.programme
    admin = app.authenticate(api.tokens["admin"])
    iuc = str(
        app.launch_programme(admin, "iuc-asia", "IUC Asia", ["europe", "east-asia"], date(2017, 1, 1)).aggregate.id
    )
    iurc = str(app.launch_programme(admin, "iurc", "IURC", ["europe", "east-asia"], date(2021, 1, 1)).aggregate.id)
    for code, cities in ((iuc, ("rome", "yantai", "mannheim", "chongqing")), (iurc, ("barcelona", "chengdu"))):
        for city in cities:
            app.join_programme(admin, code, api.city(city))
    app.assign_facilitator(admin, iuc, api.user_ids["facilitator"])
    cluster = str(app.form_cluster(admin, iuc, "Urban agriculture", ["urban-agriculture"]).aggregate.id)
    for city in ("rome", "yantai"):
        app.join_cluster(admin, cluster, api.city(city))
    return iuc, cluster


@pytest.fixture
def story(api, projector):
    iuc, cluster = _programmes(api)
    before = datetime.now(UTC)
    other = api.active_partnership("barcelona", ("chengdu",))
    _ok(
        api.post(
            "barcelona",
            f"/api/v1/partnerships/{other['id']}/action-plan",
            {"summary": "Smart city", "adopted_on": "2021-03-01"},
        )
    )
    rome_yantai = api.active_partnership("rome", ("yantai",))
    plan = _ok(
        api.post("rome", f"/api/v1/partnerships/{rome_yantai['id']}/action-plans", {"title": "Rome–Yantai UCAP"})
    ).get_json()
    url = f"/api/v1/action-plans/{plan['id']}"
    for action_id, city, ends_on in (
        ("school", "yantai", "2020-09-30"),
        ("faculty", "rome", "2020-10-31"),
        ("greenhouse", "yantai", "2020-12-31"),
        ("fair", "rome", "2021-06-30"),
        ("exchange", "rome", "2020-08-31"),
    ):
        body = {
            "title": action_id.title(),
            "responsible_city_id": api.city(city),
            "starts_on": "2020-03-01",
            "ends_on": ends_on,
            "action_id": action_id,
        }
        _ok(api.post(city, f"{url}/actions", body))
    for action_id, done_on in (("school", "2020-09-20"), ("faculty", "2020-11-15")):
        _ok(api.post("rome", f"{url}/actions/{action_id}/start", {"on": "2020-03-02"}))
        _ok(api.post("rome", f"{url}/actions/{action_id}/done", {"on": done_on}))
    _ok(api.post("rome", f"{url}/actions/exchange/drop", {"on": "2020-04-01", "reason": "COVID-19 travel ban"}))
    for iid, name, baseline, target, value in (
        ("students", "Students trained", 0, 120, 150),
        ("co2", "CO2 emitted", 1000, 600, 800),
        ("visits", "Field visits", 0, 4, None),
    ):
        body = {"name": name, "unit": "n", "baseline": baseline, "target": target, "indicator_id": iid}
        _ok(api.post("rome", f"{url}/indicators", body))
        if value is not None:
            _ok(api.post("yantai", f"{url}/indicators/{iid}/values", {"value": value, "on": "2020-12-15"}))
    _ok(api.post("rome", f"{url}/adopt", {"city_id": api.city("rome"), "on": "2020-11-02"}))
    _ok(api.post("yantai", f"{url}/adopt", {"city_id": api.city("yantai"), "on": "2020-11-16"}))

    mannheim = api.active_partnership("mannheim", ("chongqing",))
    _ok(
        api.post(
            "mannheim",
            f"/api/v1/partnerships/{mannheim['id']}/action-plan",
            {"summary": "Logistics hub", "adopted_on": "2020-12-01"},
        )
    )
    api.propose("rome", ("chongqing",))

    held = api.programme.record_held_meeting(
        api.programme.authenticate(api.tokens["facilitator"]),
        "Online session on urban agriculture",
        "online",
        datetime(2020, 5, 12, 9, 0, tzinfo=UTC),
        90,
        [api.city("rome"), api.city("yantai")],
        42,
        "Curriculum agreed",
        cluster_id=cluster,
    )
    feedback = {"city_id": api.city("yantai"), "rating": 5, "outcome": "agreement_reached"}
    _ok(api.post("yantai", f"/api/v1/meetings/{held.aggregate.id}/feedback", feedback))
    mou = api.draft()
    for party, on in (("Yantai University", "2020-10-01"), ("Tuscia University", "2020-10-05")):
        _ok(api.post("facilitator", f"/api/v1/agreements/{mou['id']}/sign", {"party": party, "signed_on": on}))
    project = api.launch(rome_yantai["id"])
    purl = f"/api/v1/projects/{project['id']}/milestones"
    for mid, due, achieved in (("m1", "2020-10-01", "2020-09-28"), ("m2", "2020-11-01", "2020-12-10")):
        _ok(api.post("rome", purl, {"title": mid, "due_on": due, "milestone_id": mid}))
        last = _ok(api.post("rome", f"{purl}/{mid}/achieve", {"achieved_on": achieved}))
    return {"after": last.headers["X-Log-Position"], "project": project["title"], "programme": iuc, "before": before}


def _url(story) -> str:
    return f"/api/v1/programmes/{story['programme']}/report"


def _report(api, story, **query):
    return api.get("auditor", _url(story), query_string={"as_of": AS_OF, "after": story["after"], **query})


def test_the_report_as_json_counts_the_story(api, story):
    response = _report(api, story)
    assert response.status_code == 200 and response.mimetype == "application/json", response.get_json()
    r = response.get_json()
    assert r["as_of"] == AS_OF
    assert r["pairings"]["by_status"] == {"proposed": 1, "active": 2, "declined": 0, "withdrawn": 0, "concluded": 0}
    assert r["action_plans"] == {"total": 2, "adopted": 2, "drafted": 0, "summary_only": 0}
    assert {k: r["actions"][k] for k in ("total", "done_on_time", "done_late", "overdue", "open", "dropped")} == {
        "total": 5,
        "done_on_time": 1,
        "done_late": 1,
        "overdue": 1,
        "open": 1,
        "dropped": 1,
    }
    assert r["actions"]["on_time_percent"] == 50.0
    indicators = {i["name"]: i for i in r["indicators"]["items"]}
    assert (r["indicators"]["met"], r["indicators"]["below_target"], r["indicators"]["not_reported"]) == (1, 1, 1)
    assert indicators["CO2 emitted"]["progress_percent"] == 50.0 and indicators["Students trained"]["state"] == "met"
    assert r["sessions"]["held"] == 1 and r["sessions"]["participants"] == 42
    assert r["feedback"]["feedback"]["agreement_reached"] == 1 and r["feedback"]["follow_up"]["agreement_reached"] == 0
    assert r["feedback"]["sessions_with_agreement"] == 1 and r["feedback"]["agreement_share"] == 1.0
    assert r["agreements"]["mous_in_force"] == 1 and r["agreements"]["mou_titles"] == ["Universities MoU"]
    assert r["milestones"] == {"total": 2, "achieved_on_time": 1, "achieved_late": 1, "overdue": 0, "planned": 0}
    assert r["projects"]["by_status"]["active"] == 1
    assert "urban-agriculture" in r["themes"]["clusters_covered"]
    regions = {x["region"]: x for x in r["regions"]}
    assert set(regions) == {"europe", "east-asia"}
    assert regions["east-asia"]["pairings"] == 3 and regions["europe"]["action_plans_adopted"] == 2
    assert regions["east-asia"]["sessions_held"] == 1 and regions["europe"]["cities"] == 2
    listed = api.get(
        "auditor", "/api/v1/action-plans", query_string={"programme_id": story["programme"], "after": story["after"]}
    ).get_json()["items"]
    assert sorted(p["title"] for p in listed) == ["Rome–Yantai UCAP", "mannheim with chongqing"]
    [cluster] = r["clusters"]
    assert cluster == {
        "name": "Urban agriculture",
        "themes": ["urban-agriculture"],
        "cities": 2,
        "sessions_held": 1,
        "participants": 42,
        "pairings": 2,
        "action_plans_adopted": 1,
        "projects": 1,
    }
    assert [p["project"] for p in r["progress_review"]] == [story["project"]]
    earlier = _report(api, story, as_of="2020-11-10").get_json()
    assert earlier["action_plans"]["adopted"] == 0 and earlier["actions"]["done_late"] == 0
    assert earlier["indicators"]["not_reported"] == 3
    recorded = _report(api, story, as_of=story["before"].isoformat())
    assert recorded.status_code == 200, recorded.get_json()
    assert recorded.get_json()["pairings"]["total"] == 0 and recorded.get_json()["action_plans"]["total"] == 0
    assert int(recorded.headers["X-View-Position"]) < int(story["after"])


def test_the_report_as_csv_parses_and_holds_the_same_figures(api, story):
    for response in (
        _report(api, story, format="csv"),
        api.get(
            "auditor",
            _url(story),
            query_string={"as_of": AS_OF},
            headers={"Accept": "text/csv"},
        ),
    ):
        assert response.status_code == 200 and response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        figures = {(r["section"], r["item"], r["metric"]): r["value"] for r in rows}
        assert figures[("actions", "", "done_on_time")] == "1"
        assert figures[("sessions", "", "participants")] == "42"
        assert figures[("indicators", "CO2 emitted", "progress_percent")] == "50"
        assert figures[("regions", "europe", "action_plans_adopted")] == "2"
        assert figures[("pairings", "", "by_status.active")] == "2"


def test_the_report_as_pdf_shows_the_figures(api, story):
    response = api.get(
        "auditor",
        _url(story),
        query_string={"as_of": AS_OF, "after": story["after"]},
        headers={"Accept": "application/pdf"},
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    # table cells wrap: compare with the line breaks as spaces
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).split())
    assert "Funder's report" in text and AS_OF in text
    assert "participants 42" in text
    assert "done on time 1" in text and "done late 1" in text
    assert "MoUs in force 1" in text and "Universities MoU" in text
    assert "achieved on time 1" in text and "achieved late 1" in text
    assert "CO2 emitted (n) 1000 600 800 2020-12-15 50 % below_target" in text, text
    assert "europe 2 3 2 1 1 1" in text
    assert _report(api, story, format="pdf").data.startswith(b"%PDF")


def test_the_report_titles_are_bilingual_when_a_chinese_font_is_there(api, story):
    report = _report(api, story).get_json()
    bilingual, english = report_html(report, chinese=True), report_html(report, chinese=False)
    assert "Pairings by stage · 结对阶段" in bilingual and "资助方报告" in bilingual
    assert "结对阶段" not in english and "Pairings by stage" in english
    assert "participants 42" in english


def test_an_unknown_programme_a_bad_format_or_a_bad_date_is_a_problem(api):
    iuc, _ = _programmes(api)
    unknown = assert_problem(api.get("auditor", f"/api/v1/programmes/{uuid.uuid4()}/report"), 404)
    assert "programme" in unknown["detail"]
    url = f"/api/v1/programmes/{iuc}/report"
    assert_problem(api.get("auditor", url, query_string={"format": "xls"}), 422)
    assert_problem(api.get("auditor", url, query_string={"as_of": "2021-02-30"}), 422)
