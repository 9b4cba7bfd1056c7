"""A synthetic programme of any size, recorded fast with batched saves.

Cities with realistic countries, time zones, working hours, themes (the vocabulary's
clusters weighted over the SDGs) and triple-helix stakeholders; partnerships proposed
across world regions and answered; sessions scheduled and held; optionally one officer
per city (user, email claim, token, roster), so that notifications find recipients.

Events are built on the aggregates directly (the rules the aggregates check still
apply) and saved ``chunk`` aggregates at a time: one transaction per save, which is
what makes 100,000 events take seconds rather than minutes.

    app = Programme(env)
    made = generate(app, cities=10_000, officers=True)      # a given number of cities
    made = generate_events(app, 100_000)                     # about that many events
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bench.matchmaking import OTHER_REGIONS, PLACES, THEME_WEIGHTS, THEMES
from domain.application import Programme, hash_token
from domain.model.city import City
from domain.model.indexes import CityName, CityRoster, TokenOwner, UserEmail
from domain.model.meeting import Meeting
from domain.model.partnership import Partnership
from domain.model.user import User

ACTOR = str(uuid.UUID(int=1))
SAVE_CHUNK = 500  # aggregates per save
HOURS = [("09:00", "18:00")] * 6 + [("08:00", "17:00"), ("08:30", "17:30"), ("10:00", "19:00")]
KINDS = ["public", "private", "research"]
STAKEHOLDERS = {
    "public": ["City Council", "Port Authority", "Metropolitan Agency"],
    "private": ["Chamber of Commerce", "Energy Utility", "Logistics Cluster"],
    "research": ["University", "Institute of Technology", "Research Centre"],
}
MEETING_KINDS = ["online", "webinar", "workshop", "field_visit", "seminar"]


@dataclass
class Made:
    """What ``generate`` recorded (ids in creation order) and the log's length after it."""

    city_ids: list[str] = field(default_factory=list)
    regions: dict[str, str] = field(default_factory=dict)
    partnership_ids: list[str] = field(default_factory=list)
    meeting_ids: list[str] = field(default_factory=list)
    officer_tokens: dict[str, str] = field(default_factory=dict)  # city id -> its officer's token
    events: int = 0


def officer_token(n: int) -> str:
    return f"bench-officer-token-{n:07d}-" + "x" * 24


class Generator:
    def __init__(self, app: Programme, seed: int = 7, chunk: int = SAVE_CHUNK) -> None:
        self.app, self.rng, self.chunk = app, random.Random(seed), chunk
        self.made = Made()
        self.pending: list = []
        self.start = datetime(2021, 1, 4, 8, 0, tzinfo=UTC)

    # -- recording ---------------------------------------------------------------------------

    def _add(self, *aggregates) -> None:
        self.pending.extend(aggregates)
        if len(self.pending) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            recordings = self.app.save(*self.pending)
            self.made.events = recordings[-1].notification.id
            self.pending = []

    # -- aggregates ----------------------------------------------------------------------------

    def _themes(self, low: int, high: int) -> list[str]:
        return list(dict.fromkeys(self.rng.choices(THEMES, THEME_WEIGHTS, k=self.rng.randint(low, high))))

    def city(self, officer: bool = False) -> str:
        rng, n = self.rng, len(self.made.city_ids)
        group = rng.choices(PLACES, [w for w, _, _ in PLACES])[0]
        country, tz, names = rng.choice(group[2])
        region = OTHER_REGIONS.get(country, group[1])
        offered = self._themes(1, 5)
        sought = [t for t in self._themes(1, 5) if t not in offered] or [rng.choice(THEMES)]
        start, end = rng.choice(HOURS)
        name = f"{rng.choice(names)} {n}"
        city = City(
            name=name,
            country=country,
            timezone=tz,
            themes_offered=offered,
            themes_sought=sought,
            actor=ACTOR,
            working_hours={"start": start, "end": end, "days": [0, 1, 2, 3, 4]},
        )
        city.update_profile({"population": rng.randint(20_000, 9_000_000)}, actor=ACTOR)
        city.update_profile({"description": f"A city of {country} working on {', '.join(offered[:2])}"}, actor=ACTOR)
        for _ in range(rng.randint(1, 3)):
            kind = rng.choice(KINDS)
            city.add_stakeholder(
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                rng.choice(STAKEHOLDERS[kind]),
                kind,
                rng.sample(offered, min(len(offered), 2)),
                actor=ACTOR,
            )
        cid = str(city.id)
        claim = CityName(country=country, name=name, city_id=cid, actor=ACTOR)
        self.made.city_ids.append(cid)
        self.made.regions[cid] = region
        aggregates = [city, claim]
        if officer:
            token = officer_token(n)
            user = User.register(
                name=f"Officer of {name}", email=f"officer{n}@city{n}.example", role="officer", city_id=cid, actor=ACTOR
            )
            user.issue_token(hash_token(token), actor=ACTOR)
            roster = CityRoster(city_id=cid, actor=ACTOR)
            roster.join(str(user.id), actor=ACTOR)
            aggregates += [
                user,
                UserEmail(email=user.email, user_id=str(user.id), actor=ACTOR),
                TokenOwner(token_hash=hash_token(token), user_id=str(user.id), actor=ACTOR),
                roster,
            ]
            self.made.officer_tokens[cid] = token
        self._add(*aggregates)
        return cid

    def partnership(self, with_meeting: bool) -> str:
        rng, ids, regions = self.rng, self.made.city_ids, self.made.regions
        proposer = rng.choice(ids)
        others = [c for c in rng.sample(ids, min(len(ids), 8)) if c != proposer]
        across = [c for c in others if regions[c] != regions[proposer]] or others
        invited = list(dict.fromkeys([across[0], *others[: rng.randint(1, 2)]]))
        themes = self._themes(1, 3)
        partnership = Partnership.propose(
            title=f"Cooperation on {themes[0]} {len(self.made.partnership_ids)}",
            proposer_city_id=proposer,
            invited_city_ids=invited,
            themes=themes,
            actor=ACTOR,
            description="A synthetic partnership",
        )
        for city_id in invited:
            if rng.random() < 0.75:
                partnership.accept(city_id, actor=ACTOR)
            else:
                partnership.decline(city_id, actor=ACTOR, reason="Not this year")
        pid = str(partnership.id)
        self.made.partnership_ids.append(pid)
        aggregates = [partnership]
        if with_meeting and partnership.status == "active":
            starts = self.start + timedelta(hours=rng.randint(0, 24 * 365))
            planned = starts - timedelta(days=30)  # the synthetic history: planned a month ahead, then held
            meeting = Meeting.schedule(
                title=f"Session {len(self.made.meeting_ids)}",
                kind=rng.choice(MEETING_KINDS),
                starts_at=starts,
                duration_minutes=rng.choice([60, 90, 120]),
                invited_city_ids=partnership.member_city_ids,
                actor=ACTOR,
                now=planned,
                partnership_id=pid,
            )
            if rng.random() < 0.3:
                meeting.reschedule(starts + timedelta(days=7), actor=ACTOR, now=planned)
                starts += timedelta(days=7)
            meeting.record_outcome(rng.randint(5, 80), "Held as planned", now=starts + timedelta(hours=3), actor=ACTOR)
            self.made.meeting_ids.append(str(meeting.id))
            aggregates.append(meeting)
        self._add(*aggregates)
        return pid


def generate(
    app: Programme,
    cities: int,
    partnerships_per_city: float = 0.5,
    officers: bool = False,
    seed: int = 7,
    chunk: int = SAVE_CHUNK,
) -> Made:
    """Record ``cities`` cities, then partnerships (half with a session) among them."""
    gen = Generator(app, seed, chunk)
    for _ in range(cities):
        gen.city(officer=officers)
    for n in range(round(cities * partnerships_per_city)):
        gen.partnership(with_meeting=n % 2 == 0)
    gen.flush()
    gen.made.events = app.recorder.max_notification_id() or 0
    return gen.made


def generate_events(
    app: Programme, events: int, officers: bool = False, seed: int = 7, chunk: int = SAVE_CHUNK
) -> Made:
    """Record at least ``events`` events: rounds of 50 cities and 50 partnerships (half with a session)."""
    gen = Generator(app, seed, chunk)
    while True:
        for _ in range(50):
            gen.city(officer=officers)
        for n in range(50):
            gen.partnership(with_meeting=n % 2 == 0)
        gen.flush()
        if gen.made.events >= events:
            break
    gen.made.events = app.recorder.max_notification_id() or 0
    return gen.made
