"""The nav of every page: the areas a person's role may open. Areas not installed are left out."""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l

from domain.access import Principal
from domain.model.statuses import Role

ALL = None
# (endpoint, label, roles or ALL); pages-work appends its areas (cities, partnerships, meetings, reports).
NAV = [
    ("pages_home.home", _l("Home"), ALL),
    ("pages_audit.log", _l("Audit"), (Role.AUDITOR, Role.ADMIN)),
]
NAV += [
    ("pages_cities.directory", _l("Cities"), ALL),
    ("pages_partnerships.board", _l("Partnerships"), ALL),
    ("pages_meetings.calendar", _l("Calendar"), ALL),
    ("pages_reports.dashboard", _l("Reports"), ALL),
]


def role_names() -> dict[str, str]:
    return {
        Role.OFFICER: str(_l("city officer")),
        Role.FACILITATOR: str(_l("facilitator")),
        Role.AUDITOR: str(_l("auditor")),
        Role.ADMIN: str(_l("administrator")),
    }


def kind_names() -> dict[str, str]:
    return {
        "cities": str(_l("cities")),
        "partnerships": str(_l("partnerships")),
        "meetings": str(_l("sessions")),
        "agreements": str(_l("agreements")),
        "projects": str(_l("pilot projects")),
        "users": str(_l("users")),
        "audit": str(_l("the whole event log")),
    }


def status_names() -> dict[str, str]:
    """Partnership, invitation and session statuses (``{{ status_name(p.status) }}``)."""
    return {
        "proposed": str(_l("proposed")),
        "active": str(_l("active")),
        "declined": str(_l("declined")),
        "withdrawn": str(_l("withdrawn")),
        "concluded": str(_l("concluded")),
        "pending": str(_l("awaiting an answer")),
        "accepted": str(_l("accepted")),
        "scheduled": str(_l("scheduled")),
        "held": str(_l("held")),
        "cancelled": str(_l("cancelled")),
    }


def status_name(status: str) -> str:
    return status_names().get(str(status), str(status))


def role_name(role: str) -> str:
    return role_names().get(role, str(role))


def nav_links(principal: Principal) -> list[tuple[str, str]]:
    installed = current_app.view_functions
    return [
        (endpoint, str(label))
        for endpoint, label, roles in NAV
        if endpoint in installed and (roles is ALL or principal.role in roles)
    ]


def install(app: Flask) -> None:
    app.jinja_env.globals.update(
        nav_links=nav_links, role_name=role_name, kind_names=kind_names, status_name=status_name
    )


NAV += [("pages_preferences.preferences", _l("Preferences"), ALL)]  # pages-more
