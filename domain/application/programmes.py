"""Programmes (IUC Asia, IURC Asia-Australasia …), their cities, facilitators and clusters, and the
rule every other command asks: which programme a partnership, session, agreement or project
belongs to, and whether the acting facilitator may act there."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from uuid import UUID

from domain.access import Principal, require_role
from domain.application.base import ProgrammeBase, Recorded, parse_id
from domain.errors import ConcurrencyConflict, InvalidValue, NotFound, PermissionDenied, RuleBroken
from domain.model.city import City
from domain.model.cluster import Cluster
from domain.model.programme import CooperationProgramme, ProgrammeNotResolved, ProgrammeRegistry, programme_id_of
from domain.model.statuses import Role
from domain.regions import region_of
from domain.themes import check_themes
from domain.values import check_date, check_name, check_text


class ProgrammeCodeTaken(RuleBroken):
    code = "programme-code-taken"
    title = "Another programme already has this code"


class MemberOutsideProgramme(RuleBroken):
    code = "member-outside-programme"
    title = "Every member city must belong to the programme"


class FacilitatorOutsideProgramme(PermissionDenied):
    code = "facilitator-outside-programme"
    title = "A facilitator acts only in the programmes they are assigned to"


def _principal_may_run(principal: Principal, programme: CooperationProgramme) -> None:
    """Admins run every programme; a facilitator only those they are assigned to."""
    if principal.role in (Role.ADMIN, Role.SYSTEM):
        return
    if principal.role == Role.FACILITATOR and principal.user_id in programme.facilitator_ids:
        return
    if principal.role == Role.FACILITATOR:
        raise FacilitatorOutsideProgramme(f"you are not a facilitator of {programme.code}")
    raise PermissionDenied(f"only an admin or a facilitator of {programme.code} can do this")


class ProgrammesMixin(ProgrammeBase):
    # -- the programme's own commands ---------------------------------------------------------

    def launch_programme(
        self,
        principal: Principal,
        code: str,
        name: str,
        regions: list[str],
        starts_on: date,
        ends_on: date | None = None,
    ) -> Recorded:
        require_role(principal, Role.ADMIN)
        programme = CooperationProgramme.launch(
            code=code,
            name=check_name(name),
            regions=regions,
            starts_on=check_date(starts_on, "starts_on"),
            ends_on=None if ends_on is None else check_date(ends_on, "ends_on"),
            actor=principal.user_id,
        )
        if self.exists(programme.id):
            raise ProgrammeCodeTaken(f"the code {programme.code!r} is taken")
        registry = self._registry()
        if registry is None:
            registry = ProgrammeRegistry(actor=principal.user_id)
        registry.enter(str(programme.id), programme.code, actor=principal.user_id)
        try:
            return Recorded(programme, self.record(programme, registry))
        except ConcurrencyConflict:
            if self.exists(programme.id):
                raise ProgrammeCodeTaken(f"the code {programme.code!r} is taken") from None
            raise

    def join_programme(self, principal: Principal, programme_id: str, city_id: str) -> Recorded:
        city = self.load(City, city_id, field="city_id")
        city.check_active()

        def join(programme: CooperationProgramme) -> None:
            _principal_may_run(principal, programme)
            programme.admit(str(city.id), region_of(city.country), actor=principal.user_id)

        return self.change(CooperationProgramme, programme_id, join)

    def leave_programme(
        self, principal: Principal, programme_id: str, city_id: str, reason: str | None = None
    ) -> Recorded:
        city_id, reason = str(parse_id(city_id, "city_id")), check_text(reason, "reason")

        def leave(programme: CooperationProgramme) -> None:
            if not (principal.role == Role.OFFICER and principal.city_id == city_id):
                _principal_may_run(principal, programme)
            programme.release(city_id, actor=principal.user_id, reason=reason)

        return self.change(CooperationProgramme, programme_id, leave)

    def assign_facilitator(self, principal: Principal, programme_id: str, user_id: str) -> Recorded:
        from domain.model.user import User

        require_role(principal, Role.ADMIN)
        user = self.load(User, user_id, field="user_id")
        if user.role != Role.FACILITATOR:
            raise InvalidValue("user_id", f"the user is an {user.role}, not a facilitator")
        return self.change(
            CooperationProgramme, programme_id, lambda p: p.assign_facilitator(str(user.id), actor=principal.user_id)
        )

    def close_programme(self, principal: Principal, programme_id: str, ends_on: date | None = None) -> Recorded:
        require_role(principal, Role.ADMIN)
        ends_on = self.now().date() if ends_on is None else check_date(ends_on, "ends_on")
        return self.change(CooperationProgramme, programme_id, lambda p: p.close(ends_on, actor=principal.user_id))

    # -- clusters -----------------------------------------------------------------------------

    def form_cluster(
        self, principal: Principal, programme_id: str, name: str, themes: list[str], new_id: UUID | None = None
    ) -> Recorded:
        programme = self.load(CooperationProgramme, programme_id)
        _principal_may_run(principal, programme)
        cluster = Cluster(
            programme_id=str(programme.id),
            name=check_name(name),
            themes=check_themes(themes),
            actor=principal.user_id,
            id=new_id,
        )
        return Recorded(cluster, self.record_new(cluster))

    def join_cluster(self, principal: Principal, cluster_id: str, city_id: str) -> Recorded:
        cluster = self.load(Cluster, cluster_id)
        programme = self.load(CooperationProgramme, cluster.programme_id)
        _principal_may_run(principal, programme)
        city_id = str(self.load(City, city_id, field="city_id").id)
        if city_id not in programme.city_ids:
            raise MemberOutsideProgramme(f"city_id: the city is not in {programme.code}; it joins the programme first")
        return self.change(Cluster, cluster_id, lambda c: c.admit(city_id, actor=principal.user_id))

    def leave_cluster(self, principal: Principal, cluster_id: str, city_id: str, reason: str | None = None) -> Recorded:
        city_id, reason = str(parse_id(city_id, "city_id")), check_text(reason, "reason")
        cluster = self.load(Cluster, cluster_id)
        if not (principal.role == Role.OFFICER and principal.city_id == city_id):
            _principal_may_run(principal, self.load(CooperationProgramme, cluster.programme_id))
        return self.change(Cluster, cluster_id, lambda c: c.release(city_id, actor=principal.user_id, reason=reason))

    # -- what other commands ask --------------------------------------------------------------

    def _registry(self) -> ProgrammeRegistry | None:
        rid = ProgrammeRegistry.create_id()
        return self.load(ProgrammeRegistry, rid) if self.exists(rid) else None

    def programme_by_code(self, code: str) -> CooperationProgramme | None:
        pid = programme_id_of(code)
        return self.load(CooperationProgramme, pid) if self.exists(pid) else None

    def programmes_of(self, city_id: str) -> list[CooperationProgramme]:
        registry = self._registry()
        if registry is None:
            return []
        programmes = [self.load(CooperationProgramme, pid) for pid in registry.programmes]
        return [p for p in programmes if city_id in p.city_ids]

    def resolve_programme(
        self, programme_id: str | None, city_ids: Iterable[str], what: str = "member city"
    ) -> CooperationProgramme | None:
        """The programme a new partnership, session or agreement of these cities belongs to.

        Named: it must exist and hold every city. Omitted: the one programme that holds them
        all. A store with no programme at all is one implicit programme (None), as v0.1.0's was
        until ``twinning upgrade`` makes it explicit.
        """
        city_ids = list(dict.fromkeys(city_ids))
        if programme_id is not None:
            try:
                programme = self.load(CooperationProgramme, programme_id, field="programme_id")
            except NotFound:
                raise InvalidValue("programme_id", f"no programme has the id {programme_id}") from None
            self.check_members(programme, city_ids, what)
            return programme
        if self._registry() is None:
            return None
        if not city_ids:
            raise ProgrammeNotResolved("name the programme this belongs to")
        first = self.programmes_of(city_ids[0])
        if not first:
            raise ProgrammeNotResolved(f"the {what} {city_ids[0]} is in no programme; it joins one first")
        holding = [p for p in first if all(c in p.city_ids for c in city_ids)]
        if len(first) == 1:
            self.check_members(first[0], city_ids, what)
            return first[0]
        if len(holding) == 1:
            return holding[0]
        codes = ", ".join(p.code for p in (holding or first))
        raise ProgrammeNotResolved(f"the cities share {len(holding)} programmes ({codes}): name one")

    def check_members(self, programme: CooperationProgramme, city_ids: Iterable[str], what: str) -> None:
        strangers = [c for c in city_ids if c not in programme.city_ids]
        if strangers:
            raise MemberOutsideProgramme(f"the {what} {', '.join(strangers)} is not in {programme.code}")

    def programme_of(self, programme_id: str | None) -> CooperationProgramme | None:
        return None if programme_id is None else self.load(CooperationProgramme, programme_id)

    def require_acts_in(self, principal: Principal, programme: CooperationProgramme | str | None) -> None:
        """A facilitator acts only in their programmes; others are checked by their own rules."""
        if programme is None or principal.role != Role.FACILITATOR:
            return
        if isinstance(programme, str):
            programme = self.load(CooperationProgramme, programme)
        if principal.user_id not in programme.facilitator_ids:
            raise FacilitatorOutsideProgramme(f"you are not a facilitator of {programme.code}")
