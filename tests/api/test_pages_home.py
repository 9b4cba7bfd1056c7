"""Home through the Flask client: answering an invitation with the page's forms calls the same
Application commands as the API (same refusals), and dates follow the viewer's language and zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import g

from domain.model.partnership import Partnership
from tests.support.pages import csrf, signed_in_client
from web.pages.i18n import date_local, datetime_local, input_local


@pytest.fixture
def invitation(pages, programme):
    rome, yantai = (programme.authenticate(pages.tokens[key]) for key in ("rome", "yantai"))
    proposed = programme.propose_partnership(
        rome, "Urban agriculture exchange", rome.city_id, [yantai.city_id], ["urban-agriculture"]
    )
    return str(proposed.aggregate.id)


def test_yantai_declines_with_a_reason_from_home(pages, programme, invitation, projector):
    yantai = signed_in_client(pages, "officer@yantai.example")
    answer = yantai.post(
        f"/home/invitations/{invitation}/decline",
        data={"csrf_token": csrf(yantai, "/home"), "reason": "Our budget is committed this year"},
    )
    assert answer.status_code == 303 and "done=decline" in answer.headers["Location"]
    assert "after=" in answer.headers["Location"]  # the next page waits for the views to read the answer
    page = yantai.get(answer.headers["Location"]).get_data(as_text=True)
    assert "You declined the invitation." in page
    history = (
        pages.test_client()
        .get(
            f"/api/v1/partnerships/{invitation}/history", headers={"Authorization": f"Bearer {pages.tokens['auditor']}"}
        )
        .get_json()["items"]
    )
    declined = [e for e in history if e["type"] == "InvitationDeclined"]
    assert declined and declined[0]["data"]["reason"] == "Our budget is committed this year"
    assert programme.load(Partnership, invitation).status == "declined"


def test_rome_cannot_answer_yantais_invitation_and_is_told_why(pages, programme, invitation):
    rome = signed_in_client(pages, "officer@rome.example")
    refused = rome.post(f"/home/invitations/{invitation}/accept", data={"csrf_token": csrf(rome, "/home")})
    rome_city = programme.authenticate(pages.tokens["rome"]).city_id
    api = pages.test_client().post(
        f"/api/v1/partnerships/{invitation}/accept",
        json={"city_id": rome_city},
        headers={"Authorization": f"Bearer {pages.tokens['rome']}"},
    )
    assert refused.status_code == api.status_code  # the same rule, the same status
    assert refused.mimetype == "text/html"
    assert api.get_json()["detail"] in refused.get_data(as_text=True).replace("&#39;", "'")


def test_dates_follow_the_viewers_language_and_time_zone_across_daylight_saving(pages):
    summer, winter = datetime(2026, 7, 1, 10, 0, tzinfo=UTC), datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    with pages.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        g.page_time_zone = "Europe/Rome"
        assert datetime_local(summer, "short") == "2026/7/1 12:00"  # CEST, UTC+2
        assert datetime_local(winter, "short") == "2026/12/1 11:00"  # CET, UTC+1
        assert date_local("2026-07-01", "long") == "2026年7月1日"
        assert input_local(summer) == "2026-07-01T12:00:00"
    with pages.test_request_context("/", headers={"Accept-Language": "en-GB"}):
        g.page_time_zone = "Asia/Shanghai"
        assert datetime_local(winter.isoformat(), "short") == "12/1/26, 6:00\u202fPM"
        assert (
            date_local(datetime(2026, 12, 1, 20, 0, tzinfo=UTC), "long") == "December 2, 2026"
        )  # already the 2nd there
