"""The programme's story in a browser: Rome proposes to Yantai (arranged over the API: the propose
form is pages-work's); Yantai's officer, reading Chinese, signs in, sees the invitation in Chinese
and accepts it; Rome's officer sees the answer on home; an auditor opens the log, the partnership's
history and its state as of before the acceptance. axe-core checks every page, in both languages."""

from __future__ import annotations

import urllib.parse
from datetime import datetime, timedelta

from selenium.webdriver.common.by import By

from tests.browser.conftest import EMAILS
from tests.browser.support import assert_accessible, press, screenshot
from tests.e2e.conftest import wait_until


def _text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "main").text


def test_yantai_accepts_in_chinese_rome_sees_it_and_the_auditor_looks_back(site, browser):
    story(site, browser)


def test_the_same_story_on_postgresql(postgres_site, browser):
    story(postgres_site, browser, check_pages=False)


def story(site, browser, check_pages: bool = True) -> None:
    """``check_pages``: axe-core and screenshots (once is enough: the pages do not depend on the store)."""
    checked = assert_accessible if check_pages else (lambda driver, name: None)
    proposal = site.api.post(
        "/api/v1/partnerships",
        site.tokens["rome"],
        {
            "title": "Urban agriculture exchange",
            "proposer_city_id": site.cities["rome"],
            "invited_city_ids": [site.cities["yantai"]],
            "themes": ["urban-agriculture"],
        },
    )

    yantai = browser("zh_Hans")
    yantai.get(site.url("/"))
    assert yantai.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans"
    assert "登录 twinning" in yantai.find_element(By.TAG_NAME, "h1").text
    checked(yantai, "sign-in")
    site.sign_in(yantai, EMAILS["yantai"])

    def invitation_shown() -> bool:
        yantai.get(site.url("/home"))
        return "Urban agriculture exchange" in _text(yantai)

    wait_until(invitation_shown, 20, interval=0.5, what="the invitation on Yantai's home")
    assert "待回复的邀请" in _text(yantai) and "来自Rome" in _text(yantai)
    checked(yantai, "home-invitation")
    yantai.execute_script("window.stillThisPage = true")  # htmx answers in place: no new page load
    yantai.find_element(By.XPATH, "//button[normalize-space()='接受']").click()
    wait_until(lambda: "您已接受邀请。" in _text(yantai), 10, interval=0.2, what="the acceptance shown")
    assert yantai.execute_script("return window.stillThisPage === true")
    assert "目前没有待回复的邀请。" in _text(yantai)
    checked(yantai, "home-accepted")

    rome = browser("en")
    site.sign_in(rome, EMAILS["rome"])
    assert "Status: active" in _text(rome) and "Yantai: accepted" in _text(rome)
    checked(rome, "home-partnerships")

    recorded = {
        e["type"]: datetime.fromisoformat(e["recorded_at"])
        for e in site.api.get(f"/api/v1/partnerships/{proposal['id']}/history", site.tokens["auditor"])["items"]
    }
    auditor = browser("en")
    site.sign_in(auditor, EMAILS["auditor"])
    press(auditor, "Audit", By.LINK_TEXT)
    assert "PartnershipProposed" in _text(auditor)
    checked(auditor, "audit-log")

    auditor.get(site.url(f"/audit/history?kind=partnerships&id={proposal['id']}"))
    assert "InvitationAccepted" in _text(auditor)
    checked(auditor, "audit-history")

    press(auditor, "State as of this event", By.PARTIAL_LINK_TEXT)  # the first: as proposed
    assert '"status": "proposed"' in _text(auditor)
    checked(auditor, "audit-as-of")
    before = recorded["InvitationAccepted"] - timedelta(milliseconds=1)
    for instant, status in ((before, "proposed"), (recorded["PartnershipActivated"], "active")):
        query = urllib.parse.urlencode({"kind": "partnerships", "id": proposal["id"], "at": instant.isoformat()})
        auditor.get(site.url(f"/audit/as-of?{query}"))
        assert f'"status": "{status}"' in _text(auditor), (instant, status)

    auditor.get(site.url("/audit/verify?run=1"))
    assert "The chain holds." in _text(auditor)
    checked(auditor, "audit-verify")
    auditor.get(site.url("/audit/exports"))
    checked(auditor, "audit-exports")

    rome.get(site.url("/audit"))
    assert rome.find_element(By.TAG_NAME, "h1").text == "You cannot open this page"
    checked(rome, "error-403")
    yantai.get(site.url("/audit"))
    assert yantai.find_element(By.TAG_NAME, "h1").text == "您无法打开此页面"
    checked(yantai, "error-403")
    yantai.get(site.url("/no/such/page"))
    assert yantai.find_element(By.TAG_NAME, "h1").text == "找不到该页面"
    checked(yantai, "error-404")


def test_the_language_switch_works_without_javascript_and_stays(site, browser):
    driver = browser("en", javascript=False)
    driver.get(site.url("/"))
    press(driver, "//button[@value='zh_Hans']", By.XPATH)
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans"
    driver.get(site.url("/sign-in/not-a-real-link"))
    assert "此登录链接无法使用" in driver.find_element(By.TAG_NAME, "h1").text
    screenshot(driver, "zh_Hans", "sign-in-refused-without-javascript")
    press(driver, "//button[@value='en']", By.XPATH)
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
