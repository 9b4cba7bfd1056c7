"""Turning events into view rows, inside the caller's transaction.

Handlers are keyed by the event class's qualified name (``Partnership.PartnershipProposed``);
an event no handler knows (users, tokens, index aggregates, events added later) is
skipped, and still tracked by the caller. Every row is a function of the log up to
its event, so a rebuild from zero gives exactly the rows of incremental processing.

A ``Context`` lives for one transaction: it caches what handlers look up (city names,
partnership members, meeting invitees...) and is thrown away with the transaction, so
a rolled-back batch leaves nothing behind in memory either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from domain.errors import DomainError
from domain.regions import country_name, region_of
from domain.views.store import Add, Db, day, dump, fold, instant, load, parse_instant, sort_key

ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic", "actor"})
PARTNERSHIP_OPEN = ("proposed", "active")


def _region(country: str) -> str:
    try:
        return region_of(country)
    except (DomainError, KeyError):
        return "unknown"


def _country(country: str) -> str:
    try:
        return country_name(country)
    except (DomainError, KeyError):
        return country


def payload(event: Any) -> dict[str, Any]:
    return {k: v for k, v in event.__dict__.items() if k not in ENVELOPE}


def quoted(title: str) -> str:
    return f"\u201c{title}\u201d"


def listing(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _copy_partnership(p: dict[str, Any]) -> dict[str, Any]:
    return {**p, "invitations": {c: dict(i) for c, i in p["invitations"].items()}}


def _copy_meeting(m: dict[str, Any]) -> dict[str, Any]:
    return {**m, "cities": list(m["cities"])}


def _copy_agreement(a: dict[str, Any]) -> dict[str, Any]:
    return {**a, "parties": [dict(p) for p in a["parties"]]}


def _copy_project(p: dict[str, Any]) -> dict[str, Any]:
    return {**p, "cities": list(p["cities"]), "milestones": dict(p["milestones"])}


class Memory:
    """Look-ups kept from one committed batch to the next, so catching up does not re-read its own rows.

    It holds what the look-ups of ``Context`` would read from the view tables (city names,
    partnership invitations, meeting invitees, agreement parties, project members) as of
    the last batch this process committed. ``Views.process`` trusts it only while the
    views' tracking position is still the one that batch recorded (nobody else wrote in
    between), and throws it away otherwise. Bounded: past ``LIMIT`` entries of a kind,
    the older half is forgotten (and read again from the tables when needed).
    """

    LIMIT = 20_000

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.partnerships: dict[str, dict[str, Any]] = {}
        self.meetings: dict[str, dict[str, Any]] = {}
        self.agreements: dict[str, dict[str, Any]] = {}
        self.projects: dict[str, dict[str, Any]] = {}

    def absorb(self, ctx: Context) -> None:
        """Take in what a committed batch looked up and changed."""
        for kept, seen in (
            (self.names, ctx.names),
            (self.partnerships, ctx.partnerships),
            (self.meetings, ctx.meetings),
            (self.agreements, ctx.agreements),
            (self.projects, ctx.projects),
        ):
            kept.update(seen)
            if len(kept) > self.LIMIT:
                for key in list(kept)[: len(kept) // 2]:
                    del kept[key]


class Context:
    """One transaction's ``Db`` and its look-up caches.

    With a ``Memory`` (what earlier committed batches looked up), a look-up first asks the
    batch's own caches, then the memory (copying what it takes, so that a rolled-back
    batch leaves the memory as it was), then the tables.
    """

    def __init__(self, db: Db, memory: Memory | None = None) -> None:
        self.db = db
        self.memory = memory
        self.names: dict[str, str] = {}
        self.partnerships: dict[str, dict[str, Any]] = {}
        self.meetings: dict[str, dict[str, Any]] = {}
        self.agreements: dict[str, dict[str, Any]] = {}
        self.projects: dict[str, dict[str, Any]] = {}

    # -- look-ups (cached for the transaction) ----------------------------------------------

    def name(self, city_id: str) -> str:
        name = self.names.get(city_id)
        if name is None:
            if self.memory is not None:
                name = self.memory.names.get(city_id)
            if name is None:
                name = self.db.scalar("SELECT name FROM view_cities WHERE id = ?", (city_id,)) or city_id
            self.names[city_id] = name
        return name

    def _remembered(self, kind: str, key: str, copy: Callable[[dict[str, Any]], dict[str, Any]]) -> bool:
        if self.memory is None:
            return False
        kept = getattr(self.memory, kind).get(key)
        if kept is None:
            return False
        getattr(self, kind)[key] = copy(kept)
        return True

    def partnership(self, pid: str) -> dict[str, Any] | None:
        if pid not in self.partnerships and not self._remembered("partnerships", pid, _copy_partnership):
            row = self.db.one("SELECT title, proposer_city_id, status FROM view_partnerships WHERE id = ?", (pid,))
            if row is None:
                return None
            invitations = self.db.all(
                "SELECT city_id, status, invited_at FROM view_invitations WHERE partnership_id = ? ORDER BY position, ordinal",
                (pid,),
            )
            self.partnerships[pid] = {
                "title": row["title"],
                "proposer": row["proposer_city_id"],
                "status": row["status"],
                "invitations": {
                    r["city_id"]: {"status": r["status"], "invited_at": r["invited_at"]} for r in invitations
                },
            }
        return self.partnerships[pid]

    def meeting(self, mid: str) -> dict[str, Any] | None:
        if mid not in self.meetings and not self._remembered("meetings", mid, _copy_meeting):
            row = self.db.one("SELECT title, kind, starts_at FROM view_meetings WHERE id = ?", (mid,))
            if row is None:
                return None
            cities = [
                r["city_id"]
                for r in self.db.all(
                    "SELECT city_id FROM view_meeting_cities WHERE meeting_id = ? ORDER BY position, ordinal", (mid,)
                )
            ]
            self.meetings[mid] = {
                "title": row["title"],
                "kind": row["kind"],
                "starts_at": row["starts_at"],
                "cities": cities,
            }
        return self.meetings[mid]

    def agreement(self, aid: str) -> dict[str, Any] | None:
        if aid not in self.agreements and not self._remembered("agreements", aid, _copy_agreement):
            row = self.db.one("SELECT title, kind, parties FROM view_agreements WHERE id = ?", (aid,))
            if row is None:
                return None
            self.agreements[aid] = {"title": row["title"], "kind": row["kind"], "parties": load(row["parties"])}
        return self.agreements[aid]

    def project(self, prid: str) -> dict[str, Any] | None:
        if prid not in self.projects and not self._remembered("projects", prid, _copy_project):
            row = self.db.one("SELECT title, member_city_ids FROM view_projects WHERE id = ?", (prid,))
            if row is None:
                return None
            milestones = {
                r["milestone_id"]: r["title"]
                for r in self.db.all("SELECT milestone_id, title FROM view_milestones WHERE project_id = ?", (prid,))
            }
            self.projects[prid] = {
                "title": row["title"],
                "cities": load(row["member_city_ids"]),
                "milestones": milestones,
            }
        return self.projects[prid]

    @staticmethod
    def involved(partnership: dict[str, Any], also: str | None = None) -> list[str]:
        """The proposer, every invitee that has not declined, and the city the event names."""
        cities = [partnership["proposer"]]
        cities += [c for c, i in partnership["invitations"].items() if i["status"] != "declined"]
        if also and also not in cities:
            cities.append(also)
        return cities

    @staticmethod
    def party_cities(agreement: dict[str, Any]) -> list[str]:
        cities: list[str] = []
        for party in agreement["parties"]:
            if party.get("city_id") and party["city_id"] not in cities:
                cities.append(party["city_id"])
        return cities

    def subject_cities(self, subject: dict[str, Any]) -> list[str]:
        kind, sid = (subject or {}).get("kind"), str((subject or {}).get("id") or "")
        if not sid:
            return []
        if kind == "city":
            return [sid]
        if kind == "partnership":
            partnership = self.partnership(sid)
            return self.involved(partnership) if partnership else []
        if kind == "meeting":
            meeting = self.meeting(sid)
            return list(meeting["cities"]) if meeting else []
        if kind == "agreement":
            agreement = self.agreement(sid)
            return self.party_cities(agreement) if agreement else []
        if kind in ("project", "pilot_project"):
            project = self.project(sid)
            return list(project["cities"]) if project else []
        return []

    # -- writing ---------------------------------------------------------------------------------

    def insert(self, table: str, **row: Any) -> None:
        self.db.insert(table, row)

    def touch(self, table: str, e: Any, **changes: Any) -> None:
        """Update the aggregate's row: the given columns, its version and its time of change."""
        self.db.update(
            table,
            {"id": str(e.originator_id)},
            {**changes, "updated_at": instant(e.timestamp), "version": e.originator_version},
        )

    def timeline(
        self,
        cities: Iterable[str],
        position: int,
        event: Any,
        subject_kind: str,
        subject_id: str,
        summary: str,
        data: dict[str, Any] | None = None,
    ) -> None:
        data_text = dump(payload(event) if data is None else data)
        recorded_at = instant(event.timestamp)
        event_type = type(event).__name__
        actor = getattr(event, "actor", None)
        insert = self.db.insert
        for city_id in dict.fromkeys(cities):
            insert(
                "view_timeline",
                {
                    "city_id": city_id,
                    "position": position,
                    "type": event_type,
                    "subject_kind": subject_kind,
                    "subject_id": subject_id,
                    "summary": summary,
                    "actor": actor,
                    "recorded_at": recorded_at,
                    "data": data_text,
                },
            )


Handler = Callable[[Context, int, Any], None]
HANDLERS: dict[str, Handler] = {}


def on(*qualnames: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for qualname in qualnames:
            HANDLERS[qualname] = handler
        return handler

    return register


def apply(db: Db, batch: list[tuple[int, Any]], ctx: Context | None = None, flush: bool = True) -> Context:
    """Apply a batch of (position, event) in log order through ``db`` (and ``ctx``, if given).

    With ``flush`` everything is sent when it returns; without, the caller sends the held
    rows (``db.flush()``) before the commit.
    """
    ctx = ctx or Context(db)
    handlers = HANDLERS
    for position, event in batch:
        handler = handlers.get(type(event).__qualname__)
        if handler is not None:
            handler(ctx, position, event)
    if flush:
        db.flush()
    return ctx


# -- cities -------------------------------------------------------------------------------------


def _search(name: str | None, local_name: str | None) -> str:
    return fold(name) + "\n" + fold(local_name)


def _city_themes(ctx: Context, city_id: str, direction: str, themes: list[str]) -> None:
    for theme in dict.fromkeys(themes):
        ctx.insert("view_city_themes", city_id=city_id, direction=direction, theme=theme)


@on("City.CityRegistered")
def city_registered(ctx: Context, position: int, e: Any) -> None:
    cid, at = str(e.originator_id), instant(e.timestamp)
    ctx.insert(
        "view_cities",
        id=cid,
        name=e.name,
        local_name=e.local_name,
        country=e.country,
        region=_region(e.country),
        timezone=e.timezone,
        population=e.population,
        description=e.description,
        working_hours=None if e.working_hours is None else dump(e.working_hours),
        themes_offered=dump(list(e.themes_offered)),
        themes_sought=dump(list(e.themes_sought)),
        status="active",
        sort_key=sort_key(e.name),
        search=_search(e.name, e.local_name),
        registered_at=at,
        updated_at=at,
        version=e.originator_version,
        position=position,
    )
    _city_themes(ctx, cid, "offered", list(e.themes_offered))
    _city_themes(ctx, cid, "sought", list(e.themes_sought))
    ctx.names[cid] = e.name
    ctx.timeline(
        [cid], position, e, "city", cid, f"{e.name} joined the programme ({_country(e.country)}, {e.timezone})"
    )


PROFILE_COLUMNS = ("name", "local_name", "timezone", "population", "description")


@on("City.ProfileUpdated")
def profile_updated(ctx: Context, position: int, e: Any) -> None:
    cid, changes = str(e.originator_id), dict(e.changes)
    columns: dict[str, Any] = {}
    for key in sorted(changes):
        value = changes[key]
        if key in PROFILE_COLUMNS:
            columns[key] = value
        elif key == "working_hours":
            columns[key] = None if value is None else dump(value)
        elif key in ("themes_offered", "themes_sought"):
            columns[key] = dump(list(value))
            direction = key.removeprefix("themes_")
            ctx.db.delete("view_city_themes", {"city_id": cid, "direction": direction})
            _city_themes(ctx, cid, direction, list(value))
    if "name" in changes or "local_name" in changes:
        current = (
            ctx.db.held_row("view_cities", id=cid)
            or ctx.db.one("SELECT name, local_name FROM view_cities WHERE id = ?", (cid,))
            or {}
        )
        name = changes.get("name", current.get("name"))
        local = changes["local_name"] if "local_name" in changes else current.get("local_name")
        columns.update(sort_key=sort_key(name), search=_search(name, local))
    old_name = ctx.name(cid)
    ctx.touch("view_cities", e, **columns)
    if "name" in changes:
        ctx.names[cid] = changes["name"]
    fields = ", ".join(k.replace("_", " ") for k in sorted(changes))
    ctx.timeline([cid], position, e, "city", cid, f"{old_name} updated its profile: {fields}")


@on("City.StakeholderAdded")
def stakeholder_added(ctx: Context, position: int, e: Any) -> None:
    cid = str(e.originator_id)
    ctx.insert(
        "view_stakeholders",
        city_id=cid,
        stakeholder_id=e.stakeholder_id,
        name=e.name,
        kind=e.kind,
        themes=dump(list(e.themes)),
        position=position,
    )
    ctx.touch("view_cities", e)
    ctx.timeline([cid], position, e, "city", cid, f"{ctx.name(cid)} added a {e.kind} stakeholder: {e.name}")


@on("City.StakeholderRemoved")
def stakeholder_removed(ctx: Context, position: int, e: Any) -> None:
    cid = str(e.originator_id)
    held = ctx.db.held_row("view_stakeholders", city_id=cid, stakeholder_id=e.stakeholder_id)
    name = (
        held["name"]
        if held
        else ctx.db.scalar(
            "SELECT name FROM view_stakeholders WHERE city_id = ? AND stakeholder_id = ?", (cid, e.stakeholder_id)
        )
    )
    ctx.db.delete("view_stakeholders", {"city_id": cid, "stakeholder_id": e.stakeholder_id})
    ctx.touch("view_cities", e)
    ctx.timeline([cid], position, e, "city", cid, f"{ctx.name(cid)} removed a stakeholder: {name or e.stakeholder_id}")


@on("City.CityRetired")
def city_retired(ctx: Context, position: int, e: Any) -> None:
    cid = str(e.originator_id)
    ctx.touch("view_cities", e, status="retired")
    ctx.timeline([cid], position, e, "city", cid, f"{ctx.name(cid)} left the programme")


# -- partnerships --------------------------------------------------------------------------


def _invite(ctx: Context, pid: str, city_id: str, at: str, position: int, ordinal: int) -> None:
    ctx.insert(
        "view_invitations",
        partnership_id=pid,
        city_id=city_id,
        status="pending",
        invited_at=at,
        answered_at=None,
        reason=None,
        response_hours=None,
        position=position,
        ordinal=ordinal,
    )


@on("Partnership.PartnershipProposed")
def partnership_proposed(ctx: Context, position: int, e: Any) -> None:
    pid, at = str(e.originator_id), instant(e.timestamp)
    invited = list(dict.fromkeys(e.invited_city_ids))
    ctx.insert(
        "view_partnerships",
        id=pid,
        title=e.title,
        proposer_city_id=e.proposer_city_id,
        status="proposed",
        themes=dump(list(e.themes)),
        description=e.description,
        action_plan=None,
        outcome=None,
        closing_reason=None,
        proposed_at=at,
        updated_at=at,
        version=e.originator_version,
        position=position,
    )
    for theme in dict.fromkeys(e.themes):
        ctx.insert("view_partnership_themes", partnership_id=pid, theme=theme)
    for ordinal, city_id in enumerate(invited):
        _invite(ctx, pid, city_id, at, position, ordinal)
    partnership = ctx.partnerships[pid] = {
        "title": e.title,
        "proposer": e.proposer_city_id,
        "status": "proposed",
        "invitations": {c: {"status": "pending", "invited_at": at} for c in invited},
    }
    summary = f"{ctx.name(e.proposer_city_id)} proposed {quoted(e.title)} to {listing([ctx.name(c) for c in invited])}"
    ctx.timeline(ctx.involved(partnership), position, e, "partnership", pid, summary)


@on("Partnership.PartnerInvited")
def partner_invited(ctx: Context, position: int, e: Any) -> None:
    pid, at = str(e.originator_id), instant(e.timestamp)
    partnership = ctx.partnership(pid)
    if partnership is None:
        return
    _invite(ctx, pid, e.city_id, at, position, 0)
    partnership["invitations"][e.city_id] = {"status": "pending", "invited_at": at}
    ctx.touch("view_partnerships", e)
    summary = f"{ctx.name(partnership['proposer'])} invited {ctx.name(e.city_id)} to {quoted(partnership['title'])}"
    ctx.timeline(ctx.involved(partnership, e.city_id), position, e, "partnership", pid, summary)


def _answer(ctx: Context, position: int, e: Any, status: str, reason: str | None) -> None:
    pid = str(e.originator_id)
    partnership = ctx.partnership(pid)
    if partnership is None:
        return
    invitation = partnership["invitations"].get(e.city_id)
    hours = None
    if invitation is not None:
        hours = max(0.0, (e.timestamp - parse_instant(invitation["invited_at"])) / timedelta(hours=1))
        invitation["status"] = status
    ctx.db.update(
        "view_invitations",
        {"partnership_id": pid, "city_id": e.city_id},
        {"status": status, "answered_at": instant(e.timestamp), "reason": reason, "response_hours": hours},
    )
    ctx.touch("view_partnerships", e)
    verb = "accepted" if status == "accepted" else "declined"
    summary = f"{ctx.name(e.city_id)} {verb} the invitation to {quoted(partnership['title'])}"
    ctx.timeline(ctx.involved(partnership, e.city_id), position, e, "partnership", pid, summary)


@on("Partnership.InvitationAccepted")
def invitation_accepted(ctx: Context, position: int, e: Any) -> None:
    _answer(ctx, position, e, "accepted", None)


@on("Partnership.InvitationDeclined")
def invitation_declined(ctx: Context, position: int, e: Any) -> None:
    _answer(ctx, position, e, "declined", getattr(e, "reason", None))


def _partnership_change(ctx: Context, position: int, e: Any, summary: Callable[[dict], str], **columns: Any) -> None:
    pid = str(e.originator_id)
    partnership = ctx.partnership(pid)
    if partnership is None:
        return
    ctx.touch("view_partnerships", e, **columns)
    if "status" in columns:
        partnership["status"] = columns["status"]
    ctx.timeline(ctx.involved(partnership), position, e, "partnership", pid, summary(partnership))


@on("Partnership.PartnershipActivated")
def partnership_activated(ctx: Context, position: int, e: Any) -> None:
    _partnership_change(ctx, position, e, lambda p: f"{quoted(p['title'])} became active", status="active")


@on("Partnership.PartnershipDeclined")
def partnership_declined(ctx: Context, position: int, e: Any) -> None:
    _partnership_change(
        ctx, position, e, lambda p: f"{quoted(p['title'])} was declined by every invited city", status="declined"
    )


@on("Partnership.ProposalWithdrawn")
def proposal_withdrawn(ctx: Context, position: int, e: Any) -> None:
    _partnership_change(
        ctx,
        position,
        e,
        lambda p: f"{ctx.name(p['proposer'])} withdrew {quoted(p['title'])}",
        status="withdrawn",
        closing_reason=getattr(e, "reason", None),
    )


@on("Partnership.ActionPlanAdopted")
def action_plan_adopted(ctx: Context, position: int, e: Any) -> None:
    plan = {"summary": e.summary, "adopted_on": day(e.adopted_on)}
    _partnership_change(
        ctx,
        position,
        e,
        lambda p: f"An action plan for {quoted(p['title'])} was adopted on {day(e.adopted_on)}",
        action_plan=dump(plan),
    )


@on("Partnership.PartnershipConcluded")
def partnership_concluded(ctx: Context, position: int, e: Any) -> None:
    _partnership_change(
        ctx, position, e, lambda p: f"{quoted(p['title'])} concluded", status="concluded", outcome=e.outcome
    )


# -- meetings -------------------------------------------------------------------------------------


def _when(starts_at: str) -> str:
    return starts_at[:16].replace("T", " ") + " UTC"


@on("Meeting.MeetingScheduled")
def meeting_scheduled(ctx: Context, position: int, e: Any) -> None:
    mid, at = str(e.originator_id), instant(e.timestamp)
    starts = instant(e.starts_at)
    ends = instant(e.starts_at + timedelta(minutes=e.duration_minutes))
    invited = list(dict.fromkeys(e.invited_city_ids))
    ctx.insert(
        "view_meetings",
        id=mid,
        title=e.title,
        kind=e.kind,
        starts_at=starts,
        ends_at=ends,
        duration_minutes=e.duration_minutes,
        status="scheduled",
        partnership_id=e.partnership_id,
        location=e.location,
        url=e.url,
        organiser_id=getattr(e, "actor", None),
        sequence=0,
        attendance=None,
        summary=None,
        cancel_reason=None,
        scheduled_at=at,
        updated_at=at,
        version=e.originator_version,
        position=position,
    )
    for ordinal, city_id in enumerate(invited):
        ctx.insert(
            "view_meeting_cities",
            meeting_id=mid,
            city_id=city_id,
            starts_at=starts,
            attended=None,
            position=position,
            ordinal=ordinal,
        )
    ctx.meetings[mid] = {"title": e.title, "kind": e.kind, "starts_at": starts, "cities": invited}
    kind = e.kind.replace("_", " ").capitalize()
    ctx.timeline(invited, position, e, "meeting", mid, f"{kind} {quoted(e.title)} scheduled for {_when(starts)}")


@on("Meeting.ParticipantInvited")
def participant_invited(ctx: Context, position: int, e: Any) -> None:
    mid = str(e.originator_id)
    meeting = ctx.meeting(mid)
    if meeting is None:
        return
    ctx.insert(
        "view_meeting_cities",
        meeting_id=mid,
        city_id=e.city_id,
        starts_at=meeting["starts_at"],
        attended=None,
        position=position,
        ordinal=0,
    )
    meeting["cities"].append(e.city_id)
    ctx.touch("view_meetings", e)
    ctx.timeline(
        meeting["cities"],
        position,
        e,
        "meeting",
        mid,
        f"{ctx.name(e.city_id)} was invited to {quoted(meeting['title'])}",
    )


@on("Meeting.MeetingRescheduled")
def meeting_rescheduled(ctx: Context, position: int, e: Any) -> None:
    mid = str(e.originator_id)
    meeting = ctx.meeting(mid)
    if meeting is None:
        return
    starts = instant(e.starts_at)
    ends = instant(e.starts_at + timedelta(minutes=e.duration_minutes))
    ctx.touch("view_meetings", e, starts_at=starts, ends_at=ends, duration_minutes=e.duration_minutes, sequence=Add(1))
    ctx.db.update("view_meeting_cities", {"meeting_id": mid}, {"starts_at": starts})
    meeting["starts_at"] = starts
    ctx.timeline(meeting["cities"], position, e, "meeting", mid, f"{quoted(meeting['title'])} moved to {_when(starts)}")


@on("Meeting.MeetingCancelled")
def meeting_cancelled(ctx: Context, position: int, e: Any) -> None:
    mid = str(e.originator_id)
    meeting = ctx.meeting(mid)
    if meeting is None:
        return
    ctx.touch("view_meetings", e, status="cancelled", cancel_reason=e.reason, sequence=Add(1))
    ctx.timeline(meeting["cities"], position, e, "meeting", mid, f"{quoted(meeting['title'])} was cancelled")


@on("Meeting.MeetingHeld")
def meeting_held(ctx: Context, position: int, e: Any) -> None:
    mid = str(e.originator_id)
    meeting = ctx.meeting(mid)
    if meeting is None:
        return
    ctx.touch("view_meetings", e, status="held", attendance=e.attendance, summary=e.summary)
    for attended, cities in ((1, e.attended_city_ids), (0, e.no_show_city_ids)):
        for city_id in cities:
            ctx.db.update("view_meeting_cities", {"meeting_id": mid, "city_id": city_id}, {"attended": attended})
    ctx.timeline(
        meeting["cities"],
        position,
        e,
        "meeting",
        mid,
        f"{quoted(meeting['title'])} was held with {e.attendance} participants",
    )


# -- agreements ------------------------------------------------------------------------------------


@on("Agreement.AgreementDrafted")
def agreement_drafted(ctx: Context, position: int, e: Any) -> None:
    aid, at = str(e.originator_id), instant(e.timestamp)
    parties = [
        {
            "name": p["name"],
            "city_id": p.get("city_id"),
            "signed_on": day(p.get("signed_on")),
            "signatory": p.get("signatory"),
        }
        for p in e.parties
    ]
    ctx.insert(
        "view_agreements",
        id=aid,
        title=e.title,
        kind=e.kind,
        status="drafted",
        parties=dump(parties),
        topics=dump(list(e.topics)),
        partnership_id=e.partnership_id,
        in_force_on=None,
        terminated_on=None,
        termination_reason=None,
        drafted_at=at,
        updated_at=at,
        version=e.originator_version,
        position=position,
    )
    agreement = ctx.agreements[aid] = {"title": e.title, "kind": e.kind, "parties": parties}
    cities = ctx.party_cities(agreement)
    for city_id in cities:
        ctx.insert("view_agreement_cities", agreement_id=aid, city_id=city_id)
    summary = f"{e.kind.upper()} {quoted(e.title)} drafted between {listing([p['name'] for p in parties])}"
    ctx.timeline(cities, position, e, "agreement", aid, summary)


@on("Agreement.PartySigned")
def party_signed(ctx: Context, position: int, e: Any) -> None:
    aid = str(e.originator_id)
    agreement = ctx.agreement(aid)
    if agreement is None:
        return
    for party in agreement["parties"]:
        if party["name"].casefold() == e.party.casefold():
            party["signed_on"], party["signatory"] = day(e.signed_on), e.signatory
    ctx.touch("view_agreements", e, parties=dump(agreement["parties"]))
    ctx.timeline(
        ctx.party_cities(agreement),
        position,
        e,
        "agreement",
        aid,
        f"{e.party} signed {quoted(agreement['title'])} on {day(e.signed_on)}",
    )


@on("Agreement.AgreementInForce")
def agreement_in_force(ctx: Context, position: int, e: Any) -> None:
    aid = str(e.originator_id)
    agreement = ctx.agreement(aid)
    if agreement is None:
        return
    ctx.touch("view_agreements", e, status="in_force", in_force_on=day(e.in_force_on))
    ctx.timeline(
        ctx.party_cities(agreement),
        position,
        e,
        "agreement",
        aid,
        f"{quoted(agreement['title'])} entered into force on {day(e.in_force_on)}",
    )


@on("Agreement.AgreementTerminated")
def agreement_terminated(ctx: Context, position: int, e: Any) -> None:
    aid = str(e.originator_id)
    agreement = ctx.agreement(aid)
    if agreement is None:
        return
    ctx.touch("view_agreements", e, status="terminated", terminated_on=day(e.on), termination_reason=e.reason)
    ctx.timeline(
        ctx.party_cities(agreement),
        position,
        e,
        "agreement",
        aid,
        f"{quoted(agreement['title'])} was terminated on {day(e.on)}",
    )


# -- pilot projects ------------------------------------------------------------------------------


@on("PilotProject.ProjectLaunched")
def project_launched(ctx: Context, position: int, e: Any) -> None:
    prid, at = str(e.originator_id), instant(e.timestamp)
    members = list(dict.fromkeys(e.member_city_ids))
    ctx.insert(
        "view_projects",
        id=prid,
        title=e.title,
        partnership_id=e.partnership_id,
        status="active",
        themes=dump(list(e.themes)),
        member_city_ids=dump(members),
        description=e.description,
        summary=None,
        launched_at=at,
        updated_at=at,
        version=e.originator_version,
        position=position,
    )
    for city_id in members:
        ctx.insert("view_project_cities", project_id=prid, city_id=city_id)
    for theme in dict.fromkeys(e.themes):
        ctx.insert("view_project_themes", project_id=prid, theme=theme)
    ctx.projects[prid] = {"title": e.title, "cities": members, "milestones": {}}
    ctx.timeline(members, position, e, "project", prid, f"Pilot project {quoted(e.title)} launched")


@on("PilotProject.MilestonePlanned")
def milestone_planned(ctx: Context, position: int, e: Any) -> None:
    prid = str(e.originator_id)
    project = ctx.project(prid)
    if project is None:
        return
    ctx.insert(
        "view_milestones",
        project_id=prid,
        milestone_id=e.milestone_id,
        title=e.title,
        due_on=day(e.due_on),
        status="planned",
        achieved_on=None,
        note=None,
        position=position,
        updated_position=position,
    )
    project["milestones"][e.milestone_id] = e.title
    ctx.touch("view_projects", e)
    ctx.timeline(
        project["cities"],
        position,
        e,
        "project",
        prid,
        f"Milestone {quoted(e.title)} of {quoted(project['title'])} planned for {day(e.due_on)}",
    )


def _milestone_change(ctx: Context, position: int, e: Any, summary: str, **changes: Any) -> None:
    prid = str(e.originator_id)
    project = ctx.project(prid)
    if project is None:
        return
    ctx.db.update(
        "view_milestones",
        {"project_id": prid, "milestone_id": e.milestone_id},
        {**changes, "updated_position": position},
    )
    ctx.touch("view_projects", e)
    title = project["milestones"].get(e.milestone_id, e.milestone_id)
    ctx.timeline(
        project["cities"],
        position,
        e,
        "project",
        prid,
        summary.format(milestone=quoted(title), project=quoted(project["title"])),
    )


@on("PilotProject.MilestoneRescheduled")
def milestone_rescheduled(ctx: Context, position: int, e: Any) -> None:
    _milestone_change(
        ctx, position, e, "Milestone {milestone} of {project} moved to " + day(e.due_on), due_on=day(e.due_on)
    )


@on("PilotProject.MilestoneAchieved")
def milestone_achieved(ctx: Context, position: int, e: Any) -> None:
    _milestone_change(
        ctx,
        position,
        e,
        "Milestone {milestone} of {project} achieved on " + day(e.achieved_on),
        status="achieved",
        achieved_on=day(e.achieved_on),
        note=e.note,
    )


@on("PilotProject.ProjectCompleted")
def project_completed(ctx: Context, position: int, e: Any) -> None:
    _project_closed(ctx, position, e, "completed", e.summary)


@on("PilotProject.ProjectCancelled")
def project_cancelled(ctx: Context, position: int, e: Any) -> None:
    _project_closed(ctx, position, e, "cancelled", e.reason)


def _project_closed(ctx: Context, position: int, e: Any, status: str, summary: str) -> None:
    prid = str(e.originator_id)
    project = ctx.project(prid)
    if project is None:
        return
    ctx.touch("view_projects", e, status=status, summary=summary)
    ctx.timeline(project["cities"], position, e, "project", prid, f"Pilot project {quoted(project['title'])} {status}")


# -- notifications ------------------------------------------------------------------------------


@on("Notification.NotificationSent")
def notification_sent(ctx: Context, position: int, e: Any) -> None:
    nid = str(e.originator_id)
    subject = dict(e.subject or {})
    ctx.insert(
        "view_inbox",
        id=nid,
        recipient_id=e.recipient_id,
        kind=e.kind,
        subject_kind=subject.get("kind"),
        subject_id=None if subject.get("id") is None else str(subject["id"]),
        title=e.title,
        body=e.body,
        channels=dump(list(e.channels)),
        sent_at=instant(e.timestamp),
        position=position,
    )
    cities = ctx.subject_cities(subject)
    if cities:
        data = {"kind": e.kind, "recipient_id": e.recipient_id, "subject": subject, "channels": list(e.channels)}
        ctx.timeline(
            cities,
            position,
            e,
            str(subject.get("kind")),
            str(subject.get("id")),
            f"Notification ({e.kind.replace('_', ' ')}): {e.title}",
            data=data,
        )
