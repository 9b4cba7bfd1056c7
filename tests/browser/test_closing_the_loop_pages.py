"""Closing the loop in a real Chromium: Yantai's officer gives feedback on a held webinar from its page
(axe-core on the form, the refused form and the answers, in English and Chinese), then chooses Chinese
on the preferences page and the pages speak it; the preferences page passes axe-core in both languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser.conftest import EMAILS
from tests.browser.support import assert_accessible, press


@pytest.fixture(scope="module")
def webinar(site):
    """A webinar Rome and Yantai attended yesterday, recorded as held (arranged over the API)."""
    cities = site.cities
    return site.api.post(
        "/api/v1/meetings/held",
        site.tokens["facilitator"],
        {
            "title": "Smart energy districts webinar",
            "kind": "webinar",
            "starts_at": (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0).isoformat(),
            "duration_minutes": 90,
            "invited_city_ids": [cities["rome"], cities["yantai"]],
            "attendance": 45,
            "summary": "Rome and Yantai compared their district heating pilots",
            "attended_city_ids": [cities["rome"], cities["yantai"]],
        },
    )


def test_yantai_gives_feedback_on_the_held_webinar(site, browser, webinar):
    driver = browser("en")
    site.sign_in(driver, EMAILS["yantai"])
    driver.get(site.url(f"/meetings/{webinar['id']}"))
    assert driver.find_element(By.ID, "give-feedback-heading").text == "Give feedback"
    assert_accessible(driver, "meeting-feedback")

    Select(driver.find_element(By.ID, "feedback-rating")).select_by_value("5")
    driver.find_element(By.ID, "feedback-comment").send_keys("A study visit to Rome next spring")
    press(driver, "form[action$='/feedback'] button[type=submit]")  # no outcome chosen
    assert driver.find_element(By.ID, "feedback-outcome").get_attribute("aria-invalid") == "true"
    assert driver.find_element(By.ID, "feedback-comment").get_attribute("value") == "A study visit to Rome next spring"
    assert_accessible(driver, "meeting-feedback-refused")

    Select(driver.find_element(By.ID, "feedback-outcome")).select_by_value("follow_up_planned")
    press(driver, "form[action$='/feedback'] button[type=submit]")
    assert "Thank you: your feedback is recorded." in driver.find_element(By.TAG_NAME, "main").text
    row = driver.find_element(By.CSS_SELECTOR, "#feedback-heading ~ table tbody tr").text
    assert "Yantai" in row and "5 of 5" in row and "A follow-up is planned" in row
    assert not driver.find_elements(By.ID, "give-feedback-heading")
    assert_accessible(driver, "meeting-feedback-given")


def test_rome_reads_the_feedback_form_in_chinese(site, browser, webinar):
    driver = browser("zh_Hans")
    site.sign_in(driver, EMAILS["rome"])
    driver.get(site.url(f"/meetings/{webinar['id']}"))
    assert driver.find_element(By.ID, "give-feedback-heading").text == "提交反馈"
    assert_accessible(driver, "meeting-feedback")
    press(driver, "form[action$='/feedback'] button[type=submit]")  # nothing chosen: refused beside the fields
    assert driver.find_element(By.ID, "feedback-rating").get_attribute("aria-invalid") == "true"
    assert_accessible(driver, "meeting-feedback-refused")


def test_the_preferences_page_in_both_languages_and_the_pages_follow_the_choice(site, browser):
    driver = browser("en")
    site.sign_in(driver, EMAILS["mannheim"])
    driver.get(site.url("/me"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Preferences"
    assert_accessible(driver, "preferences")
    Select(driver.find_element(By.ID, "preferences-language")).select_by_value("zh-Hans")
    Select(driver.find_element(By.ID, "preferences-email")).select_by_value("daily")
    press(driver, "form[action='/me'] button[type=submit]")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans"
    assert driver.find_element(By.TAG_NAME, "h1").text == "偏好设置"
    assert "你的偏好设置已保存。" in driver.find_element(By.TAG_NAME, "main").text
    assert_accessible(driver, "preferences")
    driver.get(site.url("/home"))
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans"

    me = site.api.call("GET", "/api/v1/me", site.tokens["mannheim"]).body["preferences"]
    assert (me["language"], me["email"], me["timezone"]) == ("zh-Hans", "daily", "Europe/Berlin")


def test_yantai_reads_the_invitation_notices_unread_first_and_marks_them_read(site, browser):
    cities = site.cities
    for proposer, title in (("rome", "Port logistics exchange"), ("mannheim", "Hydrogen buses")):
        site.api.post(
            "/api/v1/partnerships",
            site.tokens[proposer],
            {"title": title, "proposer_city_id": cities[proposer], "invited_city_ids": [cities["yantai"]]},
        )
    driver = browser("zh_Hans")
    site.sign_in(driver, EMAILS["yantai"])

    def two_unread(d):
        d.get(site.url("/home"))
        return len(d.find_elements(By.CSS_SELECTOR, "li.unread")) >= 2

    WebDriverWait(driver, 30, poll_frequency=1).until(two_unread)  # the worker delivers the notices to the inbox
    assert_accessible(driver, "home-inbox-unread")
    before = len(driver.find_elements(By.CSS_SELECTOR, "li.unread"))
    press(driver, "li.unread form[action$='/read'] button[type=submit]")
    assert "已标为已读。" in driver.find_element(By.TAG_NAME, "main").text
    items = driver.find_elements(By.CSS_SELECTOR, "#inbox-heading ~ ul.cards > li")
    flags = [("unread" in (li.get_attribute("class") or "")) for li in items]
    assert flags.count(True) == before - 1 and flags == sorted(flags, reverse=True)  # unread still first
    press(driver, "form[action='/home/notifications/read'] button[type=submit]")
    assert "你的所有消息都已标为已读。" in driver.find_element(By.TAG_NAME, "main").text
    assert not driver.find_elements(By.CSS_SELECTOR, "li.unread")
    assert_accessible(driver, "home-inbox-read")
