"""The read models on real stores: a programme story, one follower run, then every query."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from config.settings import persistence_env
from domain.errors import InvalidValue, UnknownCursor
from domain.followers import Follower
from domain.limits import MAX_CURSOR
from domain.views import Views
from tests.support.cast import Cast

CET = timezone(timedelta(hours=1))
CST = timezone(timedelta(hours=8))


@dataclass
class Story:
    """Ids of what the story created, filled in step by step."""

    ids: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> str:
        return self.ids[key]


def story_steps(cast: Cast, story: Story) -> Iterator[str]:
    """The programme's story in steps; each ``yield`` names the step just recorded (new events between runs)."""
    app, fac = cast.programme, cast.facilitator
    rome, yantai, mannheim = cast.city("rome"), cast.city("yantai"), cast.city("mannheim")
    chongqing, chengdu, barcelona = cast.city("chongqing"), cast.city("chengdu"), cast.city("barcelona")
    story.ids.update(
        rome=rome, yantai=yantai, mannheim=mannheim, chongqing=chongqing, chengdu=chengdu, barcelona=barcelona
    )

    liuzhou = app.register_city(
        fac, "Liuzhou", "CN", "Asia/Shanghai", ["advanced-manufacturing"], ["mobility"], local_name="柳州"
    ).aggregate
    malaga = app.register_city(
        fac,
        "Málaga",
        "ES",
        "Europe/Madrid",
        ["tourism", "smart-city"],
        ["hydrogen"],
        working_hours={"start": "08:00", "end": "15:00", "days": [0, 1, 2, 3, 4]},
    ).aggregate
    story.ids.update(liuzhou=str(liuzhou.id), malaga=str(malaga.id))
    app.update_city(cast.officer("rome"), rome, {"local_name": "Roma", "population": 2_800_000})
    app.add_stakeholder(cast.officer("rome"), rome, "Tuscia University", "research", ["urban-agriculture"])
    app.add_stakeholder(cast.officer("rome"), rome, "Roma Capitale", "public", ["urban-agriculture", "smart-city"])
    yield "cities"

    p1 = app.propose_partnership(
        cast.officer("rome"), "Urban agriculture research", rome, [yantai], ["urban-agriculture"]
    ).aggregate
    app.accept_invitation(cast.officer("yantai"), str(p1.id), yantai)
    p2 = app.propose_partnership(
        cast.officer("mannheim"),
        "Advanced manufacturing exchange",
        mannheim,
        [chongqing, chengdu],
        ["advanced-manufacturing", "connectivity"],
    ).aggregate
    app.accept_invitation(cast.officer("chongqing"), str(p2.id), chongqing)
    p3 = app.propose_partnership(
        cast.officer("barcelona"), "Hydrogen mobility", barcelona, [chengdu], ["hydrogen"]
    ).aggregate
    app.decline_invitation(cast.officer("chengdu"), str(p3.id), chengdu, reason="Not this year")
    p4 = app.propose_partnership(cast.officer("rome"), "Smart city twins", rome, [chengdu], ["smart-city"]).aggregate
    app.withdraw_proposal(cast.officer("rome"), str(p4.id), reason="Merged into another proposal")
    story.ids.update(p1=str(p1.id), p2=str(p2.id), p3=str(p3.id), p4=str(p4.id))
    yield "partnerships"

    app.clock.current = datetime(2020, 10, 1, 9, 0, tzinfo=CET)  # the autumn's sessions are planned ahead
    m1 = app.schedule_meeting(
        fac,
        "MoU signing ceremony",
        "online",
        datetime(2020, 10, 28, 9, 0, tzinfo=CET),
        90,
        [rome, yantai],
        partnership_id=str(p1.id),
    ).aggregate
    m2 = app.schedule_meeting(
        fac, "Industry 4.0 workshop", "workshop", datetime(2020, 11, 5, 10, 0, tzinfo=CST), 120, [mannheim, chongqing]
    ).aggregate
    m3 = app.schedule_meeting(
        fac, "Smart city webinar", "webinar", datetime(2020, 12, 3, 9, 30, tzinfo=CET), 60, [rome, barcelona]
    ).aggregate
    app.clock.current = datetime(2020, 10, 28, 12, 0, tzinfo=CET)
    app.record_meeting_outcome(fac, str(m1.id), 40, "Yantai and Tuscia universities signed an MoU")
    app.reschedule_meeting(fac, str(m2.id), datetime(2020, 11, 6, 10, 0, tzinfo=CST))
    app.invite_to_meeting(fac, str(m2.id), chengdu)
    app.cancel_meeting(fac, str(m3.id), "Speaker unavailable")
    app.clock.current = None  # back to the wall clock
    story.ids.update(m1=str(m1.id), m2=str(m2.id), m3=str(m3.id))
    yield "meetings"

    a1 = app.draft_agreement(
        cast.officer("yantai"),
        "Yantai University – Tuscia University MoU",
        "mou",
        [{"name": "Yantai University", "city_id": yantai}, {"name": "Tuscia University", "city_id": rome}],
        ["urban-agriculture"],
        partnership_id=str(p1.id),
    ).aggregate
    app.sign_agreement(cast.officer("yantai"), str(a1.id), "Yantai University", date(2020, 10, 29))
    app.sign_agreement(cast.officer("rome"), str(a1.id), "Tuscia University", date(2020, 10, 30), signatory="Rector")
    a2 = app.draft_agreement(
        cast.officer("mannheim"),
        "Mannheim–Chongqing framework",
        "framework",
        [{"name": "City of Mannheim", "city_id": mannheim}, {"name": "Chongqing Municipality", "city_id": chongqing}],
        ["advanced-manufacturing"],
    ).aggregate
    app.sign_agreement(cast.officer("mannheim"), str(a2.id), "City of Mannheim", date(2020, 11, 10))
    story.ids.update(a1=str(a1.id), a2=str(a2.id))
    yield "agreements"

    pr1 = app.launch_project(
        cast.officer("rome"),
        "Sino-Italian Faculty of Urban Agriculture",
        str(p1.id),
        ["urban-agriculture"],
        description="A joint faculty",
    ).aggregate
    app.plan_milestone(
        cast.officer("rome"), str(pr1.id), "Summer school held", date(2021, 7, 1), milestone_id="summer-school"
    )
    app.plan_milestone(
        cast.officer("rome"), str(pr1.id), "Pilot greenhouse", date(2021, 3, 1), milestone_id="greenhouse"
    )
    app.achieve_milestone(cast.officer("yantai"), str(pr1.id), "summer-school", date(2021, 7, 15), note="First cohort")
    pr2 = app.launch_project(
        cast.officer("yantai"),
        "Vertical farm demonstrator",
        str(p1.id),
        ["urban-agriculture"],
        description="A demonstrator in Yantai",
    ).aggregate
    app.plan_milestone(cast.officer("yantai"), str(pr2.id), "Farm built", date(2021, 5, 1), milestone_id="built")
    app.reschedule_milestone(cast.officer("yantai"), str(pr2.id), "built", date(2021, 6, 1), "Supply delays")
    app.complete_project(cast.officer("yantai"), str(pr2.id), "Demonstrator running, 2 t of greens a month")
    story.ids.update(pr1=str(pr1.id), pr2=str(pr2.id))
    yield "projects"

    chengdu_officer = cast.officer("chengdu").user_id
    app.record_notification(
        cast.admin,
        f"invitation/partnership/{p2.id}/1/{chengdu_officer}",
        "invitation",
        chengdu_officer,
        {"kind": "partnership", "id": str(p2.id)},
        "Mannheim invites Chengdu",
        "Advanced manufacturing exchange awaits your answer",
        ["inbox", "email"],
    )
    app.record_notification(
        cast.admin,
        f"meeting_reminder/meeting/{m2.id}/2/{chengdu_officer}",
        "meeting_reminder",
        chengdu_officer,
        {"kind": "meeting", "id": str(m2.id)},
        "Industry 4.0 workshop tomorrow",
        "Starts at 10:00 Asia/Shanghai",
        ["inbox"],
    )
    app.retire_city(fac, str(liuzhou.id), reason="Left the programme")
    yield "notifications"


def tell_story(cast: Cast) -> Story:
    story = Story()
    for _ in story_steps(cast, story):
        pass
    return story


@pytest.fixture
def views(database_url):
    views = Views(persistence_env(database_url))
    yield views
    views.close()


@pytest.fixture
def told(cast, views) -> Story:
    story = tell_story(cast)
    processed = Follower(cast.programme, views).run_once()
    assert processed == cast.programme.recorder.max_notification_id()
    return story


def walk(query, **filters) -> list[dict]:
    """Every item of a list, page by page."""
    items, cursor, pages = [], None, 0
    while True:
        page = query(cursor=cursor, **filters)
        items += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return items
        assert pages < 100


def names(items) -> list[str]:
    return [i["name"] for i in items]


def test_follower_catches_up_and_tracks_in_the_view(cast, views, told):
    follower = Follower(cast.programme, views)
    assert views.position() == cast.programme.recorder.max_notification_id()
    assert follower.lag() == 0
    assert follower.run_once() == 0
    assert follower.wait_for(views.position(), timeout=0.1)
    assert not follower.wait_for(views.position() + 1, timeout=0.05)


def test_city_directory_filters_and_search(views, told):
    everyone = names(walk(views.cities))
    assert everyone == ["Barcelona", "Chengdu", "Chongqing", "Liuzhou", "Málaga", "Mannheim", "Rome", "Yantai"]
    assert names(walk(views.cities, region="europe")) == ["Barcelona", "Málaga", "Mannheim", "Rome"]
    # theme offered or sought
    assert names(walk(views.cities, theme="hydrogen")) == ["Chengdu", "Málaga", "Rome"]
    assert names(walk(views.cities, theme="hydrogen", region="east-asia")) == ["Chengdu"]
    assert names(walk(views.cities, status="retired")) == ["Liuzhou"]
    assert len(walk(views.cities, status="active")) == 7

    rome = views.city(told["rome"])
    assert (rome["local_name"], rome["population"], rome["region"]) == ("Roma", 2_800_000, "europe")
    assert {(s["name"], s["kind"]) for s in rome["stakeholders"]} == {
        ("Tuscia University", "research"),
        ("Roma Capitale", "public"),
    }
    assert views.city("00000000-0000-0000-0000-000000000000") is None


SEARCHES = [
    ("柳", ["Liuzhou"]),
    ("柳州", ["Liuzhou"]),
    ("málaga", ["Málaga"]),
    ("MÁLAGA", ["Málaga"]),
    (unicodedata.normalize("NFD", "Málaga"), ["Málaga"]),
    ("ROM", ["Rome"]),
    ("roma", ["Rome"]),
    ("AN", ["Mannheim", "Yantai"]),
    ("%", []),
    ("_", []),
    ("   ", ["Barcelona", "Chengdu", "Chongqing", "Liuzhou", "Málaga", "Mannheim", "Rome", "Yantai"]),
]


def test_city_search_is_unicode_and_case_insensitive(views, told):
    for q, expected in SEARCHES:
        assert names(walk(views.cities, q=q)) == expected, q
    assert names(walk(views.cities, q="G", region="east-asia", limit=1)) == ["Chengdu", "Chongqing"]


def test_city_search_folds_accents_on_both_sides(views, told):
    """Typed without its accent, as on most keyboards outside Spain, Málaga is still found; and the other way round."""
    for q in ("malaga", "MALAGA", "Malaga", "málagá", "la", "ma\u0301laga"):
        assert "Málaga" in names(walk(views.cities, q=q)), q
    assert names(walk(views.cities, q="liuzhou")) == names(walk(views.cities, q="柳州")) == ["Liuzhou"]


def test_cursor_walks_every_page_without_duplicates_or_gaps(views, told):
    whole = views.cities(limit=200)["items"]
    rome_timeline = [t["position"] for t in views.timeline(told["rome"], limit=200)["items"]]
    for limit in (1, 2, 3, 7, 8, 200):
        walked = walk(views.cities, limit=limit)
        assert [c["id"] for c in walked] == [c["id"] for c in whole]
        assert [t["position"] for t in walk(views.timeline, city_id=told["rome"], limit=limit)] == rome_timeline
        boards = walk(views.partnerships, limit=limit)
        assert len({p["id"] for p in boards}) == len(boards) == 4
        assert len({m["id"] for m in walk(views.meetings, limit=limit)}) == 3


def test_limits_and_cursors_are_checked(views, told):
    for limit in (0, 201, -1, True):
        with pytest.raises(InvalidValue):
            views.cities(limit=limit)
    next_cursor = views.cities(limit=1)["next_cursor"]
    with pytest.raises(UnknownCursor):
        views.partnerships(cursor=next_cursor)  # a cursor of another list
    for bad in ("nonsense", "W10", "!!!"):
        with pytest.raises(UnknownCursor):
            views.cities(cursor=bad)
    with pytest.raises(InvalidValue):
        views.cities(cursor="A" * (MAX_CURSOR + 1))  # longer than the document allows


def test_partnership_board(views, told):
    board = walk(views.partnerships)
    assert [p["title"] for p in board] == [  # newest first
        "Smart city twins",
        "Hydrogen mobility",
        "Advanced manufacturing exchange",
        "Urban agriculture research",
    ]
    assert {p["id"]: p["status"] for p in board} == {
        told["p1"]: "active",
        told["p2"]: "proposed",
        told["p3"]: "declined",
        told["p4"]: "withdrawn",
    }
    assert [p["id"] for p in walk(views.partnerships, status="active")] == [told["p1"]]
    assert [p["id"] for p in walk(views.partnerships, city_id=told["chengdu"])] == [told["p4"], told["p3"], told["p2"]]
    assert [p["id"] for p in walk(views.partnerships, city_id=told["mannheim"])] == [told["p2"]]  # as proposer
    assert [p["id"] for p in walk(views.partnerships, theme="connectivity")] == [told["p2"]]
    assert walk(views.partnerships, theme="connectivity", status="active") == []

    p2 = views.partnership(told["p2"])
    assert p2["proposer_name"] == "Mannheim"
    assert [(i["name"], i["status"]) for i in p2["invitations"]] == [("Chongqing", "accepted"), ("Chengdu", "pending")]
    assert p2["invitations"][0]["answered_at"].tzinfo is not None
    p3 = views.partnership(told["p3"])
    assert p3["invitations"][0]["reason"] == "Not this year"
    assert views.partnership(told["p4"])["closing_reason"] == "Merged into another proposal"


def test_invitations_awaiting_a_city(views, told):
    awaiting = views.invitations_awaiting(told["chengdu"])["items"]
    assert [(a["partnership_id"], a["proposer_name"]) for a in awaiting] == [(told["p2"], "Mannheim")]
    assert views.invitations_awaiting(told["yantai"])["items"] == []


def test_calendar(views, told):
    everything = walk(views.meetings)
    assert [m["title"] for m in everything] == ["MoU signing ceremony", "Industry 4.0 workshop", "Smart city webinar"]
    m1 = everything[0]
    assert m1["starts_at"] == datetime(2020, 10, 28, 9, 0, tzinfo=CET)
    assert m1["starts_at"].tzinfo is not None and m1["starts_at"].utcoffset() == timedelta(0)
    assert m1["ends_at"] - m1["starts_at"] == timedelta(minutes=90)
    assert (m1["status"], m1["attendance"]) == ("held", 40)
    assert {c["name"]: c["attended"] for c in m1["invited_cities"]} == {"Rome": True, "Yantai": True}

    m2 = views.meeting(told["m2"])
    assert (m2["starts_at"], m2["sequence"]) == (datetime(2020, 11, 6, 2, 0, tzinfo=UTC), 1)
    assert [c["name"] for c in m2["invited_cities"]] == ["Mannheim", "Chongqing", "Chengdu"]
    assert views.meeting(told["m3"])["status"] == "cancelled"

    assert [m["id"] for m in walk(views.meetings, city_id=told["rome"])] == [told["m1"], told["m3"]]
    assert [m["id"] for m in walk(views.meetings, city_id=told["chengdu"])] == [told["m2"]]
    november = {"from_": datetime(2020, 11, 1, tzinfo=CET), "to": datetime(2020, 12, 1, tzinfo=CET)}
    assert [m["id"] for m in walk(views.meetings, **november)] == [told["m2"]]
    assert [m["id"] for m in walk(views.meetings, city_id=told["rome"], **november)] == []
    assert [m["id"] for m in walk(views.meetings, from_=datetime(2020, 11, 6, 2, 0, tzinfo=UTC))] == [
        told["m2"],
        told["m3"],
    ]
    assert [m["id"] for m in walk(views.meetings, status="cancelled")] == [told["m3"]]
    assert [m["id"] for m in walk(views.meetings, limit=1)] == [m["id"] for m in everything]
    with pytest.raises(InvalidValue):
        views.meetings(from_=datetime(2020, 11, 1))  # naive


def test_agreements_and_projects(views, told):
    assert [a["id"] for a in walk(views.agreements)] == [told["a2"], told["a1"]]
    a1 = views.agreement(told["a1"])
    assert (a1["status"], a1["in_force_on"]) == ("in_force", date(2020, 10, 30))
    assert [(p["name"], p["signed_on"], p["signatory"]) for p in a1["parties"]] == [
        ("Yantai University", date(2020, 10, 29), None),
        ("Tuscia University", date(2020, 10, 30), "Rector"),
    ]
    assert [a["id"] for a in walk(views.agreements, status="in_force")] == [told["a1"]]
    assert [a["id"] for a in walk(views.agreements, city_id=told["mannheim"])] == [told["a2"]]
    assert [a["id"] for a in walk(views.agreements, kind="mou", partnership_id=told["p1"])] == [told["a1"]]

    projects = walk(views.projects, as_of=date(2021, 6, 1))
    assert [p["id"] for p in projects] == [told["pr2"], told["pr1"]]
    pr1 = projects[1]
    assert {m["id"]: m["state"] for m in pr1["milestones"]} == {"greenhouse": "overdue", "summer-school": "planned"}
    later = views.project(told["pr1"], as_of=date(2021, 8, 1))
    assert {m["id"]: m["state"] for m in later["milestones"]} == {"greenhouse": "overdue", "summer-school": "achieved"}
    assert later["milestone_counts"] == {"planned": 0, "achieved": 1, "overdue": 1}
    pr2 = views.project(told["pr2"], as_of=date(2022, 1, 1))
    assert pr2["status"] == "completed"
    assert pr2["milestones"][0]["due_on"] == date(2021, 6, 1)
    assert pr2["milestones"][0]["state"] == "planned"  # a completed project has nothing overdue
    assert [p["id"] for p in walk(views.projects, status="active", city_id=told["yantai"])] == [told["pr1"]]
    assert walk(views.projects, city_id=told["mannheim"]) == []


def test_dashboard(views, told):
    board = views.dashboard(as_of=date(2021, 8, 1))
    assert board["cities"]["total"] == 8
    assert board["cities"]["by_status"] == {"active": 7, "retired": 1}
    assert board["partnerships"]["by_status"] == {"active": 1, "declined": 1, "proposed": 1, "withdrawn": 1}
    assert board["partnerships"]["by_theme"]["urban-agriculture"] == 1
    assert board["partnerships"]["by_theme_and_status"]["hydrogen"] == {"declined": 1}
    assert board["sessions"]["by_status"] == {"cancelled": 1, "held": 1, "scheduled": 1}
    assert (board["sessions"]["held"], board["sessions"]["participants"]) == (1, 40)
    assert board["agreements"]["mous_in_force"] == 1
    assert board["agreements"]["by_status"] == {"drafted": 1, "in_force": 1}
    assert board["projects"]["by_status"] == {"active": 1, "completed": 1}
    assert board["milestones"] == {"total": 3, "achieved": 1, "overdue": 1, "planned": 1}
    earlier = views.dashboard(as_of=date(2021, 2, 1))["milestones"]
    assert earlier == {"total": 3, "achieved": 0, "overdue": 0, "planned": 3}


def test_progress_review(views, told):
    rows = views.progress_review(as_of=date(2021, 8, 1))["items"]
    assert [(r["project"], sorted(r["cities"]), r["status"]) for r in rows] == [
        ("Sino-Italian Faculty of Urban Agriculture", ["Rome", "Yantai"], "active"),
        ("Vertical farm demonstrator", ["Rome", "Yantai"], "completed"),
    ]
    assert (rows[0]["latest_result"], rows[0]["latest_result_on"]) == (
        "Summer school held: First cohort",
        date(2021, 7, 15),
    )
    assert rows[1]["latest_result"] == "Demonstrator running, 2 t of greens a month"
    before = views.progress_review(as_of=date(2021, 1, 1))["items"][0]
    assert (before["latest_result"], before["latest_result_source"]) == ("A joint faculty", "description")


def test_inbox(cast, views, told):
    inbox = views.inbox(cast.officer("chengdu").user_id)["items"]
    assert [n["kind"] for n in inbox] == ["meeting_reminder", "invitation"]  # newest first
    assert inbox[1]["subject"] == {"kind": "partnership", "id": told["p2"]}
    assert inbox[1]["channels"] == ["inbox", "email"]
    assert inbox[1]["sent_at"].tzinfo is not None
    assert set(inbox[1]) == {"id", "kind", "subject", "title", "body", "sent_at", "channels", "read_at"}
    assert views.inbox(cast.officer("rome").user_id)["items"] == []


def test_timeline_of_rome_in_log_order(views, told):
    timeline = walk(views.timeline, city_id=told["rome"], limit=5)
    positions = [t["position"] for t in timeline]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert [t["type"] for t in timeline] == [
        "CityRegistered",
        "ProfileUpdated",
        "StakeholderAdded",
        "StakeholderAdded",
        "PartnershipProposed",
        "InvitationAccepted",
        "PartnershipActivated",
        "PartnershipProposed",
        "ProposalWithdrawn",
        "MeetingScheduled",
        "MeetingScheduled",
        "MeetingHeld",
        "MeetingCancelled",
        "AgreementDrafted",
        "PartySigned",
        "PartySigned",
        "AgreementInForce",
        "ProjectLaunched",
        "MilestonePlanned",
        "MilestonePlanned",
        "MilestoneAchieved",
        "ProjectLaunched",
        "MilestonePlanned",
        "MilestoneRescheduled",
        "ProjectCompleted",
    ]
    assert timeline[4]["summary"] == "Rome proposed \u201cUrban agriculture research\u201d to Yantai"
    assert timeline[0]["recorded_at"].tzinfo is not None
    chengdu = [t["type"] for t in walk(views.timeline, city_id=told["chengdu"])]
    assert chengdu[-2:] == ["NotificationSent", "NotificationSent"]
    assert "ParticipantInvited" in chengdu and "MeetingRescheduled" not in chengdu  # invited after the move
    assert chengdu.count("NotificationSent") == 2  # notifications about its partnership and its session
    assert "InvitationDeclined" in chengdu


def test_city_profiles_feed_matchmaking(views, told):
    profiles = {p.name: p for p in views.city_profiles()}
    assert len(profiles) == 8
    rome = profiles["Rome"]
    assert rome.region == "europe" and rome.timezone == "Europe/Rome"
    assert rome.helix["urban-agriculture"] == {"research", "public"}
    assert rome.helix["smart-city"] == {"public"}
    assert rome.partners == {told["yantai"]}  # the withdrawn proposal is no tie
    assert profiles["Chengdu"].partners == {told["mannheim"], told["chongqing"]}  # pending in a proposed partnership
    assert profiles["Barcelona"].partners == frozenset()  # declined
    assert profiles["Yantai"].median_response_hours is not None and profiles["Yantai"].median_response_hours >= 0
    assert profiles["Rome"].median_response_hours is None
    malaga = profiles["Málaga"]
    assert [t.strftime("%H:%M") for t in malaga.working_hours] == ["08:00", "15:00"]
    assert [t.strftime("%H:%M") for t in rome.working_hours] == ["09:00", "18:00"]
    assert rome.working_days == {0, 1, 2, 3, 4}
    assert profiles["Liuzhou"].retired


def test_events_the_view_does_not_know_are_tracked_and_skipped(cast, views, told):
    before = views.dump()
    issued = cast.programme.create_user(cast.admin, "Another auditor", "auditor2@iuc.example", "auditor")
    cast.programme.revoke_tokens(cast.admin, str(issued.user.id))
    assert Follower(cast.programme, views).run_once() >= 3
    assert views.position() == cast.programme.recorder.max_notification_id()
    after = views.dump()
    # Users are known now (their preferences), their tokens still not.
    assert [row["id"] for row in after.pop("view_users")] == sorted(
        [row["id"] for row in before.pop("view_users")] + [str(issued.user.id)]
    )
    assert after == before
