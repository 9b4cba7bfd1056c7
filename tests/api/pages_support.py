"""A person at a browser, for the pages' Flask-client tests: signed in by their mailed link, posting
forms with the CSRF token the page gave them, following redirects as a browser does."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

EMAILS = {"facilitator": "facilitator@iuc.example", "auditor": "auditor@iuc.example"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_VERSION = re.compile(r'name="version" value="(\d+)"')


def email_of(who: str) -> str:
    return EMAILS.get(who, f"officer@{who}.example")


@dataclass
class Page:
    response: Any

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def html(self) -> str:
        return self.response.get_data(as_text=True)

    @property
    def text(self) -> str:
        """The page's text without tags, entities read (what a person reads)."""
        return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", self.html)))

    def csrf(self) -> str:
        found = _CSRF.search(self.html)
        assert found, "the page has no form with a CSRF token"
        return found.group(1)

    def version(self) -> int:
        found = _VERSION.search(self.html)
        assert found, "the page has no form with a version"
        return int(found.group(1))

    def error_next_to(self, prefix: str, name: str) -> str:
        """The message shown beside a control (its ``…-error`` element), the control marked invalid."""
        found = re.search(
            rf'<span class="field-error" id="{re.escape(prefix)}-{re.escape(name)}-error">([^<]*)</span>', self.html
        )
        assert found, f"no message next to {prefix}-{name}"
        control = re.search(rf'<(\w+)[^>]*\bid="{re.escape(prefix)}-{re.escape(name)}"[^>]*>', self.html)
        assert control, f"no control {prefix}-{name}"
        assert f"{prefix}-{name}-error" in control.group(0), f"{prefix}-{name} is not described by its message"
        if control.group(1) != "fieldset":  # a group of checkboxes is described, its boxes are not invalid
            assert 'aria-invalid="true"' in control.group(0), f"{prefix}-{name} is not marked invalid"
        return html.unescape(found.group(1))

    def value_of(self, prefix: str, name: str) -> str:
        """What an input or textarea holds."""
        tag = re.search(rf'<(input|textarea)[^>]*id="{re.escape(prefix)}-{re.escape(name)}"[^>]*>', self.html)
        assert tag, f"no control {prefix}-{name}"
        if tag.group(1) == "textarea":
            rest = self.html[tag.end() :]
            return html.unescape(rest[: rest.index("</textarea>")])
        value = re.search(r'value="([^"]*)"', tag.group(0))
        return html.unescape(value.group(1)) if value else ""


class Browser:
    def __init__(self, api, who: str, language: str = "en") -> None:
        self.api = api
        self.client = api.app.test_client()
        self.headers = {"Accept-Language": language}
        issued = api.programme.issue_sign_in_link(email_of(who))
        assert issued is not None, who
        signed = self.client.get(f"/sign-in/{issued.token}", headers=self.headers)
        assert signed.status_code in (302, 303), signed.status_code
        self.last: Page | None = None

    def settled(self) -> None:
        """Let the views read what the scene's arrangement (done through the API) recorded."""
        head = self.api.programme.recorder.max_notification_id() or 0
        follower = self.api.app.extensions["twinning"].views_follower
        assert follower.wait_for(head, 5), "the views did not catch up"

    def get(self, path: str, **query) -> Page:
        self.settled()
        self.last = Page(self.client.get(path, query_string=query or None, headers=self.headers))
        return self.last

    def post(self, path: str, data: dict, *, csrf: bool = True, follow: bool = True) -> Page:
        """Send a form as the last page gave it (its CSRF token); follow a redirect as a browser would."""
        body = dict(data)
        if csrf:
            body.setdefault("csrf_token", self.last.csrf())
        response = self.client.post(path, data=body, headers=self.headers)
        page = Page(response)
        if follow and response.status_code == 303:
            page.redirected_to = response.headers["Location"]
            page = Page(self.client.get(response.headers["Location"], headers=self.headers))
            page.redirected_to = response.headers["Location"]
        self.last = page
        return page
