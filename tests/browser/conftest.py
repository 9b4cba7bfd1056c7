"""Browser tests: the real ``twinning serve`` process (web, RQ worker, dispatcher and projector in
one embedded process, on SQLite; mail written to its outbox) driven by headless Chromium.

Write a test: take ``site`` (the running server, its API client, the cast's tokens, the outbox)
and ``browser`` (``browser("zh_Hans")`` opens a Chromium with that Accept-Language and its own
cookies), then ``site.sign_in(driver, email)`` and ``assert_accessible(driver, "page-name")``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser.support import OUTPUT, RESULTS, SCREENSHOTS, mails, new_driver, sign_in_link
from tests.e2e.conftest import ADMIN_TOKEN, BIN, Api, Proc, base_env, create_database, drop_database, free_port

pytestmark = pytest.mark.slow

# One embedded process holds the web threads, both followers, the dispatcher and the worker on one
# pool; the default (2 kept, 3 at most) starves it: "couldn't get a connection after 5.00 sec".
POSTGRES_POOLS = {"TWINNING_POOL_SIZE": "4", "TWINNING_POOL_MAX": "8"}
EMAILS = {
    "facilitator": "facilitator@programme.example",
    "auditor": "auditor@programme.example",
    "rome": "officer@rome.example",
    "yantai": "officer@yantai.example",
    "mannheim": "officer@mannheim.example",
}


@dataclass
class Site:
    base_url: str
    api: Api
    outbox: Path
    proc: Proc
    tokens: dict[str, str] = field(default_factory=dict)  # API tokens of the cast (to arrange, not to act)
    cities: dict[str, str] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path

    def ask_link(self, driver, address: str) -> str:
        """Ask for a link on the sign-in page, as a person does; answers the link mailed."""
        from selenium.webdriver.common.by import By

        before = mails(self.outbox)
        driver.get(self.url("/"))
        driver.find_element(By.ID, "email").send_keys(address)
        driver.find_element(By.CSS_SELECTOR, "form[action='/sign-in'] button[type=submit]").click()
        return sign_in_link(self.outbox, address, after=before)

    def sign_in(self, driver, address: str) -> None:
        driver.get(self.ask_link(driver, address))
        assert driver.current_url.endswith("/home"), driver.current_url


def _cast(api: Api) -> tuple[dict[str, str], dict[str, str]]:
    tokens = {
        "facilitator": api.user(ADMIN_TOKEN, "facilitator", EMAILS["facilitator"]),
        "auditor": api.user(ADMIN_TOKEN, "auditor", EMAILS["auditor"]),
    }
    cities = {
        "rome": api.city(tokens["facilitator"], "Rome", "IT", "Europe/Rome"),
        "yantai": api.city(tokens["facilitator"], "Yantai", "CN", "Asia/Shanghai"),
    }
    cities["mannheim"] = api.city(tokens["facilitator"], "Mannheim", "DE", "Europe/Berlin")
    for key in ("rome", "yantai", "mannheim"):
        tokens[key] = api.user(ADMIN_TOKEN, "officer", EMAILS[key], cities[key])
    return tokens, cities


@contextmanager
def serving(workdir: Path, database_url: str | None = None) -> Iterator[Site]:
    """``twinning serve`` on SQLite under ``workdir`` (or on ``database_url``), with the cast enrolled."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = base_env(
        TWINNING_ADMIN_TOKEN=ADMIN_TOKEN,
        TWINNING_SECRET="browser-tests-secret",
        TWINNING_VAR_DIR=str(workdir / "var"),
        TWINNING_PUBLIC_URL=base_url,
        **({"TWINNING_DATABASE": database_url, **POSTGRES_POOLS} if database_url else {}),
    )
    command = [str(BIN / "twinning"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = Proc(command, workdir, env, workdir / "serve.log")
    try:
        api = Api(base_url)
        api.wait_up(proc, timeout=60)
        tokens, cities = _cast(api)
        yield Site(base_url, api, workdir / "var" / "outbox", proc, tokens, cities)
    finally:
        proc.kill()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("browser")) as running:
        yield running


@pytest.fixture
def postgres_site(tmp_path):
    """The same server on a PostgreSQL database of its own (the main story runs on both stores)."""
    name, url = create_database()
    try:
        with serving(tmp_path, url) as running:
            yield running
    finally:
        drop_database(name)


@pytest.fixture
def browser():
    """``browser(language, javascript=True)`` → a new headless Chromium; every one is closed at teardown."""
    drivers = []

    def open_browser(language: str = "en", javascript: bool = True):
        driver = new_driver(language, javascript)
        drivers.append(driver)
        return driver

    yield open_browser
    for driver in drivers:
        driver.quit()


def pytest_terminal_summary(terminalreporter):
    if not RESULTS:
        return
    terminalreporter.section("pages (axe-core violations per page; screenshots)")
    for page, violations in sorted(RESULTS.items()):
        terminalreporter.write_line(f"{page}: {violations} violations")
    terminalreporter.write_line(f"screenshots: {SCREENSHOTS}")
    (OUTPUT / "axe-results.txt").write_text("".join(f"{p}: {v}\n" for p, v in sorted(RESULTS.items())))
