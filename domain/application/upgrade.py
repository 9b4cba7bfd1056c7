"""The one-time upgrade of a store written before programmes existed (v0.1.0).

Old events are never rewritten: they are upcast as they are read (their ``programme_id`` is
None). The upgrade then APPENDS what makes the implicit programme explicit, acting as the
system: ``ProgrammeLaunched`` for the default programme (its code and name from settings),
``CityJoined`` for every city registered before the first programme, and ``ProgrammeAssigned``
for every partnership, session, agreement and pilot project of that time. Each step first
looks at what is recorded, so a second run appends nothing and an interrupted one is
completed by the next.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from eventsourcing.utils import get_topic

from domain.access import SYSTEM
from domain.application.base import ProgrammeBase
from domain.model.agreement import Agreement
from domain.model.city import City
from domain.model.meeting import Meeting
from domain.model.partnership import Partnership
from domain.model.programme import CooperationProgramme
from domain.model.project import PilotProject
from domain.regions import region_of

_PAGE = 500
_BATCH = 100  # aggregates saved per transaction
_ASSIGNED = (Partnership, Meeting, Agreement, PilotProject)
_CREATED = {
    get_topic(City.CityRegistered): City,
    get_topic(Partnership.PartnershipProposed): Partnership,
    get_topic(Meeting.MeetingScheduled): Meeting,
    get_topic(Agreement.AgreementDrafted): Agreement,
    get_topic(PilotProject.ProjectLaunched): PilotProject,
}
_FIRST_PROGRAMME = get_topic(CooperationProgramme.ProgrammeLaunched)


@dataclass
class UpgradeResult:
    programme_id: str | None = None
    launched: bool = False
    cities_joined: int = 0
    assigned: dict[str, int] = field(default_factory=dict)
    events_scanned: int = 0
    events_appended: int = 0

    def to_dict(self) -> dict:
        return {
            "programme_id": self.programme_id,
            "launched": self.launched,
            "cities_joined": self.cities_joined,
            "assigned": self.assigned,
            "events_scanned": self.events_scanned,
            "events_appended": self.events_appended,
        }


class UpgradeMixin(ProgrammeBase):
    def upgrade(self, code: str = "default", name: str = "Default programme") -> UpgradeResult:
        result = UpgradeResult()
        before = self.recorder.max_notification_id() or 0
        old, first_day, result.events_scanned = self._before_programmes()
        if not any(old.values()):
            return result
        programme = self.programme_by_code(code)
        if programme is None:
            cities = [self.load(City, cid) for cid in old[City]]
            regions = sorted({region_of(c.country) for c in cities}) or ["europe"]
            programme = self.launch_programme(SYSTEM, code, name, regions, first_day).aggregate
            result.launched = True
        result.programme_id = str(programme.id)
        result.cities_joined = self._join_old_cities(programme, old[City])
        for cls in _ASSIGNED:
            result.assigned[cls.__name__] = self._assign(cls, old[cls], str(programme.id))
        result.events_appended = (self.recorder.max_notification_id() or 0) - before
        return result

    def _before_programmes(self) -> tuple[dict[type, list[str]], date, int]:
        """The ids created before the first programme was launched, by class, and the log's first day."""
        found: dict[type, list[str]] = defaultdict(list)
        first_day, scanned, start = None, 0, 1
        topics = [*_CREATED, _FIRST_PROGRAMME]
        while True:
            page = self._read(lambda s=start: self.recorder.select_notifications(s, _PAGE, topics=topics))
            for notification in page:
                scanned += 1
                if notification.topic == _FIRST_PROGRAMME:
                    return found, first_day or self.now().date(), scanned
                if first_day is None:
                    first_day = self.mapper.to_domain_event(notification).timestamp.date()
                found[_CREATED[notification.topic]].append(str(notification.originator_id))
            if len(page) < _PAGE:
                return found, first_day or self.now().date(), scanned
            start = page[-1].id + 1

    def _join_old_cities(self, programme: CooperationProgramme, city_ids: list[str]) -> int:
        programme = self.load(CooperationProgramme, programme.id)
        joined = 0
        for city_id in city_ids:
            if city_id not in programme.city_ids:
                # Retired cities join too: their history belongs to the programme.
                programme.admit(city_id, region_of(self.load(City, city_id).country), actor=SYSTEM.user_id)
                joined += 1
        if joined:
            self.record(programme)
        return joined

    def _assign(self, cls: type, ids: list[str], programme_id: str) -> int:
        assigned, batch = 0, []
        for aggregate_id in ids:
            aggregate = self.load(cls, aggregate_id)
            if aggregate.programme_id is None:
                aggregate.assign_programme(programme_id, actor=SYSTEM.user_id)
                batch.append(aggregate)
            if len(batch) >= _BATCH:
                assigned += len(batch)
                self.record(*batch)
                batch = []
        if batch:
            assigned += len(batch)
            self.record(*batch)
        return assigned
