"""Who may do what (DESIGN.md, "Who uses it"), for every command family.

Each family is tried by five people: an officer of the city concerned ("own"), an officer
of a city with nothing to do with it (Mannheim), the facilitator, the auditor and the
admin. An allowed command records events carrying that person as ``actor``; a refused
one raises PermissionDenied and records nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest

from domain.errors import PermissionDenied

CET = timezone(timedelta(hours=1))
STARTS = datetime(2020, 12, 3, 9, 30, tzinfo=CET)
TUSCIA, YANTAI_U = "Tuscia University", "Yantai University"

OFFICER_OF_IT = frozenset({"own", "facilitator", "admin"})
STAFF = frozenset({"facilitator", "admin"})
ADMIN = frozenset({"admin"})
WHO = ("own", "other", "facilitator", "auditor", "admin")


# --- the state each family acts on ------------------------------------------------------------


def proposal(people) -> str:
    """Rome proposes urban-agriculture research to Yantai."""
    return str(
        people.programme.propose_partnership(
            people.facilitator,
            "Urban agriculture research",
            people.city("rome"),
            [people.city("yantai")],
            ["urban-agriculture"],
        ).aggregate.id
    )


def active_partnership(people) -> str:
    pid = proposal(people)
    people.programme.accept_invitation(people.facilitator, pid, people.city("yantai"))
    return pid


@pytest.fixture(autouse=True)
def planning_time(clock):
    """The sessions of these stories are planned at the end of November 2020, ahead of their start."""
    clock.current = STARTS - timedelta(days=3)


def meeting(people) -> str:
    return str(
        people.programme.schedule_meeting(
            people.facilitator,
            "MoU signing ceremony",
            "online",
            STARTS,
            90,
            [people.city("rome"), people.city("yantai")],
        ).aggregate.id
    )


def agreement(people) -> str:
    return str(
        people.programme.draft_agreement(
            people.facilitator,
            "Yantai University – Tuscia University MoU",
            "mou",
            [{"name": YANTAI_U, "city_id": people.city("yantai")}, {"name": TUSCIA, "city_id": people.city("rome")}],
            ["urban-agriculture"],
        ).aggregate.id
    )


def agreement_in_force(people) -> str:
    aid = agreement(people)
    people.programme.sign_agreement(people.facilitator, aid, YANTAI_U, date(2020, 10, 29))
    people.programme.sign_agreement(people.facilitator, aid, TUSCIA, date(2020, 10, 30))
    return aid


def project(people) -> str:
    app = people.programme
    pid = str(
        app.launch_project(people.facilitator, "Faculty of Urban Agriculture", active_partnership(people)).aggregate.id
    )
    app.plan_milestone(people.facilitator, pid, "Summer school held", date(2021, 7, 1), milestone_id="summer-school")
    return pid


def extra_user(people) -> str:
    return str(people.programme.create_user(people.admin, "Guest auditor", "guest@iuc.example", "auditor").user.id)


def stakeholder(people) -> str:
    city = people.programme.add_stakeholder(
        people.facilitator, people.city("rome"), "ACEA", "private", ["energy-efficiency"]
    )
    return city.aggregate.stakeholders[0]["id"]


@dataclass(frozen=True)
class Family:
    """``prepare(people)`` builds the state and returns ``act(principal)``."""

    name: str
    own_city: str
    allowed: frozenset[str]
    prepare: Callable

    def __str__(self) -> str:
        return self.name


def _family(name, own_city, allowed):
    def register(prepare):
        FAMILIES.append(Family(name, own_city, allowed, prepare))
        return prepare

    return register


FAMILIES: list[Family] = []


@_family("register a city", "rome", STAFF)
def _(people):
    return lambda p: people.programme.register_city(p, "Bologna", "IT", "Europe/Rome", ["smart-city"])


@_family("edit a city's profile", "rome", OFFICER_OF_IT)
def _(people):
    return lambda p: people.programme.update_city(p, people.city("rome"), {"population": 2_844_000})


@_family("rename a city", "rome", OFFICER_OF_IT)
def _(people):
    return lambda p: people.programme.update_city(p, people.city("rome"), {"name": "Roma Capitale"})


@_family("add a stakeholder", "rome", OFFICER_OF_IT)
def _(people):
    return lambda p: people.programme.add_stakeholder(p, people.city("rome"), "Sapienza", "research", ["smart-city"])


@_family("remove a stakeholder", "rome", OFFICER_OF_IT)
def _(people):
    sid = stakeholder(people)
    return lambda p: people.programme.remove_stakeholder(p, people.city("rome"), sid)


@_family("retire a city", "rome", STAFF)
def _(people):
    return lambda p: people.programme.retire_city(p, people.city("rome"), "left")


@_family("propose a partnership", "rome", OFFICER_OF_IT)
def _(people):
    return lambda p: people.programme.propose_partnership(p, "Hydrogen", people.city("rome"), [people.city("chengdu")])


@_family("invite a city to a partnership", "rome", OFFICER_OF_IT)
def _(people):
    pid = proposal(people)
    return lambda p: people.programme.invite_to_partnership(p, pid, people.city("chengdu"))


@_family("withdraw a proposal", "rome", OFFICER_OF_IT)
def _(people):
    pid = proposal(people)
    return lambda p: people.programme.withdraw_proposal(p, pid, "postponed")


@_family("accept an invitation", "yantai", OFFICER_OF_IT)
def _(people):
    pid = proposal(people)
    return lambda p: people.programme.accept_invitation(p, pid, people.city("yantai"))


@_family("decline an invitation", "yantai", OFFICER_OF_IT)
def _(people):
    pid = proposal(people)
    return lambda p: people.programme.decline_invitation(p, pid, people.city("yantai"), "busy")


@_family("adopt an action plan", "yantai", OFFICER_OF_IT)
def _(people):
    pid = active_partnership(people)
    return lambda p: people.programme.adopt_action_plan(p, pid, "Joint agenda", date(2020, 11, 16))


@_family("conclude a partnership", "rome", OFFICER_OF_IT)
def _(people):
    pid = active_partnership(people)
    return lambda p: people.programme.conclude_partnership(p, pid, "faculty founded")


@_family("schedule a session", "rome", STAFF)
def _(people):
    return lambda p: people.programme.schedule_meeting(p, "Webinar", "webinar", STARTS, 60, [people.city("rome")])


@_family("invite a city to a session", "rome", STAFF)
def _(people):
    mid = meeting(people)
    return lambda p: people.programme.invite_to_meeting(p, mid, people.city("chengdu"))


@_family("reschedule a session", "rome", STAFF)
def _(people):
    mid = meeting(people)
    return lambda p: people.programme.reschedule_meeting(p, mid, STARTS + timedelta(days=1))


@_family("cancel a session", "rome", STAFF)
def _(people):
    mid = meeting(people)
    return lambda p: people.programme.cancel_meeting(p, mid, "speaker unavailable")


@_family("record a session's outcome", "rome", STAFF)
def _(people):
    mid = meeting(people)
    people.programme.clock.advance(days=4)  # the session has taken place
    return lambda p: people.programme.record_meeting_outcome(p, mid, 40, "MoU signed")


@_family("draft an agreement", "rome", OFFICER_OF_IT)
def _(people):
    parties = [{"name": TUSCIA, "city_id": people.city("rome")}, {"name": "Chongqing University"}]
    return lambda p: people.programme.draft_agreement(p, "MoU", "mou", parties)


@_family("sign an agreement for a party", "rome", OFFICER_OF_IT)
def _(people):
    aid = agreement(people)
    return lambda p: people.programme.sign_agreement(p, aid, TUSCIA, date(2020, 10, 30))


@_family("terminate an agreement", "yantai", OFFICER_OF_IT)
def _(people):
    aid = agreement_in_force(people)
    return lambda p: people.programme.terminate_agreement(p, aid, "merged", date(2023, 6, 30))


@_family("launch a pilot project", "rome", OFFICER_OF_IT)
def _(people):
    pid = active_partnership(people)
    return lambda p: people.programme.launch_project(p, "Faculty", pid, ["urban-agriculture"])


@_family("plan a milestone", "yantai", OFFICER_OF_IT)
def _(people):
    pid = project(people)
    return lambda p: people.programme.plan_milestone(p, pid, "Lab opened", date(2021, 3, 1))


@_family("achieve a milestone", "rome", OFFICER_OF_IT)
def _(people):
    pid = project(people)
    return lambda p: people.programme.achieve_milestone(p, pid, "summer-school", date(2021, 7, 15))


@_family("reschedule a milestone", "yantai", OFFICER_OF_IT)
def _(people):
    pid = project(people)
    return lambda p: people.programme.reschedule_milestone(p, pid, "summer-school", date(2021, 9, 1), "covid")


@_family("complete a pilot project", "rome", OFFICER_OF_IT)
def _(people):
    pid = project(people)
    return lambda p: people.programme.complete_project(p, pid, "done")


@_family("cancel a pilot project", "yantai", OFFICER_OF_IT)
def _(people):
    pid = project(people)
    return lambda p: people.programme.cancel_project(p, pid, "no funding")


@_family("create a user", "rome", ADMIN)
def _(people):
    return lambda p: people.programme.create_user(
        p, "Second Rome officer", "second@rome.example", "officer", city_id=people.city("rome")
    )


@_family("issue a token", "rome", ADMIN)
def _(people):
    uid = extra_user(people)
    return lambda p: people.programme.issue_token(p, uid)


@_family("revoke tokens", "rome", ADMIN)
def _(people):
    uid = extra_user(people)
    return lambda p: people.programme.revoke_tokens(p, uid)


@_family("deactivate a user", "rome", ADMIN)
def _(people):
    uid = extra_user(people)
    return lambda p: people.programme.deactivate_user(p, uid)


@_family("record a notification", "rome", ADMIN)
def _(people):
    return lambda p: people.programme.record_notification(
        p,
        "invitation/partnership/x/1/u",
        "invitation",
        people.officer("rome").user_id,
        {"kind": "partnership", "id": "x"},
        "You are invited",
        "Yantai invites Rome",
        ["inbox"],
    )


def principal(people, who: str, family: Family):
    return {
        "own": lambda: people.officer(family.own_city),
        "other": lambda: people.officer("mannheim"),
        "facilitator": lambda: people.facilitator,
        "auditor": lambda: people.auditor,
        "admin": lambda: people.admin,
    }[who]()


def actors_since(app, position: int) -> list[str]:
    return [
        getattr(app.mapper.to_domain_event(n), "actor", None)
        for n in app.recorder.select_notifications(position + 1, 10_000)
    ]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("family", FAMILIES, ids=str)
def test_who_may_do_what(people, family, who):
    app = people.programme
    act = family.prepare(people)
    acting = principal(people, who, family)
    before = app.recorder.max_notification_id()
    if who in family.allowed:
        act(acting)
        actors = actors_since(app, before)
        assert actors, f"{who} may {family.name}: events were recorded"
        assert set(actors) == {acting.user_id}
    else:
        with pytest.raises(PermissionDenied):
            act(acting)
        assert app.recorder.max_notification_id() == before, f"{who} may not {family.name}: nothing recorded"


def test_auditor_can_write_nothing(make_cast):
    refused = []
    for family in FAMILIES:
        people = make_cast()
        app = people.programme
        act = family.prepare(people)
        before = app.recorder.max_notification_id()
        with pytest.raises(PermissionDenied):
            act(people.auditor)
        assert app.recorder.max_notification_id() == before
        refused.append(family.name)
    assert len(refused) == len(FAMILIES) >= 30


def test_the_matrix_follows_the_design():
    """Officers act for their own city, facilitators also run sessions and register cities, only admins manage users."""
    by_allowed = {}
    for family in FAMILIES:
        by_allowed.setdefault(family.allowed, set()).add(family.name)
    assert by_allowed[ADMIN] == {
        "create a user",
        "issue a token",
        "revoke tokens",
        "deactivate a user",
        "record a notification",
    }
    assert by_allowed[STAFF] == {
        "register a city",
        "retire a city",
        "schedule a session",
        "invite a city to a session",
        "reschedule a session",
        "cancel a session",
        "record a session's outcome",
    }
    assert all("auditor" not in f.allowed and "other" not in f.allowed for f in FAMILIES)


def test_an_officer_of_a_city_only_invited_is_not_yet_a_member(people):
    """Chengdu, invited but still deciding, cannot launch a project or adopt a plan in Rome and Yantai's partnership."""
    app = people.programme
    pid = active_partnership(people)
    app.invite_to_partnership(people.officer("rome"), pid, people.city("chengdu"))
    with pytest.raises(PermissionDenied):
        app.launch_project(people.officer("chengdu"), "Hydrogen buses", pid)
    with pytest.raises(PermissionDenied):
        app.adopt_action_plan(people.officer("chengdu"), pid, "plan", date(2021, 1, 1))
    app.accept_invitation(people.officer("chengdu"), pid, people.city("chengdu"))
    launched = app.launch_project(people.officer("chengdu"), "Hydrogen buses", pid).aggregate
    assert people.city("chengdu") in launched.member_city_ids
