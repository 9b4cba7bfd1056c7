"""Browser tests' helpers: headless Chromium from Debian (Selenium with /usr/bin/chromedriver, never
Selenium Manager), axe-core from the npm package (``make axe``), screenshots of every page visited."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import shutil
from pathlib import Path

from tests.e2e.conftest import ROOT, wait_until
from tests.support.services import service_missing

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
CHROMEDRIVER = Path(shutil.which("chromedriver") or "/usr/bin/chromedriver")
AXE = ROOT / "var" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
OUTPUT = ROOT / "var" / "test-output"
SCREENSHOTS = OUTPUT / "screenshots"
ACCEPT = {"en": "en-GB,en", "zh_Hans": "zh-CN,zh"}
RESULTS: dict[str, int] = {}  # "<lang>/<page>" → axe violations found (printed at the end of the run)
LINK = re.compile(r"https?://\S+/sign-in/[A-Za-z0-9_\-]+")


def press(driver, selector: str, by: str = "css selector") -> None:
    """Press a button or follow a link and wait for the page the server answers (POST/redirect/GET):
    until then ``find_element`` may still find the old page's elements, which go stale under it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(by, selector).click()
    WebDriverWait(driver, 20).until(lambda d: old.id != d.find_element(By.TAG_NAME, "html").id)
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")


def new_driver(language: str = "en", javascript: bool = True):
    """A headless Chromium speaking ``language`` (its Accept-Language), with a profile of its own;
    ``javascript=False`` turns scripts off (the pages must work without them)."""
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        service_missing("Chromium and chromedriver (make browser: apt-get install chromium chromium-driver)")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never download a browser or a driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1280,1000")
    options.add_argument(f"--lang={ACCEPT[language].split(',')[0]}")
    prefs = {"intl.accept_languages": ACCEPT[language]}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(30)
    return driver


def screenshot(driver, language: str, page: str) -> Path:
    target = SCREENSHOTS / language / f"{page}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(target))
    return target


def assert_accessible(driver, page_name: str, language: str | None = None) -> None:
    """axe-core on the page as it is: zero violations (WCAG 2.1 A and AA), and a screenshot of it.

    ``language`` defaults to the page's own ``<html lang>``."""
    if not AXE.exists():
        service_missing(f"axe-core at {AXE} (make axe)")
    language = language or (
        "zh_Hans" if driver.find_element("tag name", "html").get_attribute("lang") == "zh-Hans" else "en"
    )
    screenshot(driver, language, page_name)
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))))"
        ".catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));"
    )
    RESULTS[f"{language}/{page_name}"] = len(found)
    assert not found, f"axe-core on {page_name} ({language}): " + json.dumps(found, ensure_ascii=False, indent=1)


def sign_in_link(outbox: Path, address: str, timeout: float = 15.0, after: set[str] | None = None) -> str:
    """The newest sign-in link mailed to ``address`` (an .eml in the embedded mode's outbox)."""
    seen = after or set()

    def newest() -> str | None:
        for path in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
            if path.name in seen:
                continue
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if message["X-Twinning-Kind"] == "sign-in-link" and address in str(message["To"]):
                found = LINK.search(message.get_body(("plain",)).get_content())
                if found:
                    return found.group(0)
        return None

    return wait_until(newest, timeout, interval=0.1, what=f"a sign-in link mailed to {address}")


def mails(outbox: Path) -> set[str]:
    return {p.name for p in outbox.glob("*.eml")} if outbox.exists() else set()
