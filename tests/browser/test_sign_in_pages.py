"""Signing in with a browser: Rome's officer asks for a link, opens it from the mail, sees home and
signs out; a used link and a CSRF-less form are refused with clear pages."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from selenium.webdriver.common.by import By

from tests.browser.conftest import EMAILS
from tests.browser.support import assert_accessible


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
    assert "Welcome, officer" in driver.find_element(By.TAG_NAME, "h1").text
    assert_accessible(driver, "home")

    driver.find_element(By.CSS_SELECTOR, "form[action='/sign-out'] button").click()
    assert driver.current_url == site.url("/")
    driver.get(site.url("/home"))
    assert driver.current_url.startswith(site.url("/?next=/home"))  # signed out: back to the sign-in page

    driver.get(link)  # the same link a second time
    assert "cannot be used" in driver.find_element(By.TAG_NAME, "h1").text
    assert "used already" in driver.find_element(By.CSS_SELECTOR, ".warning").text
    assert_accessible(driver, "sign-in-refused")


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
