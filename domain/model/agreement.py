"""A memorandum of understanding, framework agreement or protocol between two or more parties."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue, RuleBroken
from domain.model.statuses import AgreementKind, AgreementStatus, one_of

AGREEMENT_KINDS = tuple(AgreementKind)


class PartyAlreadySigned(RuleBroken):
    code = "party-already-signed"
    title = "A party signs an agreement once"


class AgreementTerminatedError(RuleBroken):
    code = "agreement-terminated"
    title = "Nothing more can happen to a terminated agreement"


class AgreementNotInForce(RuleBroken):
    code = "agreement-not-in-force"
    title = "Only an agreement in force can be terminated"


class Agreement(Aggregate):
    # Snapshots: version 2 holds programme_id (v0.1.0's did not).
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict) -> None:
        state["programme_id"] = None

    class AgreementDrafted(Aggregate.Created):
        """Version 2 adds ``programme_id``; v0.1.0's agreements had none."""

        class_version = 2
        title: str
        kind: str
        parties: list[dict]
        topics: list[str]
        partnership_id: str | None
        actor: str
        programme_id: str | None

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["programme_id"] = None

    def assign_programme(self, programme_id: str, actor: str) -> None:
        """The upgrade places an agreement recorded before programmes existed, once."""
        if self.programme_id is None:
            self._assign_programme(programme_id=programme_id, actor=actor)

    @event("ProgrammeAssigned")
    def _assign_programme(self, programme_id: str, actor: str) -> None:
        self.programme_id = programme_id

    @classmethod
    def draft(
        cls,
        title: str,
        kind: str,
        parties: list[dict],
        topics: list[str],
        actor: str,
        partnership_id: str | None = None,
        id: UUID | None = None,
        programme_id: str | None = None,
    ) -> Agreement:
        kind = one_of(AgreementKind, kind, "kind")
        names = [party["name"].casefold() for party in parties]
        if len(set(names)) < 2:
            raise InvalidValue("parties", "an agreement needs at least two distinct parties")
        if len(set(names)) != len(names):
            raise InvalidValue("parties", "a party is listed twice")
        parties = [
            {"name": p["name"], "city_id": p.get("city_id"), "signed_on": None, "signatory": None} for p in parties
        ]
        return cls(
            id=id,
            title=title,
            kind=kind,
            parties=parties,
            topics=list(topics),
            partnership_id=partnership_id,
            actor=actor,
            programme_id=programme_id,
        )

    @event(AgreementDrafted)
    def __init__(
        self,
        title: str,
        kind: str,
        parties: list[dict],
        topics: list[str],
        partnership_id: str | None,
        actor: str,
        id: UUID | None = None,
        programme_id: str | None = None,
    ) -> None:
        self.programme_id = programme_id
        self.title = title
        self.kind = AgreementKind(kind)
        self.parties = [dict(p) for p in parties]
        self.topics = list(topics)
        self.partnership_id = partnership_id
        self.status = AgreementStatus.DRAFTED
        self.in_force_on: date | None = None
        self.termination: dict | None = None

    def party(self, name: str) -> dict:
        for party in self.parties:
            if party["name"].casefold() == name.casefold():
                return party
        raise InvalidValue("party", f"{name!r} is not a party to this agreement")

    @property
    def unsigned_parties(self) -> list[str]:
        return [p["name"] for p in self.parties if p["signed_on"] is None]

    def sign(self, party: str, signed_on: date, actor: str, signatory: str | None = None) -> None:
        if self.status == AgreementStatus.TERMINATED:
            raise AgreementTerminatedError("the agreement was terminated")
        signer = self.party(party)
        if signer["signed_on"] is not None:
            raise PartyAlreadySigned(f"{signer['name']} signed on {signer['signed_on'].isoformat()}")
        self._sign(party=signer["name"], signed_on=signed_on, signatory=signatory, actor=actor)
        if not self.unsigned_parties:
            self._enter_into_force(in_force_on=max(p["signed_on"] for p in self.parties), actor=actor)

    @event("PartySigned")
    def _sign(self, party: str, signed_on: date, signatory: str | None, actor: str) -> None:
        signer = self.party(party)
        signer["signed_on"] = signed_on
        signer["signatory"] = signatory

    @event("AgreementInForce")
    def _enter_into_force(self, in_force_on: date, actor: str) -> None:
        self.status = AgreementStatus.IN_FORCE
        self.in_force_on = in_force_on

    def terminate(self, reason: str, on: date, actor: str) -> None:
        if self.status == AgreementStatus.TERMINATED:
            raise AgreementTerminatedError("the agreement was already terminated")
        if self.status != AgreementStatus.IN_FORCE:
            raise AgreementNotInForce(f"the agreement is {self.status}")
        self._terminate(reason=reason, on=on, actor=actor)

    @event("AgreementTerminated")
    def _terminate(self, reason: str, on: date, actor: str) -> None:
        self.status = AgreementStatus.TERMINATED
        self.termination = {"reason": reason, "on": on}
