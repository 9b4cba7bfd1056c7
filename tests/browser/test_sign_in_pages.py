"""Signing in with a browser: Rome's officer asks for a link, opens it from the mail, sees home and
signs out; a used link and a CSRF-less form are refused with clear pages."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from selenium.webdriver.common.by import By

from tests.browser.conftest import EMAILS
from tests.browser.support import assert_accessible, press, screenshot


def test_rome_signs_in_by_the_mailed_link_sees_home_and_signs_out(site, browser):
    driver = browser("en")
    driver.get(site.url("/"))
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert "outbox" in driver.find_element(By.CSS_SELECTOR, ".notice").text  # where embedded mail goes
    assert_accessible(driver, "sign-in")

    link = site.ask_link(driver, EMAILS["rome"])
    assert "Check your mail" in driver.find_element(By.TAG_NAME, "h1").text
    assert_accessible(driver, "sign-in-sent")

    driver.get(link)
    assert driver.current_url == site.url("/home")
    assert link.rsplit("/", 1)[1] not in site.proc.output()  # the access log leaves the one-time token out
    assert "Welcome, officer" in driver.find_element(By.TAG_NAME, "h1").text
    assert_accessible(driver, "home")

    press(driver, "form[action='/sign-out'] button")
    assert driver.current_url == site.url("/")
    driver.get(site.url("/home"))
    assert driver.current_url.startswith(site.url("/?next=/home"))  # signed out: back to the sign-in page

    driver.get(link)  # the same link a second time
    assert "cannot be used" in driver.find_element(By.TAG_NAME, "h1").text
    assert "used already" in driver.find_element(By.CSS_SELECTOR, ".warning").text
    assert_accessible(driver, "sign-in-refused")


def test_signing_in_answering_and_out_work_with_javascript_off(site, browser):
    """axe-core needs scripts, so these pages are checked with them on (above); here only that they work."""
    driver = browser("en", javascript=False)
    site.sign_in(driver, EMAILS["mannheim"])
    assert "Welcome, officer" in driver.find_element(By.TAG_NAME, "h1").text
    screenshot(driver, "en", "home-without-javascript")
    press(driver, "form[action='/sign-out'] button")
    assert driver.current_url == site.url("/")


def test_a_form_posted_without_its_csrf_token_is_refused_with_a_page(site):
    body = urllib.parse.urlencode({"email": EMAILS["rome"]}).encode()
    request = urllib.request.Request(site.url("/sign-in"), data=body, method="POST")
    try:
        urllib.request.urlopen(request, timeout=10)
        raise AssertionError("a CSRF-less POST was accepted")
    except urllib.error.HTTPError as refused:
        page = refused.read().decode()
        assert refused.code == 400
        assert refused.headers["Content-Type"].startswith("text/html")
        assert "did not come from this site" in page


def test_the_auditors_pages_in_chinese(site, browser):
    driver = browser("zh_Hans")
    link = site.ask_link(driver, EMAILS["auditor"])
    assert "请查收邮件" in driver.find_element(By.TAG_NAME, "h1").text
    assert_accessible(driver, "sign-in-sent")
    driver.get(link)
    pages = {
        "audit-log": ("/audit", "审计日志"),
        "audit-history": (f"/audit/history?kind=cities&id={site.cities['rome']}", "单条记录的历史"),
        "audit-as-of": (f"/audit/as-of?kind=cities&id={site.cities['rome']}&at=2020-01-01T00:00", "某一时刻的状态"),
        "audit-verify": ("/audit/verify?run=1", "哈希链校验"),
        "audit-exports": ("/audit/exports", "数据导出"),
        "home": ("/home", "欢迎您"),
        "sign-in-refused": ("/sign-in/not-a-real-link", "此登录链接无法使用"),
    }
    for name, (path, heading) in pages.items():
        driver.get(site.url(path))
        assert heading in driver.find_element(By.TAG_NAME, "h1").text, name
        assert_accessible(driver, name)
    driver.get(site.url(f"/audit/as-of?kind=cities&id={site.cities['rome']}&at=2020-01-01T00:00"))
    assert driver.find_element(By.ID, "id").get_attribute("aria-invalid") == "true"  # it did not exist then
