"""Sessions scheduled by facilitators across European and Chinese time zones."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.access import Principal, require_staff
from domain.application.base import ProgrammeBase, Recorded, parse_id
from domain.errors import InvalidValue
from domain.limits import MAX_LOCATION, MAX_SESSION_INVITED
from domain.model.city import City
from domain.model.cluster import Cluster
from domain.model.meeting import Meeting
from domain.model.partnership import Partnership
from domain.model.programme import ProgrammeNotResolved
from domain.values import check_name, check_text, check_url

MAX_INVITED = MAX_SESSION_INVITED


class MeetingsMixin(ProgrammeBase):
    def schedule_meeting(
        self,
        principal: Principal,
        title: str,
        kind: str,
        starts_at: datetime,
        duration_minutes: int,
        invited_city_ids: list[str],
        partnership_id: str | None = None,
        location: str | None = None,
        url: str | None = None,
        new_id: UUID | None = None,
        programme_id: str | None = None,
        cluster_id: str | None = None,
    ) -> Recorded:
        require_staff(principal)
        meeting = Meeting.schedule(
            **self._session(
                principal,
                title,
                kind,
                starts_at,
                duration_minutes,
                invited_city_ids,
                partnership_id,
                location,
                url,
                programme_id,
                cluster_id,
            ),
            actor=principal.user_id,
            now=self.now(),
            id=new_id,
        )
        return Recorded(meeting, self.record_new(meeting))

    def record_held_meeting(
        self,
        principal: Principal,
        title: str,
        kind: str,
        starts_at: datetime,
        duration_minutes: int,
        invited_city_ids: list[str],
        attendance: int,
        summary: str,
        attended_city_ids: list[str] | None = None,
        partnership_id: str | None = None,
        location: str | None = None,
        url: str | None = None,
        new_id: UUID | None = None,
        programme_id: str | None = None,
        cluster_id: str | None = None,
    ) -> Recorded:
        """A session that already happened, scheduled and given its outcome in one command, for history."""
        require_staff(principal)
        session = self._session(
            principal,
            title,
            kind,
            starts_at,
            duration_minutes,
            invited_city_ids,
            partnership_id,
            location,
            url,
            programme_id,
            cluster_id,
        )
        meeting = Meeting.record_held(
            **session,
            attendance=attendance,
            summary=check_text(summary, "summary", required=True),
            attended_city_ids=self._attended(attended_city_ids),
            actor=principal.user_id,
            now=self.now(),
            id=new_id,
        )
        return Recorded(meeting, self.record_new(meeting))

    def _session(
        self,
        principal: Principal,
        title: str,
        kind: str,
        starts_at: datetime,
        duration_minutes: int,
        invited_city_ids: list[str],
        partnership_id: str | None,
        location: str | None,
        url: str | None,
        programme_id: str | None = None,
        cluster_id: str | None = None,
    ) -> dict:
        if not isinstance(invited_city_ids, list) or len(invited_city_ids) > MAX_INVITED:
            raise InvalidValue("invited_city_ids", f"give a list of at most {MAX_INVITED} city ids")
        invited = [str(self.load(City, c, field="invited_city_ids").id) for c in invited_city_ids]
        belongs_to = programme_id
        if cluster_id is not None:
            # A cluster's session invites every member of the cluster (and whoever else is named).
            cluster = self.load(Cluster, cluster_id, field="cluster_id")
            cluster_id = str(cluster.id)
            invited = list(dict.fromkeys([*cluster.city_ids, *invited]))
            belongs_to = self._same_programme(programme_id, cluster.programme_id, "the cluster's")
        if partnership_id is not None:
            partnership = self.load(Partnership, partnership_id, field="partnership_id")
            partnership_id = str(partnership.id)
            if partnership.programme_id is not None:
                belongs_to = self._same_programme(belongs_to, partnership.programme_id, "the partnership's")
        programme = self.resolve_programme(belongs_to, invited, "invited city")
        self.require_acts_in(principal, programme)
        return {
            "programme_id": None if programme is None else str(programme.id),
            "cluster_id": cluster_id,
            "title": check_name(title, "title"),
            "kind": kind,
            "starts_at": starts_at,
            "duration_minutes": duration_minutes,
            "invited_city_ids": invited,
            "partnership_id": partnership_id,
            "location": check_text(location, "location", limit=MAX_LOCATION),
            "url": check_url(url, "url"),
        }

    @staticmethod
    def _same_programme(named: str | None, inherited: str, whose: str) -> str:
        if named is not None and str(parse_id(named, "programme_id")) != inherited:
            raise ProgrammeNotResolved(f"differs from {whose} programme {inherited}")
        return inherited

    def _acting(self, principal: Principal, meeting: Meeting) -> None:
        require_staff(principal)
        self.require_acts_in(principal, meeting.programme_id)

    def _attended(self, attended_city_ids: list[str] | None) -> list[str] | None:
        if attended_city_ids is None:
            return None
        return [str(self.load(City, c, field="attended_city_ids").id) for c in attended_city_ids]

    def invite_to_meeting(
        self, principal: Principal, meeting_id: str, city_id: str, expected_version: int | None = None
    ) -> Recorded:
        require_staff(principal)
        city_id = str(self.load(City, city_id, field="city_id").id)

        def invite(meeting: Meeting) -> None:
            self._acting(principal, meeting)
            if meeting.programme_id is not None:
                self.check_members(self.programme_of(meeting.programme_id), [city_id], "invited city")
            meeting.invite(city_id, actor=principal.user_id)

        return self.change(Meeting, meeting_id, invite, expected_version=expected_version)

    def reschedule_meeting(
        self,
        principal: Principal,
        meeting_id: str,
        starts_at: datetime,
        duration_minutes: int | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        require_staff(principal)

        def reschedule(meeting: Meeting) -> None:
            self._acting(principal, meeting)
            meeting.reschedule(starts_at, duration_minutes=duration_minutes, actor=principal.user_id, now=self.now())

        return self.change(Meeting, meeting_id, reschedule, expected_version=expected_version)

    def cancel_meeting(
        self, principal: Principal, meeting_id: str, reason: str, expected_version: int | None = None
    ) -> Recorded:
        require_staff(principal)
        reason = check_text(reason, "reason", required=True)

        def cancel(meeting: Meeting) -> None:
            self._acting(principal, meeting)
            meeting.cancel(reason, actor=principal.user_id)

        return self.change(Meeting, meeting_id, cancel, expected_version=expected_version)

    def record_meeting_outcome(
        self,
        principal: Principal,
        meeting_id: str,
        attendance: int,
        summary: str,
        attended_city_ids: list[str] | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        require_staff(principal)
        summary = check_text(summary, "summary", required=True)
        attended = self._attended(attended_city_ids)

        def hold(meeting: Meeting) -> None:
            self._acting(principal, meeting)
            meeting.record_outcome(
                attendance, summary, now=self.now(), attended_city_ids=attended, actor=principal.user_id
            )

        return self.change(Meeting, meeting_id, hold, expected_version=expected_version)
