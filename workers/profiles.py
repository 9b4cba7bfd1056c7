"""City profiles for matchmaking, built from the Programme's aggregates.

Until a city-profile read model exists, cities and partnerships are found through the
notification log (their creation events, filtered by topic) and loaded one by one.
Good for the programme's scale (hundreds of cities); a view will replace it.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import median

from eventsourcing.utils import get_topic

from domain.application import Programme
from domain.matchmaking import CityProfile, partners_by_city
from domain.model.city import City
from domain.model.partnership import Partnership
from domain.regions import region_of
from domain.values import parse_hhmm

PAGE = 1000


def created_ids(programme: Programme, *event_classes: type) -> list[str]:
    """Ids of the aggregates created by these events, in log order."""
    topics = [get_topic(cls) for cls in event_classes]
    ids: list[str] = []
    start = 1
    while True:
        page = programme.recorder.select_notifications(start, PAGE, topics=topics)
        ids += [str(n.originator_id) for n in page]
        if len(page) < PAGE:
            return ids
        start = page[-1].id + 1


def load_cities(programme: Programme) -> list[City]:
    return [programme.load(City, cid) for cid in created_ids(programme, City.CityRegistered)]


def load_partnerships(programme: Programme) -> list[Partnership]:
    return [programme.load(Partnership, pid) for pid in created_ids(programme, Partnership.PartnershipProposed)]


def profile_of(city: City, partners: set[str] = frozenset(), response_hours: list[float] = ()) -> CityProfile:
    hours = city.working_hours or {}
    start, end = parse_hhmm(hours.get("start", "09:00")), parse_hhmm(hours.get("end", "18:00"))
    helix: dict[str, set[str]] = defaultdict(set)
    for stakeholder in city.stakeholders:
        for theme in stakeholder["themes"]:
            helix[theme].add(stakeholder["kind"])
    return CityProfile(
        id=str(city.id),
        name=city.name,
        country=city.country,
        region=region_of(city.country),
        timezone=city.timezone,
        themes_offered=frozenset(city.themes_offered),
        themes_sought=frozenset(city.themes_sought),
        helix={t: frozenset(k) for t, k in helix.items()},
        partners=frozenset(partners),
        working_hours=(start, end),
        working_days=frozenset(hours.get("days", range(5))),
        median_response_hours=median(response_hours) if response_hours else None,
        retired=city.status != "active",
    )


def load_profiles(programme: Programme) -> list[CityProfile]:
    """Every city's matchmaking profile: its own fields, its partners, and how fast it answers invitations."""
    partnerships = load_partnerships(programme)
    partners = partners_by_city(
        (p.status, p.proposer_city_id, {city: i["status"] for city, i in p.invitations.items()}) for p in partnerships
    )
    responses: dict[str, list[float]] = defaultdict(list)
    for partnership in partnerships:
        for city_id, invitation in partnership.invitations.items():
            if invitation["answered_at"] is not None and invitation["invited_at"] is not None:
                hours = (invitation["answered_at"] - invitation["invited_at"]).total_seconds() / 3600
                responses[city_id].append(max(0.0, hours))
    return [profile_of(c, partners.get(str(c.id), set()), responses[str(c.id)]) for c in load_cities(programme)]
