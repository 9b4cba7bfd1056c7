"""The pages that close the loop: Yantai's officer says on the session's page where the webinar
led (once; Mannheim, never invited, is told why not), Rome reads the inbox unread first and
marks it read, and Yantai's officer chooses Chinese on /me and the next page speaks it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from domain.access import SYSTEM
from domain.model.meeting import Meeting
from domain.model.user import User
from tests.api.pages_support import Browser


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request):
    """Read-your-writes and refusals are store behaviour: these pages run on both stores."""
    return request.getfixturevalue(f"{request.param}_url")


def held_webinar(api) -> dict:
    """A webinar Rome and Yantai attended yesterday; Mannheim was not invited."""
    body = {
        "title": "Smart energy districts webinar",
        "kind": "webinar",
        "starts_at": (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0).isoformat(),
        "duration_minutes": 90,
        "invited_city_ids": [api.city("rome"), api.city("yantai")],
        "attendance": 45,
        "summary": "Rome and Yantai compared their district heating pilots",
        "attended_city_ids": [api.city("rome"), api.city("yantai")],
    }
    response = api.post("facilitator", "/api/v1/meetings/held", body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def feedback_from(browser, api, meeting, city="yantai", **extra):
    body = {"city_id": api.city(city), "rating": "4", "outcome": "follow_up_planned", **extra}
    return browser.post(f"/meetings/{meeting['id']}/feedback", body)


def test_yantai_gives_feedback_from_the_page_and_twice_is_refused_beside_the_city(api, projector):
    meeting = held_webinar(api)
    yantai = Browser(api, "yantai")
    page = yantai.get(f"/meetings/{meeting['id']}")
    assert page.status == 200 and "Give feedback" in page.text and "No city has given feedback yet." in page.text
    assert re.search(r'<select id="feedback-city_id"[^>]*>\s*<option value="' + api.city("yantai"), page.html)

    given = feedback_from(yantai, api, meeting, comment="A visit to Rome in spring")
    assert given.status == 200, given.text[:1500]
    assert re.match(rf"^/meetings/{meeting['id']}\?given=feedback&after=\d+$", given.redirected_to)
    assert "Thank you: your feedback is recorded." in given.text
    assert "Yantai 4 of 5 A follow-up is planned A visit to Rome in spring" in given.text
    assert "Give feedback" not in given.text  # Yantai's answer is in: the form is no longer offered
    assert "Follow up" in given.text  # the follow-up still is
    [answer] = api.programme.load(Meeting, meeting["id"]).feedback["feedback"].values()
    assert (answer["rating"], answer["outcome"], answer["comment"]) == (
        4,
        "follow_up_planned",
        "A visit to Rome in spring",
    )

    twice = feedback_from(yantai, api, meeting, rating="2", comment="Second thoughts")
    assert twice.status == 409
    assert "already" in twice.error_next_to("feedback", "city_id")
    assert twice.value_of("feedback", "comment") == "Second thoughts"
    assert re.search(r'<option value="2" selected>', twice.html)  # the rating typed is kept
    assert len(api.programme.load(Meeting, meeting["id"]).feedback["feedback"]) == 1

    followed = yantai.post(
        f"/meetings/{meeting['id']}/follow-up",
        {"city_id": api.city("yantai"), "outcome": "agreement_reached", "comment": "MoU signed"},
    )
    assert followed.status == 200 and "Thank you: your follow-up is recorded." in followed.text
    assert "Yantai An agreement was reached MoU signed" in followed.text


def test_mannheim_not_invited_is_refused_and_a_bad_rating_is_named(api, projector):
    meeting = held_webinar(api)
    mannheim = Browser(api, "mannheim")
    page = mannheim.get(f"/meetings/{meeting['id']}")
    assert page.status == 200 and "Give feedback" not in page.text
    refused = feedback_from(mannheim, api, meeting, city="mannheim", comment="We heard it was good")
    assert refused.status == 409
    assert refused.error_next_to("feedback", "city_id") == "this city was not invited"
    assert refused.value_of("feedback", "comment") == "We heard it was good"
    assert api.programme.load(Meeting, meeting["id"]).feedback.get("feedback", {}) == {}

    rome = Browser(api, "rome")
    rome.get(f"/meetings/{meeting['id']}")
    bad = feedback_from(rome, api, meeting, city="rome", rating="9", outcome="")
    assert bad.status == 422
    assert bad.error_next_to("feedback", "rating") == "Give a number of at most 5."
    assert bad.error_next_to("feedback", "outcome")


def test_feedback_before_the_session_was_held_is_refused(api, projector):
    meeting = api.schedule()
    rome = Browser(api, "rome")
    page = rome.get(f"/meetings/{meeting['id']}")
    assert "Give feedback" not in page.text
    refused = feedback_from(rome, api, meeting, city="rome")
    assert refused.status == 409 and "the session is scheduled" in refused.text
    assert 'id="feedback-errors"' in refused.html


def _notify(api, who: str, n: int) -> str:
    return str(
        api.programme.record_notification(
            SYSTEM,
            f"invitation/partnership/p{n}/1/{who}",
            "invitation",
            api.user_ids[who],
            {"kind": "partnership", "id": f"p{n}"},
            f"Invited {n}",
            f"Body {n}",
            ["inbox"],
        ).aggregate.id
    )


def _titles(page) -> list[str]:
    inbox = page.html[page.html.index('id="inbox-heading"') :]
    return re.findall(r"<h3 id=\"note-\d+\">(?:<span class=\"badge\">Unread</span> )?(Invited \d)</h3>", inbox)


def test_rome_marks_one_read_then_all_and_unread_come_first(api, projector):
    ids = [_notify(api, "rome", n) for n in range(3)]
    _notify(api, "yantai", 9)
    rome = Browser(api, "rome")
    home = rome.get("/home")
    assert _titles(home) == ["Invited 2", "Invited 1", "Invited 0"] and "Unread: 3" in home.text
    assert 'aria-describedby="note-1">Mark as read</button>' in home.html  # each button names its message

    one = rome.post(f"/home/notifications/{ids[2]}/read", {})
    assert re.match(r"^/home\?after=\d+&done=read$", one.redirected_to)
    assert "Marked as read." in one.text and "Unread: 2" in one.text
    assert _titles(one) == ["Invited 1", "Invited 0", "Invited 2"]  # the one read goes after the unread ones
    assert one.html.count('class="unread"') == 2

    someone_elses = rome.post(f"/home/notifications/{_notify(api, 'yantai', 8)}/read", {})
    assert someone_elses.status == 404

    rome.get("/home")
    everything = rome.post("/home/notifications/read", {})
    assert re.match(r"^/home\?after=\d+&done=read-all$", everything.redirected_to)
    assert "All your messages are marked as read." in everything.text
    assert 'class="unread"' not in everything.html and "Mark all as read" not in everything.text
    assert all(n["read_at"] for n in api.get("rome", "/api/v1/me/notifications").get_json()["items"])
    yantai = api.get("yantai", "/api/v1/me/notifications", query_string={"unread": "true"}).get_json()["items"]
    assert len(yantai) == 2


def test_yantai_chooses_chinese_and_a_daily_digest_and_the_next_page_speaks_chinese(api, projector):
    yantai = Browser(api, "yantai")  # the browser asks for English
    page = yantai.get("/me")
    assert page.status == 200 and "<h1>Preferences</h1>" in page.html
    assert re.search(
        r'<option value="">My city\'s time zone \(Asia/Shanghai\)</option>', page.html.replace("&#39;", "'")
    )
    saved = yantai.post("/me", {"language": "zh-Hans", "email": "daily", "timezone": ""})
    assert re.match(r"^/me\?saved=1&after=\d+$", saved.redirected_to)
    assert '<html lang="zh-Hans"' in saved.html and "已保存" in saved.text
    user = api.programme.load(User, api.user_ids["yantai"])
    assert (user.language, user.email_mode, user.timezone) == ("zh-Hans", "daily", None)
    assert '<html lang="zh-Hans"' in yantai.get("/home").html

    # Another browser (no cookie, English asked for) follows the saved preference too.
    elsewhere = Browser(api, "yantai")
    assert '<html lang="zh-Hans"' in elsewhere.get("/meetings").html

    zone = yantai.post("/me", {"language": "zh-Hans", "email": "daily", "timezone": "Mars/Olympus"})
    assert zone.status == 422 and zone.error_next_to("preferences", "timezone")
    assert api.programme.load(User, api.user_ids["yantai"]).timezone is None


def test_the_language_switch_saves_the_preference_when_signed_in(api, projector):
    rome = Browser(api, "rome")
    rome.get("/home")
    switched = rome.post("/language", {"lang": "zh_Hans", "next": "/home"})
    assert '<html lang="zh-Hans"' in switched.html
    assert api.programme.load(User, api.user_ids["rome"]).language == "zh-Hans"
    back = rome.post("/language", {"lang": "en", "next": "/me"})
    assert '<html lang="en"' in back.html
    assert api.programme.load(User, api.user_ids["rome"]).language == "en"


def test_preferences_saved_from_a_page_read_before_the_language_switch_say_so(api, projector):
    yantai = Browser(api, "yantai")
    version = yantai.get("/me").version()
    yantai.post("/language", {"lang": "zh_Hans", "next": "/home"})  # another tab: the language switch
    stale = yantai.post("/me", {"language": "en", "email": "off", "timezone": "", "version": str(version)})
    assert stale.status == 412
    # in the language chosen meanwhile
    assert '<html lang="zh-Hans"' in stale.html and "其他人修改了此内容" in stale.text
    language = re.search(r'id="preferences-language".*?</select>', stale.html, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)" selected>', language) == ["zh-Hans"]  # as recorded now, not as sent
    assert stale.version() == version + 1
    user = api.programme.load(User, api.user_ids["yantai"])
    assert (user.language, user.email_mode) == ("zh-Hans", "immediate")
    again = yantai.post("/me", {"language": "en", "email": "off", "timezone": "", "version": str(stale.version())})
    assert re.match(r"^/me\?saved=1&after=\d+$", again.redirected_to)
    assert api.programme.load(User, api.user_ids["yantai"]).email_mode == "off"
