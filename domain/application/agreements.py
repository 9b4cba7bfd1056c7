"""Memoranda of understanding and other agreements, signed party by party."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.access import Principal, require_officer_of_any
from domain.application.base import ProgrammeBase, Recorded, parse_id
from domain.errors import InvalidValue
from domain.limits import MAX_PARTIES
from domain.model.agreement import Agreement
from domain.model.city import City
from domain.model.partnership import Partnership
from domain.model.programme import ProgrammeNotResolved
from domain.themes import check_themes
from domain.values import check_date, check_name, check_text


class AgreementsMixin(ProgrammeBase):
    def draft_agreement(
        self,
        principal: Principal,
        title: str,
        kind: str,
        parties: list[dict],
        topics: list[str] = (),
        partnership_id: str | None = None,
        new_id: UUID | None = None,
        programme_id: str | None = None,
    ) -> Recorded:
        if not isinstance(parties, list) or len(parties) > MAX_PARTIES:
            raise InvalidValue("parties", f"give a list of at most {MAX_PARTIES} parties")
        checked = [self._party(party, index) for index, party in enumerate(parties)]
        require_officer_of_any(principal, [p["city_id"] for p in checked if p["city_id"]], "a party's city")
        cities = [p["city_id"] for p in checked if p["city_id"]]
        if partnership_id is not None:
            partnership = self.load(Partnership, partnership_id, field="partnership_id")
            partnership_id = str(partnership.id)
            if partnership.programme_id is not None:
                if programme_id is not None and str(parse_id(programme_id, "programme_id")) != partnership.programme_id:
                    raise ProgrammeNotResolved(f"differs from the partnership's {partnership.programme_id}")
                programme_id = partnership.programme_id
        programme = self.resolve_programme(programme_id, cities, "party's city")
        self.require_acts_in(principal, programme)
        agreement = Agreement.draft(
            title=check_name(title, "title"),
            kind=kind,
            parties=checked,
            topics=check_themes(topics, "topics"),
            partnership_id=partnership_id,
            actor=principal.user_id,
            id=new_id,
            programme_id=None if programme is None else str(programme.id),
        )
        return Recorded(agreement, self.record_new(agreement))

    def sign_agreement(
        self,
        principal: Principal,
        agreement_id: str,
        party: str,
        signed_on: date,
        signatory: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        signed_on = check_date(signed_on, "signed_on")
        signatory = None if signatory is None else check_name(signatory, "signatory")

        def sign(agreement: Agreement) -> None:
            require_officer_of_any(principal, [agreement.party(party)["city_id"]], f"the city of {party}")
            self.require_acts_in(principal, agreement.programme_id)
            agreement.sign(party, signed_on, signatory=signatory, actor=principal.user_id)

        return self.change(Agreement, agreement_id, sign, expected_version=expected_version)

    def terminate_agreement(
        self,
        principal: Principal,
        agreement_id: str,
        reason: str,
        on: date,
        expected_version: int | None = None,
    ) -> Recorded:
        reason, on = check_text(reason, "reason", required=True), check_date(on, "on")

        def terminate(agreement: Agreement) -> None:
            require_officer_of_any(
                principal, [p["city_id"] for p in agreement.parties if p["city_id"]], "a party's city"
            )
            agreement.terminate(reason, on, actor=principal.user_id)

        return self.change(Agreement, agreement_id, terminate, expected_version=expected_version)

    def _party(self, party: dict, index: int) -> dict:
        if not isinstance(party, dict):
            raise InvalidValue(f"parties.{index}", "expected {name, city_id?}")
        city_id = party.get("city_id")
        if city_id is not None:
            city_id = str(self.load(City, city_id, field=f"parties.{index}.city_id").id)
        return {"name": check_name(party.get("name"), f"parties.{index}.name"), "city_id": city_id}
