"""Load the IUC Asia 2020 programme (``iuc_2020.json``) into a Programme, idempotently.

Every item gets a deterministic id, and every step first looks at what is already
recorded, so a second run records nothing and an interrupted run is completed by the
next one. Cities act through their own officers and the programme through its
facilitator, so the demo's history reads like the real one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.access import SYSTEM, Principal
from domain.application import Programme
from domain.demo.programmes import ProgrammesLoader
from domain.model.agreement import Agreement
from domain.model.city import City
from domain.model.indexes import CityName
from domain.model.meeting import Meeting
from domain.model.partnership import PENDING, Partnership
from domain.model.project import PilotProject
from domain.model.statuses import MeetingStatus, MilestoneStatus, ProjectStatus, Role

_NAMESPACE = uuid5(NAMESPACE_URL, "https://twinning.example/demo/iuc-2020")


def demo_data() -> dict:
    return json.loads(resources.files("domain.demo").joinpath("iuc_2020.json").read_text(encoding="utf-8"))


def demo_id(kind: str, key: str) -> UUID:
    return uuid5(_NAMESPACE, f"{kind}/{key}")


def demo_token(secret: str, email: str) -> str:
    """Demo tokens derive from the deployment secret, so every run can print the same ones."""
    return hmac.new(secret.encode(), f"demo-token/{email}".encode(), hashlib.sha256).hexdigest()


@dataclass
class DemoResult:
    tokens: dict[str, tuple[str, str]] = field(default_factory=dict)  # label → (email, token)
    city_ids: dict[str, str] = field(default_factory=dict)
    events_before: int = 0
    events_after: int = 0

    @property
    def recorded(self) -> int:
        return self.events_after - self.events_before


class DemoLoader:
    def __init__(self, programme: Programme, secret: str, progress: Callable[[str], None] = lambda _: None) -> None:
        self.app, self.secret, self.progress = programme, secret, progress
        self.data = demo_data()
        self.result = DemoResult()
        self.officers: dict[str, Principal] = {}

    def load(self) -> DemoResult:
        self.result.events_before = self.app.recorder.max_notification_id() or 0
        staff = self.data["users"]
        self.facilitator = self._user(
            "facilitator", staff["facilitator"]["name"], staff["facilitator"]["email"], Role.FACILITATOR
        )
        self._user("auditor", staff["auditor"]["name"], staff["auditor"]["email"], Role.AUDITOR)
        self.programmes = ProgrammesLoader(self)
        self.programmes.launch({"facilitator": self.facilitator})
        self._step("cities", self.data["cities"], self._city)
        self._step("partnerships", self.data["partnerships"], self._partnership)
        self._step("pilot projects", self.data["projects"], self._project)
        self._step("agreements", self.data["agreements"], self._agreement)
        self._step("sessions", self.data["meetings"], self._meeting)
        self.programmes.clusters()
        self.result.events_after = self.app.recorder.max_notification_id() or 0
        return self.result

    def _step(self, label: str, items: list[dict], load_one: Callable[[dict], None]) -> None:
        for number, item in enumerate(items, 1):
            load_one(item)
            self.progress(f"\r{label}: {number}/{len(items)}")
        self.progress("\n")

    def _user(self, label: str, name: str, email: str, role: str, city_id: str | None = None) -> Principal:
        token = demo_token(self.secret, email)
        self.result.tokens[label] = (email, token)
        return self.app.ensure_user(SYSTEM, name, email, role, token=token, city_id=city_id)

    def _city(self, item: dict) -> None:
        claim_id = CityName.create_id(item["country"], item["name"])
        if self.app.exists(claim_id):
            city_id = self.app.load(CityName, claim_id).city_id
        else:
            profile = {k: item[k] for k in ("local_name", "population", "description") if item.get(k) is not None}
            city = self.app.register_city(
                self.facilitator,
                item["name"],
                item["country"],
                item["timezone"],
                item["themes_offered"],
                item["themes_sought"],
                **profile,
            ).aggregate
            city_id = str(city.id)
        self.result.city_ids[item["key"]] = city_id
        self.programmes.join(item["key"], city_id)
        officer = self._user(
            f"officer of {item['name']}",
            f"{item['name']} city officer (demo)",
            f"officer.{item['key']}@iuc-asia.example",
            Role.OFFICER,
            city_id=city_id,
        )
        self.officers[item["key"]] = officer
        known = {s["name"] for s in self.app.load(City, city_id).stakeholders}
        for stakeholder in item.get("stakeholders", []):
            if stakeholder["name"] not in known:
                self.app.add_stakeholder(
                    officer, city_id, stakeholder["name"], stakeholder["kind"], stakeholder["themes"]
                )

    def _partnership(self, item: dict) -> None:
        pid = demo_id("partnership", item["key"])
        if not self.app.exists(pid):
            self.app.propose_partnership(
                self.officers[item["proposer"]],
                item["title"],
                self._city_id(item["proposer"]),
                [self._city_id(key) for key in item["invited"]],
                item["themes"],
                item.get("description"),
                new_id=pid,
                programme_id=self.programmes.main,
            )
        for key in item["invited"]:
            if self.app.load(Partnership, pid).invitations[self._city_id(key)]["status"] == PENDING:
                self.app.accept_invitation(self.officers[key], str(pid), self._city_id(key))
        plan = item.get("action_plan")
        if plan and self.app.load(Partnership, pid).action_plan is None:
            self.app.adopt_action_plan(
                self.officers[item["proposer"]], str(pid), plan["summary"], date.fromisoformat(plan["adopted_on"])
            )

    def _project(self, item: dict) -> None:
        project_id = demo_id("project", item["key"])
        partnership_id = demo_id("partnership", item["partnership"])
        lead = self.officers[self._proposer_key(item["partnership"])]
        if not self.app.exists(project_id):
            self.app.launch_project(
                lead, item["title"], str(partnership_id), item["themes"], item.get("description"), new_id=project_id
            )
        for milestone in item["milestones"]:
            planned = self.app.load(PilotProject, project_id).milestones
            if milestone["key"] not in planned:
                self.app.plan_milestone(
                    lead,
                    str(project_id),
                    milestone["title"],
                    date.fromisoformat(milestone["due_on"]),
                    milestone_id=milestone["key"],
                )
                planned = self.app.load(PilotProject, project_id).milestones
            if milestone.get("achieved_on") and planned[milestone["key"]]["status"] != MilestoneStatus.ACHIEVED:
                self.app.achieve_milestone(
                    lead,
                    str(project_id),
                    milestone["key"],
                    date.fromisoformat(milestone["achieved_on"]),
                    note=milestone.get("note"),
                )
        if (
            item["status"] == ProjectStatus.COMPLETED
            and self.app.load(PilotProject, project_id).status == ProjectStatus.ACTIVE
        ):
            self.app.complete_project(lead, str(project_id), item["result"])

    def _agreement(self, item: dict) -> None:
        agreement_id = demo_id("agreement", item["key"])
        if not self.app.exists(agreement_id):
            parties = [
                {"name": p["name"], "city_id": self._city_id(p["city"]) if p.get("city") else None}
                for p in item["parties"]
            ]
            partnership = str(demo_id("partnership", item["partnership"])) if item.get("partnership") else None
            self.app.draft_agreement(
                self.facilitator,
                item["title"],
                item["kind"],
                parties,
                item["topics"],
                partnership_id=partnership,
                new_id=agreement_id,
                programme_id=self.programmes.main,
            )
        for signature in item["signatures"]:
            if self.app.load(Agreement, agreement_id).party(signature["party"])["signed_on"] is None:
                self.app.sign_agreement(
                    self.facilitator,
                    str(agreement_id),
                    signature["party"],
                    date.fromisoformat(signature["signed_on"]),
                    signatory=signature.get("signatory"),
                )

    def _meeting(self, item: dict) -> None:
        """The 2020 sessions already happened: each is recorded as held, after the fact."""
        meeting_id = demo_id("meeting", item["key"])
        outcome = item.get("outcome")
        if not self.app.exists(meeting_id):
            partnership = str(demo_id("partnership", item["partnership"])) if item.get("partnership") else None
            session = {
                "title": item["title"],
                "kind": item["kind"],
                "starts_at": datetime.fromisoformat(item["starts_at"]),
                "duration_minutes": item["duration_minutes"],
                "invited_city_ids": [self._city_id(key) for key in item["invited"]],
                "partnership_id": partnership,
                "location": item.get("location"),
                "url": item.get("url"),
                "new_id": meeting_id,
                "programme_id": self.programmes.main,
            }
            if outcome:
                self.app.record_held_meeting(self.facilitator, **session, **self._outcome(outcome))
            else:
                self.app.schedule_meeting(self.facilitator, **session)
        elif outcome and self.app.load(Meeting, meeting_id).status == MeetingStatus.SCHEDULED:
            # a store loaded before sessions could be recorded as held in one command
            self.app.record_meeting_outcome(self.facilitator, str(meeting_id), **self._outcome(outcome))

    def _outcome(self, outcome: dict) -> dict:
        return {
            "attendance": outcome["attendance"],
            "summary": outcome["summary"],
            "attended_city_ids": [self._city_id(key) for key in outcome["attended"]],
        }

    def partnership_id(self, key: str) -> str:
        return str(demo_id("partnership", key))

    def _city_id(self, key: str) -> str:
        return self.result.city_ids[key]

    def _proposer_key(self, partnership_key: str) -> str:
        return next(p["proposer"] for p in self.data["partnerships"] if p["key"] == partnership_key)


def load_demo(programme: Programme, secret: str, progress: Callable[[str], None] = lambda _: None) -> DemoResult:
    return DemoLoader(programme, secret, progress).load()
