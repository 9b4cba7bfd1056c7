"""The partnership pages: Rome's officer proposes to Yantai from a suggestion, Yantai answers; refusals
keep what was typed beside the field; a stale form says so; another city's forms are a 403 page."""

from __future__ import annotations

import re

import pytest

from tests.api.pages_support import Browser


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request):
    """Read-your-writes and stale forms are store behaviour: these pages run on both stores."""
    return request.getfixturevalue(f"{request.param}_url")


def test_rome_proposes_to_yantai_and_the_board_shows_it_at_once(api, projector):
    rome = Browser(api, "rome")
    form = rome.get("/partnerships/new", **{"with": api.city("yantai")})
    assert form.status == 200
    assert re.search(rf'value="{api.city("yantai")}" checked', form.html), "the suggested city is ticked"

    page = rome.post(
        "/partnerships",
        {
            "title": "Urban agriculture exchange",
            "proposer_city_id": api.city("rome"),
            "invited_city_ids": [api.city("yantai")],
            "themes": ["urban-agriculture", "education"],
            "description": "Rooftop farms and school gardens",
        },
    )
    assert page.status == 200, page.text[:2000]
    assert re.match(r"^/partnerships/[0-9a-f-]{36}\?after=\d+$", page.redirected_to)
    assert "Urban agriculture exchange" in page.text
    assert "Waiting for an answer" in page.text
    assert "Partnership proposed" in page.text  # the history, read from the log

    board = rome.get("/partnerships", after=page.redirected_to.rsplit("=", 1)[1])
    proposed = board.html[board.html.index('id="status-proposed"') : board.html.index('id="status-active"')]
    assert "Urban agriculture exchange" in proposed


def test_yantai_accepts_and_declines_with_a_reason(api, projector):
    first = api.propose("rome", ("yantai",))
    second = api.propose("mannheim", ("yantai",))
    yantai = Browser(api, "yantai")

    yantai.get(f"/partnerships/{first['id']}")
    accepted = yantai.post(f"/partnerships/{first['id']}/accept", {"city_id": api.city("yantai"), "version": "1"})
    assert accepted.status == 200
    assert "Active" in accepted.text and "Accepted" in accepted.text

    page = yantai.get(f"/partnerships/{second['id']}")
    declined = yantai.post(
        f"/partnerships/{second['id']}/decline",
        {"city_id": api.city("yantai"), "reason": "Our budget is spent this year", "version": str(page.version())},
    )
    assert declined.status == 200
    assert "Our budget is spent this year" in declined.text
    assert api.get("yantai", f"/api/v1/partnerships/{second['id']}").get_json()["status"] == "declined"


def test_a_refused_proposal_says_why_next_to_the_field_and_keeps_what_was_typed(api, projector):
    rome = Browser(api, "rome")
    rome.get("/partnerships/new")
    page = rome.post(
        "/partnerships",
        {
            "title": "Barcelona and Rome",
            "proposer_city_id": api.city("rome"),
            "invited_city_ids": [api.city("barcelona")],
            "description": "Two European cities",
        },
    )
    assert page.status == 409
    assert "region" in page.error_next_to("propose", "invited_city_ids")
    assert page.value_of("propose", "title") == "Barcelona and Rome"
    assert page.value_of("propose", "description") == "Two European cities"
    assert api.get("rome", "/api/v1/partnerships").get_json()["items"] == []


def test_a_missing_title_is_named_by_the_api_schema(api, projector):
    rome = Browser(api, "rome")
    rome.get("/partnerships/new")
    page = rome.post(
        "/partnerships",
        {"title": "", "proposer_city_id": api.city("rome"), "invited_city_ids": [api.city("yantai")]},
    )
    assert page.status == 422
    assert page.error_next_to("propose", "title")
    assert re.search(rf'value="{api.city("yantai")}" checked', page.html), "the ticked city stays ticked"


def test_a_stale_answer_says_someone_else_changed_it_and_shows_the_new_state(api, projector):
    partnership = api.propose("rome", ("yantai",))
    yantai = Browser(api, "yantai")
    read = yantai.get(f"/partnerships/{partnership['id']}")
    version = read.version()
    invited = api.post("rome", f"/api/v1/partnerships/{partnership['id']}/invite", {"city_id": api.city("chongqing")})
    assert invited.status_code == 200

    page = yantai.post(
        f"/partnerships/{partnership['id']}/decline",
        {"city_id": api.city("yantai"), "reason": "Not now", "version": str(version)},
    )
    assert page.status == 412
    assert "Someone else changed this" in page.text
    assert "Chongqing" in page.text  # the new state
    assert page.value_of("answer-1", "reason") == "Not now"
    assert page.version() == version + 1
    again = yantai.post(
        f"/partnerships/{partnership['id']}/decline",
        {"city_id": api.city("yantai"), "reason": "Not now", "version": str(page.version())},
    )
    assert again.status == 200 and "Not now" in again.text


def test_an_officer_of_rome_cannot_reach_yantais_forms(api, projector):
    partnership = api.propose("mannheim", ("yantai",))
    rome = Browser(api, "rome")
    page = rome.get(f"/partnerships/{partnership['id']}")
    assert page.status == 200
    assert "Answer for Yantai" not in page.text
    assert rome.get(f"/partnerships/{partnership['id']}/invitations/{api.city('yantai')}").status == 403
    assert rome.get("/partnerships/new", **{"from": api.city("yantai")}).status == 403
    refused = rome.post(f"/partnerships/{partnership['id']}/accept", {"city_id": api.city("yantai")})
    assert refused.status == 403
    assert "You cannot open this page" in refused.text
    state = api.get("yantai", f"/api/v1/partnerships/{partnership['id']}").get_json()
    assert state["status"] == "proposed"

    yantai = Browser(api, "yantai")
    assert yantai.get(f"/partnerships/{partnership['id']}/invitations/{api.city('yantai')}").status == 200


def test_a_form_without_its_csrf_token_is_refused(api, projector):
    partnership = api.propose("rome", ("yantai",))
    yantai = Browser(api, "yantai")
    yantai.get(f"/partnerships/{partnership['id']}")
    page = yantai.post(f"/partnerships/{partnership['id']}/accept", {"city_id": api.city("yantai")}, csrf=False)
    assert page.status == 400
    state = api.get("yantai", f"/api/v1/partnerships/{partnership['id']}").get_json()
    assert state["status"] == "proposed"


def test_the_board_in_chinese(api, projector):
    api.propose("rome", ("yantai",))
    yantai = Browser(api, "yantai", language="zh-Hans")
    page = yantai.get("/partnerships")
    assert page.status == 200
    assert '<html lang="zh-Hans">' in page.html
    assert "合作伙伴关系" in page.text
    assert "已提议" in page.text


def test_a_member_adopts_the_action_plan_and_a_bad_date_is_named(api, projector):
    partnership = api.active_partnership("rome", ("yantai",))
    rome = Browser(api, "rome")
    page = rome.get(f"/partnerships/{partnership['id']}")
    refused = rome.post(
        f"/partnerships/{partnership['id']}/action-plan",
        {"summary": "Two rooftop farms", "adopted_on": "soon", "version": str(page.version())},
    )
    assert refused.status == 422
    assert refused.error_next_to("plan", "adopted_on")
    assert refused.value_of("plan", "summary") == "Two rooftop farms"
    adopted = rome.post(
        f"/partnerships/{partnership['id']}/action-plan",
        {"summary": "Two rooftop farms", "adopted_on": "2030-02-01", "version": str(page.version())},
    )
    assert adopted.status == 200
    assert "Two rooftop farms" in adopted.text and "Adopted on Feb 1, 2030" in adopted.text
    assert "Action plan adopted" in adopted.text  # its history entry
    assert "Adopt the action plan" not in Browser(api, "chongqing").get(f"/partnerships/{partnership['id']}").text
