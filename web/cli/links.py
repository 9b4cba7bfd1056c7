"""The sign-in links ``twinning serve`` prints in embedded mode: one per demo role, so a newcomer
running ``make run`` clicks straight into the pages. Each link works once, for 15 minutes."""

from __future__ import annotations

from domain.application import Programme
from domain.demo.loader import demo_data
from web.cli.demo import DEMO_ADMIN
from web.pages.signin import link_to


def demo_people() -> list[tuple[str, str]]:
    data = demo_data()
    first = data["cities"][0]
    staff = data["users"]
    return [
        (f"officer of {first['name']}", f"officer.{first['key']}@iuc-asia.example"),
        ("facilitator", staff["facilitator"]["email"]),
        ("auditor", staff["auditor"]["email"]),
        ("admin", DEMO_ADMIN[1]),
    ]


def demo_sign_in_links(programme: Programme, public_url: str) -> list[tuple[str, str, str]]:
    """(role, email, link) for each demo person in the store; none before ``twinning demo``."""
    rows = []
    for role, email in demo_people():
        token = programme.demo_sign_in_link(email)
        if token:
            rows.append((role, email, link_to(public_url, token)))
    return rows
