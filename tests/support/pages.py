"""Helpers for Flask-client tests of the pages (the ``pages`` fixture is in tests/api/conftest.py):
a form's CSRF token, asking for a sign-in link, the links mailed to the outbox, a signed-in client."""

from __future__ import annotations

import email
import email.policy
import re

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
LINK = re.compile(r"http://pages\.test/sign-in/([A-Za-z0-9_\-]+)")


def csrf(client, path: str = "/") -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def ask(client, address: str):
    return client.post("/sign-in", data={"email": address, "csrf_token": csrf(client)})


def mailed_tokens(outbox, address: str) -> list[str]:
    found = []
    for path in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if address in str(message["To"]) and message["X-Twinning-Kind"] == "sign-in-link":
            found += LINK.findall(message.get_body(("plain",)).get_content())
    return found


def signed_in_client(site, address: str = "officer@rome.example"):
    client = site.test_client()
    assert ask(client, address).status_code == 200
    answer = client.get(f"/sign-in/{mailed_tokens(site.outbox, address)[-1]}")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/home")
    return client
