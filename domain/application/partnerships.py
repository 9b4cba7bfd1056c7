"""Proposing partnerships and answering invitations."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.access import Principal, require_officer_of_any
from domain.application.base import COMMAND_ATTEMPTS, ProgrammeBase, Recorded, parse_id
from domain.errors import ConcurrencyConflict, InvalidValue, StaleVersion
from domain.limits import MAX_PARTNERSHIP_INVITED
from domain.model.city import City
from domain.model.partnership import Partnership
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
    ) -> Recorded:
        proposer = self.load(City, proposer_city_id, field="proposer_city_id")
        require_officer_of_any(principal, [str(proposer.id)], "the proposing city")
        if not isinstance(invited_city_ids, list) or len(invited_city_ids) > MAX_PARTNERSHIP_INVITED:
            raise InvalidValue("invited_city_ids", f"give a list of at most {MAX_PARTNERSHIP_INVITED} city ids")
        invited = [self.load(City, c, field="invited_city_ids") for c in invited_city_ids]
        for city in [proposer, *invited]:
            city.check_active()
        regions = {str(c.id): region_of(c.country) for c in [proposer, *invited]} if self.require_cross_region else None
        partnership = Partnership.propose(
            title=check_name(title, "title"),
            proposer_city_id=str(proposer.id),
            invited_city_ids=[str(c.id) for c in invited],
            themes=check_themes(themes),
            description=check_text(description, "description"),
            regions=regions,
            actor=principal.user_id,
            id=new_id,
        )
        return Recorded(partnership, self.record_new(partnership))

    def invite_to_partnership(
        self, principal: Principal, partnership_id: str, city_id: str, expected_version: int | None = None
    ) -> Recorded:
        city = self.load(City, city_id, field="city_id")
        city.check_active()

        def invite(partnership: Partnership) -> None:
            require_officer_of_any(principal, [partnership.proposer_city_id], "the proposing city")
            partnership.invite(str(city.id), actor=principal.user_id)

        return self.change(Partnership, partnership_id, invite, expected_version=expected_version)

    def accept_invitation(
        self, principal: Principal, partnership_id: str, city_id: str, expected_version: int | None = None
    ) -> Recorded:
        city_id = str(parse_id(city_id, "city_id"))
        require_officer_of_any(principal, [city_id], "the invited city")
        return self.change(
            Partnership,
            partnership_id,
            lambda p: p.accept(city_id, actor=principal.user_id),
            expected_version=expected_version,
        )

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
        return self.change(
            Partnership,
            partnership_id,
            lambda p: p.decline(city_id, reason=reason, actor=principal.user_id),
            expected_version=expected_version,
        )

    def withdraw_proposal(
        self, principal: Principal, partnership_id: str, reason: str | None = None, expected_version: int | None = None
    ) -> Recorded:
        reason = check_text(reason, "reason")

        def withdraw(partnership: Partnership) -> None:
            require_officer_of_any(principal, [partnership.proposer_city_id], "the proposing city")
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
            partnership.conclude(outcome, actor=principal.user_id)

        return self.change(Partnership, partnership_id, conclude, expected_version=expected_version)
