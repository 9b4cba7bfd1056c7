"""The dispatcher finds each event's plan by the event's class, and knows which plans hold jobs for later.

``rearm`` after a clean stop puts back only the jobs of plans marked ``timed``: a plan that
schedules a job for later without the mark would lose it when Redis restarts empty, and a
mark on a plan that never does would re-read events for nothing. The story below (Rome's
proposals to Yantai and Chengdu, a session moved and one cancelled, a pilot's milestones,
an MoU) touches every planned event class.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from eventsourcing.utils import get_topic

from domain.access import SYSTEM
from workers.dispatcher import PLANS, Dispatcher, planned_events


def _story(people) -> None:
    app, rome, yantai, facilitator = (
        people.programme,
        people.officer("rome"),
        people.officer("yantai"),
        people.facilitator,
    )
    city = people.city
    proposal = app.propose_partnership(rome, "Urban agriculture", city("rome"), [city("yantai")]).aggregate
    app.invite_to_partnership(rome, str(proposal.id), city("chengdu"))
    active = app.propose_partnership(rome, "Rooftop farms", city("rome"), [city("yantai")]).aggregate
    app.accept_invitation(yantai, str(active.id), city("yantai"))
    app.update_city(rome, city("rome"), {"population": 2_800_000})
    soon = datetime.now(UTC) + timedelta(days=3)
    moved = app.schedule_meeting(facilitator, "Digital twins", "webinar", soon, 60, [city("rome"), city("yantai")])
    app.invite_to_meeting(facilitator, str(moved.aggregate.id), city("chengdu"))
    app.reschedule_meeting(facilitator, str(moved.aggregate.id), soon + timedelta(days=1))
    app.schedule_meeting(facilitator, "Energy workshop", "workshop", soon, 90, [city("rome"), city("yantai")])
    called_off = app.schedule_meeting(facilitator, "Visit", "field_visit", soon, 120, [city("rome"), city("yantai")])
    app.cancel_meeting(facilitator, str(called_off.aggregate.id), "typhoon warning")
    pilot = app.launch_project(rome, "Rooftop farms pilot", str(active.id)).aggregate
    in_a_month = date.today() + timedelta(days=30)
    app.plan_milestone(rome, str(pilot.id), "Survey", in_a_month, milestone_id="survey")
    app.plan_milestone(rome, str(pilot.id), "Seedlings", in_a_month, milestone_id="seedlings")
    app.reschedule_milestone(rome, str(pilot.id), "survey", in_a_month + timedelta(days=14), "rain")
    parties = [
        {"name": "Yantai University", "city_id": city("yantai")},
        {"name": "Tuscia University", "city_id": city("rome")},
    ]
    app.draft_agreement(yantai, "Research MoU", "mou", parties)
    # Closing the loop: an answer declined, signatures, an achievement, a completion, a session held.
    refused = app.propose_partnership(rome, "Canal heritage", city("rome"), [city("yantai")]).aggregate
    app.decline_invitation(yantai, str(refused.id), city("yantai"), "not this year")
    lapsed = app.propose_partnership(rome, "Silk road museums", city("rome"), [city("chengdu")]).aggregate
    app.expire_invitation(SYSTEM, str(lapsed.id), city("chengdu"))
    signed = app.draft_agreement(yantai, "Exchange protocol", "protocol", parties).aggregate
    app.sign_agreement(yantai, str(signed.id), "Yantai University", date.today())
    app.sign_agreement(rome, str(signed.id), "Tuscia University", date.today())
    compost = app.launch_project(rome, "Compost pilot", str(active.id)).aggregate
    app.plan_milestone(rome, str(compost.id), "Bins", in_a_month, milestone_id="bins")
    app.achieve_milestone(rome, str(compost.id), "bins", date.today())
    app.complete_project(rome, str(compost.id), "Three rooftops composting")
    yesterday = datetime.now(UTC) - timedelta(days=1)
    app.record_held_meeting(
        facilitator, "Kick-off", "online", yesterday, 60, [city("rome"), city("yantai")], 12, "A good start"
    )


def test_plans_are_found_by_event_class_and_timed_exactly_when_they_hold_jobs_for_later(people):
    _story(people)
    app = people.programme
    dispatcher = Dispatcher(app, queue=None, tracking_recorder=None)
    now = datetime.now(UTC)
    seen, with_later_jobs = set(), set()
    for notification in app.recorder.select_notifications(start=1, limit=10_000):
        event = app.mapper.to_domain_event(notification)
        specs = dispatcher.plan(event, now)
        if type(event) not in PLANS:
            assert specs == [], f"{type(event).__qualname__} has no plan yet planned {specs}"
            continue
        seen.add(type(event))
        if any(spec.at is not None and spec.at > now for spec in specs):
            with_later_jobs.add(type(event))

    assert seen == set(PLANS), f"the story misses {sorted(c.__qualname__ for c in set(PLANS) - seen)}"
    timed = {cls for cls, plan in PLANS.items() if plan.timed}
    assert with_later_jobs == timed
    assert sorted(planned_events(timed_only=True)) == sorted(get_topic(cls) for cls in timed)
