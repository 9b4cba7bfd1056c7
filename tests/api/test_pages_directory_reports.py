"""The city directory (the API's folding search and filters, cursor pages), a city's profile, an
agreement's signatures, a project's milestones and the reports with their SVG charts."""

from __future__ import annotations

import re

from tests.api.pages_support import Browser


def names_listed(page) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/cities/[0-9a-f-]{36}">([^<]+)</a>', page.html)


def test_the_directory_searches_as_the_api_does_and_filters(api, projector):
    rome = Browser(api, "rome")
    assert names_listed(rome.get("/cities", q="ROM")) == ["Rome"]
    assert names_listed(rome.get("/cities", country="CN")) == ["Chengdu", "Chongqing", "Yantai"]
    assert names_listed(rome.get("/cities", region="europe", theme="smart-city")) == ["Barcelona", "Rome"]
    from_api = api.get("rome", "/api/v1/cities", query_string={"q": "ROM"}).get_json()["items"]
    assert [c["name"] for c in from_api] == ["Rome"]


def test_the_directory_pages_with_the_views_cursor(api, projector):
    rome = Browser(api, "rome")
    first = rome.get("/cities", limit="4")
    assert names_listed(first) == ["Barcelona", "Chengdu", "Chongqing", "Mannheim"]
    following = re.search(r'<a href="([^"]+)" rel="next">', first.html).group(1).replace("&amp;", "&")
    assert names_listed(rome.get(following)) == ["Rome", "Yantai"]


def test_a_bad_filter_is_named_next_to_its_field(api, projector):
    page = Browser(api, "rome").get("/cities", region="atlantis")
    assert page.status == 422
    assert page.error_next_to("search", "region")


def test_a_citys_profile_shows_stakeholders_partners_and_timeline(api, projector):
    added = api.post(
        "yantai",
        f"/api/v1/cities/{api.city('yantai')}/stakeholders",
        {"name": "Ludong University", "kind": "research", "themes": ["education"]},
    )
    assert added.status_code == 201
    api.active_partnership("rome", ("yantai",))
    page = Browser(api, "rome").get(f"/cities/{api.city('yantai')}")
    assert page.status == 200
    assert "Ludong University" in page.text and "Research" in page.text
    partners = page.html[page.html.index(">Partners</h2>") : page.html.index(">Partnerships</h3>")]
    assert "Rome" in partners
    assert "Propose a partnership with Yantai" in page.text
    assert page.text.count("Ludong University") >= 2  # also on the timeline


def test_yantai_signs_the_agreement_and_rome_cannot_sign_for_yantai(api, projector):
    agreement = api.draft()
    rome = Browser(api, "rome")
    page = rome.get(f"/agreements/{agreement['id']}")
    assert "Sign for Tuscia University" in page.text and "Sign for Yantai University" not in page.text
    refused = rome.post(
        f"/agreements/{agreement['id']}/sign", {"party": "Yantai University", "signed_on": "2030-01-10"}
    )
    assert refused.status == 403

    yantai = Browser(api, "yantai")
    page = yantai.get(f"/agreements/{agreement['id']}")
    bad = yantai.post(
        f"/agreements/{agreement['id']}/sign",
        {
            "party": "Yantai University",
            "signed_on": "10/01/2030",
            "signatory": "Prof. Li",
            "version": str(page.version()),
        },
    )
    assert bad.status == 422
    assert bad.error_next_to("sign-1", "signed_on")
    assert bad.value_of("sign-1", "signatory") == "Prof. Li"
    signed = yantai.post(
        f"/agreements/{agreement['id']}/sign",
        {
            "party": "Yantai University",
            "signed_on": "2030-01-10",
            "signatory": "Prof. Li",
            "version": str(page.version()),
        },
    )
    assert signed.status == 200
    assert "Prof. Li" in signed.text and "Jan 10, 2030" in signed.text


def test_a_projects_milestones_with_due_and_achieved_dates(api, projector):
    partnership = api.active_partnership("rome", ("yantai",))
    project = api.launch(partnership["id"])
    for title, due in (("Greenhouse built", "2021-05-01"), ("First harvest", "2031-09-01")):
        planned = api.post("rome", f"/api/v1/projects/{project['id']}/milestones", {"title": title, "due_on": due})
        assert planned.status_code == 201
    milestones = api.get("rome", f"/api/v1/projects/{project['id']}").get_json()["milestones"]
    greenhouse = next(m for m in milestones if m["title"] == "Greenhouse built")
    achieved = api.post(
        "rome",
        f"/api/v1/projects/{project['id']}/milestones/{greenhouse['id']}/achieve",
        {"achieved_on": "2021-04-20"},
    )
    assert achieved.status_code == 200
    page = Browser(api, "yantai", language="zh-Hans").get(f"/projects/{project['id']}")
    assert page.status == 200
    assert "2021年5月1日" in page.text and "2021年4月20日" in page.text and "2031年9月1日" in page.text
    assert "已达成" in page.text and "计划中" in page.text


def test_the_reports_draw_their_charts_as_svg_with_the_figures_as_tables(api, projector):
    api.active_partnership("rome", ("yantai",))
    api.propose("mannheim", ("chongqing",))
    api.schedule()
    page = Browser(api, "facilitator").get("/reports")
    assert page.status == 200
    assert "<script" not in page.html[page.html.index("<main") :]
    svg = re.search(
        r'<svg[^>]*aria-labelledby="partnerships-title partnerships-desc"[^>]*>(.*?)</svg>', page.html, re.S
    )
    assert svg and 'role="img"' in page.html
    assert '<title id="partnerships-title">Partnerships by status</title>' in svg.group(1)
    bars = dict(re.findall(r'text-anchor="end"[^>]*>([^<]+)</text>\s*<rect[^>]*width="(\d+)"', svg.group(1)))
    assert int(bars["Proposed"]) == int(bars["Active"]) > 0 and bars["Declined"] == "0"
    table = page.html[page.html.index("<caption>Partnerships by status</caption>") :]
    assert re.search(r'<th scope="row">Active</th><td>1</td>', table)
    assert "Sessions by kind" in page.text


def test_yantais_timeline_speaks_chinese_to_a_chinese_reader_and_the_api_keeps_english(api, projector):
    api.post(
        "yantai",
        f"/api/v1/cities/{api.city('yantai')}/stakeholders",
        {"name": "Ludong University", "kind": "research", "themes": ["education"]},
    )
    partnership = api.active_partnership("rome", ("yantai",))
    api.schedule(cities=("rome", "yantai"))
    page = Browser(api, "yantai", language="zh-CN").get(f"/cities/{api.city('yantai')}")
    assert page.status == 200 and '<html lang="zh-Hans"' in page.html
    timeline = page.html[page.html.index('<ol class="timeline">') :]
    title = partnership["title"]
    for said in (
        "Yantai新增了科研类利益相关方：Ludong University",
        f"Rome向Yantai提议了\u201c{title}\u201d",
        f"Yantai接受了加入\u201c{title}\u201d的邀请",
        f"\u201c{title}\u201d已启动",
        "线上会议\u201cKick-off\u201d已安排在2030-03-04 08:00 UTC",
    ):
        assert said in timeline, said
    assert "accepted the invitation" not in timeline
    entries = api.get("yantai", f"/api/v1/cities/{api.city('yantai')}/timeline", query_string={"limit": 50})
    summaries = [e["summary"] for e in entries.get_json()["items"]]
    assert f"Yantai accepted the invitation to \u201c{title}\u201d" in summaries
