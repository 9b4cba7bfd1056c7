"""The content pages in a real Chromium against the real server: Rome's officer proposes to Yantai from
a suggestion, a facilitator finds a slot and schedules a session shown on Rome's and Yantai's clocks,
Rome cannot reach Yantai's forms, a stale form says so, and every page passes axe-core in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_time
from selenium.webdriver.common.by import By

from tests.browser.conftest import EMAILS
from tests.browser.support import assert_accessible, press


def heading(driver) -> str:
    return driver.find_element(By.TAG_NAME, "h1").text


def next_monday() -> date:
    today = datetime.now(UTC).date()
    return today + timedelta(days=7 - today.weekday())


@pytest.fixture(scope="module")
def arranged(site):
    """What the pages show: themes that make Yantai Rome's suggestion, a third city, a proposal, an
    agreement and a project with milestones (arranged over the API with the cast's tokens)."""
    api, tokens, cities = site.api, site.tokens, site.cities
    patched = api.call(
        "PATCH", f"/api/v1/cities/{cities['rome']}", tokens["facilitator"], {"themes_offered": ["smart-city"]}
    )
    assert patched.status == 200, patched.body
    if "mannheim" not in cities:  # the harness's cast has Mannheim now; a third city either way
        cities["mannheim"] = api.city(tokens["facilitator"], "Mannheim", "DE", "Europe/Berlin")
    active = api.post(  # Mannheim and Yantai: Rome stays free for Yantai to be its suggestion
        "/api/v1/partnerships",
        tokens["facilitator"],
        {"title": "Smart farming", "proposer_city_id": cities["mannheim"], "invited_city_ids": [cities["yantai"]]},
    )
    api.post(f"/api/v1/partnerships/{active['id']}/accept", tokens["yantai"], {"city_id": cities["yantai"]}, status=200)
    agreement = api.post(
        "/api/v1/agreements",
        tokens["facilitator"],
        {
            "title": "Universities MoU",
            "kind": "mou",
            "parties": [
                {"name": "Yantai University", "city_id": cities["yantai"]},
                {"name": "Mannheim University", "city_id": cities["mannheim"]},
            ],
            "topics": ["urban-agriculture"],
        },
    )
    project = api.post(
        "/api/v1/projects",
        tokens["facilitator"],
        {"title": "Rooftop greenhouses", "partnership_id": active["id"], "themes": ["urban-agriculture"]},
    )
    api.post(
        f"/api/v1/projects/{project['id']}/milestones",
        tokens["facilitator"],
        {"title": "First harvest", "due_on": (next_monday() + timedelta(days=90)).isoformat()},
    )
    starts = datetime.combine(next_monday(), datetime.min.time(), tzinfo=UTC) + timedelta(hours=8, minutes=30)
    meeting = api.post(
        "/api/v1/meetings",
        tokens["facilitator"],
        {
            "title": "Greenhouse design review",
            "kind": "workshop",
            "starts_at": starts.isoformat(),
            "duration_minutes": 60,
            "invited_city_ids": [cities["mannheim"], cities["yantai"]],
            "partnership_id": active["id"],
        },
    )
    return {
        "partnership": active["id"],
        "agreement": agreement["id"],
        "project": project["id"],
        "meeting": meeting["id"],
    }


def test_rome_proposes_to_yantai_from_a_suggestion(site, browser, arranged):
    driver = browser("en", javascript=False)  # every form works without scripts (axe-core needs them: see below)
    site.sign_in(driver, EMAILS["rome"])
    driver.find_element(By.LINK_TEXT, "Propose a partnership with Yantai").click()
    assert heading(driver) == "Propose a partnership"
    box = driver.find_element(By.CSS_SELECTOR, f"input[name=invited_city_ids][value='{site.cities['yantai']}']")
    assert box.is_selected()

    driver.find_element(By.ID, "propose-title").send_keys("Urban agriculture exchange")
    driver.find_element(By.ID, "propose-description").send_keys("Rooftop farms and school gardens")
    press(driver, "form[action='/partnerships'] button[type=submit]")
    assert heading(driver) == "Urban agriculture exchange"
    assert "Waiting for an answer" in driver.find_element(By.TAG_NAME, "table").text

    driver.get(site.url("/partnerships"))
    proposed = driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=status-proposed]").text
    assert "Urban agriculture exchange" in proposed


def test_a_facilitator_finds_a_slot_and_the_calendar_shows_rome_and_yantai_times(site, browser, arranged):
    schedule_from_a_slot(site, browser("en", javascript=False), checked=False)  # axe-core: the last test


def test_the_slot_to_calendar_story_on_postgresql(postgres_site, browser):
    schedule_from_a_slot(postgres_site, browser("zh_Hans"))


def schedule_from_a_slot(site, driver, checked: bool = True) -> None:
    """The facilitator's story; ``checked``: axe-core and screenshots (they need scripts on)."""
    check = assert_accessible if checked else (lambda driver, name: None)
    site.sign_in(driver, EMAILS["facilitator"])
    monday = next_monday()
    driver.get(site.url("/meetings/new"))
    for city in ("rome", "yantai"):
        driver.find_element(By.CSS_SELECTOR, f"#finder-city_ids input[value='{site.cities[city]}']").click()
    day = driver.find_element(By.ID, "finder-from")
    driver.execute_script("arguments[0].value = arguments[1]", day, monday.isoformat())
    press(driver, "form[action='/meetings/new'] button[type=submit]")
    slots = driver.find_element(By.CSS_SELECTOR, "ul.slots").text
    assert "Rome" in slots and "Yantai" in slots
    check(driver, "meeting-new")

    first = driver.find_elements(By.CSS_SELECTOR, "ul.slots a")[0]
    query = parse_qs(urlsplit(first.get_attribute("href")).query)
    starts = datetime.fromisoformat(query["starts_at"][0])
    language = "zh_Hans" if driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hans" else "en"
    clocks = [
        format_time(starts, "short", tzinfo=ZoneInfo(z), locale=language) for z in ("Europe/Rome", "Asia/Shanghai")
    ]
    first.click()
    driver.find_element(By.ID, "schedule-title").send_keys("Kick-off")
    for city in ("rome", "yantai"):  # the slot's cities come ticked
        assert driver.find_element(
            By.CSS_SELECTOR, f"#schedule-invited_city_ids input[value='{site.cities[city]}']"
        ).is_selected()
    assert driver.find_element(By.ID, "schedule-starts_local").get_attribute("value").startswith(monday.isoformat())
    press(driver, "form[action='/meetings'] button[type=submit]")
    assert heading(driver) == "Kick-off", driver.find_element(By.ID, "main").text
    local = driver.find_element(By.CSS_SELECTOR, "ul.local-times").text
    assert "Rome" in local and "Yantai" in local and "Asia/Shanghai" in local and "Europe/Rome" in local
    rome_line, yantai_line = local.splitlines()
    assert clocks[0] in rome_line and clocks[1] in yantai_line, (clocks, local)
    check(driver, "meeting")

    driver.get(site.url(f"/meetings?view=week&week={monday.isoformat()}"))
    week = driver.find_element(By.ID, "main").text
    assert "Kick-off" in week and "Europe/Rome" in week and "Asia/Shanghai" in week
    assert clocks[0] in week and clocks[1] in week
    check(driver, "calendar-week")
    driver.get(site.url("/meetings"))
    assert "Kick-off" in driver.find_element(By.ID, "main").text
    check(driver, "calendar")


def test_an_officer_of_rome_cannot_reach_yantais_forms(site, browser, arranged):
    proposal = site.api.post(
        "/api/v1/partnerships",
        site.tokens["yantai"],
        {
            "title": "Heritage walks",
            "proposer_city_id": site.cities["yantai"],
            "invited_city_ids": [site.cities["rome"]],
        },
    )
    driver = browser("en")
    site.sign_in(driver, EMAILS["rome"])
    driver.get(site.url(f"/partnerships/new?from={site.cities['yantai']}"))
    assert heading(driver) == "You cannot open this page"
    driver.get(site.url(f"/partnerships/{proposal['id']}/invitations/{site.cities['yantai']}"))
    assert heading(driver) == "You cannot open this page"
    assert_accessible(driver, "forbidden")


def test_a_stale_form_after_a_concurrent_change_says_so(site, browser, arranged):
    proposal = site.api.post(
        "/api/v1/partnerships",
        site.tokens["rome"],
        {"title": "Design week", "proposer_city_id": site.cities["rome"], "invited_city_ids": [site.cities["yantai"]]},
    )
    driver = browser("zh_Hans")
    site.sign_in(driver, EMAILS["yantai"])
    driver.get(site.url(f"/partnerships/{proposal['id']}"))
    site.api.post(
        f"/api/v1/partnerships/{proposal['id']}/invite",
        site.tokens["rome"],
        {"city_id": site.cities["mannheim"]},
        status=200,
    )
    driver.find_element(By.ID, "answer-1-reason").send_keys("预算已用完")
    press(driver, f"form[action='/partnerships/{proposal['id']}/decline'] button[type=submit]")
    alert = driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert "其他人修改了此内容" in alert
    assert "Mannheim" in driver.find_element(By.TAG_NAME, "table").text
    assert driver.find_element(By.ID, "answer-1-reason").get_attribute("value") == "预算已用完"
    assert_accessible(driver, "partnership-stale")


@pytest.mark.parametrize("language", ["en", "zh_Hans"])
def test_every_content_page_passes_axe_core(site, browser, arranged, language):
    driver = browser(language)
    site.sign_in(driver, EMAILS["facilitator"])
    monday = next_monday().isoformat()
    pages = {
        "cities": "/cities",
        "cities-search": "/cities?q=rom",
        "city": f"/cities/{site.cities['yantai']}",
        "partnerships": "/partnerships",
        "partnership": f"/partnerships/{arranged['partnership']}",
        "partnership-new": f"/partnerships/new?with={site.cities['yantai']}",
        "calendar": "/meetings",
        "calendar-week": f"/meetings?view=week&week={monday}",
        "meeting-new": f"/meetings/new?find=1&city_ids={site.cities['rome']}&city_ids={site.cities['yantai']}&from={monday}",
        "meeting": f"/meetings/{arranged['meeting']}",
        "agreement": f"/agreements/{arranged['agreement']}",
        "project": f"/projects/{arranged['project']}",
        "reports": "/reports",
    }
    for name, path in pages.items():
        driver.get(site.url(path))
        expected = "zh-Hans" if language == "zh_Hans" else "en"
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == expected, name
        assert_accessible(driver, name, language)

    driver.get(site.url("/partnerships/new"))  # a refused form: the summary, the messages beside the fields
    press(driver, "form[action='/partnerships'] button[type=submit]")
    assert driver.find_elements(By.CSS_SELECTOR, "#propose-proposer_city_id[aria-invalid=true]")
    assert_accessible(driver, "partnership-new-refused", language)
