"""Proposing partnerships and answering invitations."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from domain.access import Principal, require_officer_of_any, require_role
from domain.application.base import COMMAND_ATTEMPTS, ProgrammeBase, Recorded, parse_id
from domain.errors import ConcurrencyConflict, InvalidValue, StaleVersion
from domain.limits import MAX_PARTNERSHIP_INVITED
from domain.model.city import City
from domain.model.partnership import Partnership
from domain.model.statuses import Role
from domain.regions import region_of
from domain.themes import check_themes
from domain.values import check_date, check_name, check_text


class PartnershipsMixin(ProgrammeBase):
    def propose_partnership(
        self,
        principal: Principal,
        title: str,
        proposer_city_id: str,
        invited_city_ids: list[str],
        themes: list[str] = (),
        description: str | None = None,
        new_id: UUID | None = None,
        programme_id: str | None = None,
    ) -> Recorded:
        proposer = self.load(City, proposer_city_id, field="proposer_city_id")
        require_officer_of_any(principal, [str(proposer.id)], "the proposing city")
        if not isinstance(invited_city_ids, list) or len(invited_city_ids) > MAX_PARTNERSHIP_INVITED:
            raise InvalidValue("invited_city_ids", f"give a list of at most {MAX_PARTNERSHIP_INVITED} city ids")
        invited = [self.load(City, c, field="invited_city_ids") for c in invited_city_ids]
        for city in [proposer, *invited]:
            city.check_active()
        programme = self.resolve_programme(programme_id, [str(c.id) for c in [proposer, *invited]])
        self.require_acts_in(principal, programme)
        # A programme of one world region (none so far) pairs within it; otherwise members span two of its regions.
        spans = self.require_cross_region and (programme is None or len(programme.regions) > 1)
        regions = {str(c.id): region_of(c.country) for c in [proposer, *invited]} if spans else None
        partnership = Partnership.propose(
            title=check_name(title, "title"),
            proposer_city_id=str(proposer.id),
            invited_city_ids=[str(c.id) for c in invited],
            themes=check_themes(themes),
            description=check_text(description, "description"),
            regions=regions,
            actor=principal.user_id,
            id=new_id,
            programme_id=None if programme is None else str(programme.id),
        )
        return Recorded(partnership, self.record_new(partnership))

    def invite_to_partnership(
        self, principal: Principal, partnership_id: str, city_id: str, expected_version: int | None = None
    ) -> Recorded:
        city = self.load(City, city_id, field="city_id")
        city.check_active()

        def invite(partnership: Partnership) -> None:
            require_officer_of_any(principal, [partnership.proposer_city_id], "the proposing city")
            self._in_programme_of(principal, partnership, [str(city.id)])
            partnership.invite(str(city.id), actor=principal.user_id)

        return self.change(Partnership, partnership_id, invite, expected_version=expected_version)

    def accept_invitation(
        self, principal: Principal, partnership_id: str, city_id: str, expected_version: int | None = None
    ) -> Recorded:
        city_id = str(parse_id(city_id, "city_id"))
        require_officer_of_any(principal, [city_id], "the invited city")

        def accept(partnership: Partnership) -> None:
            self._in_programme_of(principal, partnership)
            partnership.accept(city_id, actor=principal.user_id)

        return self.change(Partnership, partnership_id, accept, expected_version=expected_version)

    def decline_invitation(
        self,
        principal: Principal,
        partnership_id: str,
        city_id: str,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        city_id = str(parse_id(city_id, "city_id"))
        require_officer_of_any(principal, [city_id], "the invited city")
        reason = check_text(reason, "reason")

        def decline(partnership: Partnership) -> None:
            self._in_programme_of(principal, partnership)
            partnership.decline(city_id, reason=reason, actor=principal.user_id)

        return self.change(Partnership, partnership_id, decline, expected_version=expected_version)

    def expire_invitation(
        self,
        principal: Principal,
        partnership_id: str,
        city_id: str,
        expires_after: timedelta | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """The system (or an admin) lets a pending invitation lapse: the partnership goes on as after a decline.

        With ``expires_after`` (INVITATION_EXPIRES_AFTER) an invitation younger than that is refused."""
        require_role(principal, Role.ADMIN)
        city_id = str(parse_id(city_id, "city_id"))
        return self.change(
            Partnership,
            partnership_id,
            lambda p: p.expire_invitation(
                city_id, actor=principal.user_id, now=self.now(), expires_after=expires_after
            ),
            expected_version=expected_version,
        )

    def withdraw_proposal(
        self, principal: Principal, partnership_id: str, reason: str | None = None, expected_version: int | None = None
    ) -> Recorded:
        reason = check_text(reason, "reason")

        def withdraw(partnership: Partnership) -> None:
            require_officer_of_any(principal, [partnership.proposer_city_id], "the proposing city")
            self._in_programme_of(principal, partnership)
            partnership.withdraw(reason=reason, actor=principal.user_id)

        return self.change(Partnership, partnership_id, withdraw, expected_version=expected_version)

    def adopt_action_plan(
        self,
        principal: Principal,
        partnership_id: str,
        summary: str,
        adopted_on: date,
        expected_version: int | None = None,
    ) -> Recorded:
        """Adopt the partnership's action plan in one step: the summary on the partnership, as before, and the
        plan aggregate (``ActionPlansMixin.adopt_partnership_plan``), recorded together."""
        summary, adopted_on = check_text(summary, "summary", required=True), check_date(adopted_on, "adopted_on")
        for attempt in range(1, COMMAND_ATTEMPTS + 1):
            partnership = self.load_expected(Partnership, partnership_id, expected_version)
            require_officer_of_any(principal, partnership.member_city_ids, "a member city")
            self._in_programme_of(principal, partnership)
            partnership.adopt_action_plan(summary, adopted_on, actor=principal.user_id)
            plan = self.adopt_partnership_plan(principal, partnership, summary, adopted_on)
            try:
                return Recorded(partnership, self.record(partnership, plan))
            except ConcurrencyConflict:
                if expected_version is not None:
                    raise StaleVersion(expected_version, self.load(Partnership, partnership_id).version) from None
                if attempt == COMMAND_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def conclude_partnership(
        self, principal: Principal, partnership_id: str, outcome: str, expected_version: int | None = None
    ) -> Recorded:
        outcome = check_text(outcome, "outcome", required=True)

        def conclude(partnership: Partnership) -> None:
            require_officer_of_any(principal, partnership.member_city_ids, "a member city")
            self._in_programme_of(principal, partnership)
            partnership.conclude(outcome, actor=principal.user_id)

        return self.change(Partnership, partnership_id, conclude, expected_version=expected_version)

    def _in_programme_of(self, principal: Principal, partnership: Partnership, cities: list[str] = ()) -> None:
        """A facilitator acts only in the partnership's programme, and new members must be in it."""
        if partnership.programme_id is None:
            return
        programme = self.programme_of(partnership.programme_id)
        self.require_acts_in(principal, programme)
        self.check_members(programme, cities, "invited city")
