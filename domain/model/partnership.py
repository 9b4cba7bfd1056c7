"""A partnership: a proposer city invites partner cities; it becomes active once answered."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidValue, RuleBroken
from domain.model.statuses import CLOSED_PARTNERSHIP, InvitationStatus, PartnershipStatus

PENDING, ACCEPTED, DECLINED = InvitationStatus.PENDING, InvitationStatus.ACCEPTED, InvitationStatus.DECLINED
CLOSED_STATUSES = CLOSED_PARTNERSHIP


class ProposerCannotBeInvited(RuleBroken):
    code = "proposer-invited"
    title = "The proposing city cannot invite itself"


class CityInvitedTwice(RuleBroken):
    code = "city-invited-twice"
    title = "A city can be invited to a partnership only once"


class SingleRegionPartnership(RuleBroken):
    code = "single-region-partnership"
    title = "A partnership must span at least two world regions"


class InvitationNotPending(RuleBroken):
    code = "invitation-not-pending"
    title = "Only a city with a pending invitation can answer it, and only once"


class PartnershipClosed(RuleBroken):
    code = "partnership-closed"
    title = "Nothing more can happen in a declined, withdrawn or concluded partnership"


class PartnershipNotActive(RuleBroken):
    code = "partnership-not-active"
    title = "The partnership is not active"


class PartnershipNotProposed(RuleBroken):
    code = "partnership-not-proposed"
    title = "Only a proposal still awaiting answers can be withdrawn"


def check_spans_regions(regions: Mapping[str, str]) -> None:
    """The programme exists to bridge regions (Europe and Asia): one region is not enough."""
    if len(set(regions.values())) < 2:
        only = next(iter(set(regions.values())), "?")
        raise SingleRegionPartnership(f"all members are in {only}; invite a city from another world region")


class Partnership(Aggregate):
    # Snapshots: version 2 holds programme_id (v0.1.0's did not).
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict) -> None:
        state["programme_id"] = None

    class Event(Aggregate.Event):
        """Lets an event's body read its own recording time as ``recorded_at``.

        The library applies the body before it moves ``modified_on`` forward, so the
        body would otherwise see the previous event's time.
        """

        def mutate(self, aggregate):
            if aggregate is not None:
                aggregate.recorded_at = self.timestamp
            return super().mutate(aggregate)

    class PartnershipProposed(Aggregate.Created):
        """Version 2 adds ``programme_id``; proposals recorded by v0.1.0 had none (``twinning upgrade``
        assigns them to the default programme by appending ``ProgrammeAssigned``)."""

        class_version = 2
        title: str
        proposer_city_id: str
        invited_city_ids: list[str]
        themes: list[str]
        description: str | None
        actor: str
        programme_id: str | None

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["programme_id"] = None

    @classmethod
    def propose(
        cls,
        title: str,
        proposer_city_id: str,
        invited_city_ids: list[str],
        themes: list[str],
        actor: str,
        description: str | None = None,
        regions: Mapping[str, str] | None = None,
        id: UUID | None = None,
        programme_id: str | None = None,
    ) -> Partnership:
        """Check the proposal's rules, then record it. ``regions`` (city id → region) applies the programme rule."""
        if not invited_city_ids:
            raise InvalidValue("invited_city_ids", "invite at least one city")
        if proposer_city_id in invited_city_ids:
            raise ProposerCannotBeInvited("the proposer is also among the invited cities")
        if len(set(invited_city_ids)) != len(invited_city_ids):
            raise CityInvitedTwice("the same city appears twice among the invited cities")
        if regions is not None:
            check_spans_regions(regions)
        return cls(
            id=id,
            title=title,
            proposer_city_id=proposer_city_id,
            invited_city_ids=list(invited_city_ids),
            themes=list(themes),
            description=description,
            actor=actor,
            programme_id=programme_id,
        )

    @event(PartnershipProposed)
    def __init__(
        self,
        title: str,
        proposer_city_id: str,
        invited_city_ids: list[str],
        themes: list[str],
        description: str | None,
        actor: str,
        id: UUID | None = None,
        programme_id: str | None = None,
    ) -> None:
        self.programme_id = programme_id
        self.title = title
        self.proposer_city_id = proposer_city_id
        self.themes = list(themes)
        self.description = description
        self.invitations: dict[str, dict[str, Any]] = {
            city_id: {"status": PENDING, "invited_at": None, "answered_at": None, "reason": None}
            for city_id in invited_city_ids
        }
        for invitation in self.invitations.values():
            invitation["invited_at"] = self.created_on
        self.status = PartnershipStatus.PROPOSED
        self.action_plan: dict[str, Any] | None = None
        self.outcome: str | None = None
        self.closing_reason: str | None = None

    def assign_programme(self, programme_id: str, actor: str) -> None:
        """The upgrade places a partnership recorded before programmes existed, once."""
        if self.programme_id is None:
            self._assign_programme(programme_id=programme_id, actor=actor)

    @event("ProgrammeAssigned")
    def _assign_programme(self, programme_id: str, actor: str) -> None:
        self.programme_id = programme_id

    @property
    def member_city_ids(self) -> list[str]:
        """The proposer and every city that accepted."""
        return [self.proposer_city_id] + [c for c, i in self.invitations.items() if i["status"] == ACCEPTED]

    def invite(self, city_id: str, actor: str) -> None:
        self._check_open()
        if city_id == self.proposer_city_id:
            raise ProposerCannotBeInvited("the proposer cannot be invited to its own partnership")
        if city_id in self.invitations:
            raise CityInvitedTwice("this city has already been invited")
        self._invite(city_id=city_id, actor=actor)

    @event("PartnerInvited")
    def _invite(self, city_id: str, actor: str) -> None:
        self.invitations[city_id] = {
            "status": PENDING,
            "invited_at": self.recorded_at,
            "answered_at": None,
            "reason": None,
        }

    def accept(self, city_id: str, actor: str) -> None:
        self._check_pending(city_id)
        self._accept(city_id=city_id, actor=actor)
        self._settle_if_all_answered(actor)

    @event("InvitationAccepted")
    def _accept(self, city_id: str, actor: str) -> None:
        self.invitations[city_id].update(status=ACCEPTED, answered_at=self.recorded_at)

    def decline(self, city_id: str, actor: str, reason: str | None = None) -> None:
        self._check_pending(city_id)
        self._decline(city_id=city_id, reason=reason, actor=actor)
        self._settle_if_all_answered(actor)

    @event("InvitationDeclined")
    def _decline(self, city_id: str, reason: str | None, actor: str) -> None:
        self.invitations[city_id].update(status=DECLINED, answered_at=self.recorded_at, reason=reason)

    def withdraw(self, actor: str, reason: str | None = None) -> None:
        if self.status != PartnershipStatus.PROPOSED:
            raise PartnershipNotProposed(f"the partnership is {self.status}")
        self._withdraw(reason=reason, actor=actor)

    @event("ProposalWithdrawn")
    def _withdraw(self, reason: str | None, actor: str) -> None:
        self.status = PartnershipStatus.WITHDRAWN
        self.closing_reason = reason

    def adopt_action_plan(self, summary: str, adopted_on: date, actor: str) -> None:
        self._check_active()
        self._adopt_action_plan(summary=summary, adopted_on=adopted_on, actor=actor)

    @event("ActionPlanAdopted")
    def _adopt_action_plan(self, summary: str, adopted_on: date, actor: str) -> None:
        self.action_plan = {"summary": summary, "adopted_on": adopted_on}

    def conclude(self, outcome: str, actor: str) -> None:
        self._check_active()
        self._conclude(outcome=outcome, actor=actor)

    @event("PartnershipConcluded")
    def _conclude(self, outcome: str, actor: str) -> None:
        self.status = PartnershipStatus.CONCLUDED
        self.outcome = outcome

    def _settle_if_all_answered(self, actor: str) -> None:
        if self.status != PartnershipStatus.PROPOSED or any(i["status"] == PENDING for i in self.invitations.values()):
            return
        if any(i["status"] == ACCEPTED for i in self.invitations.values()):
            self._activate(actor=actor)
        else:
            self._decline_all(actor=actor)

    @event("PartnershipActivated")
    def _activate(self, actor: str) -> None:
        self.status = PartnershipStatus.ACTIVE

    @event("PartnershipDeclined")
    def _decline_all(self, actor: str) -> None:
        self.status = PartnershipStatus.DECLINED

    def _check_pending(self, city_id: str) -> None:
        self._check_open()
        invitation = self.invitations.get(city_id)
        if invitation is None or invitation["status"] != PENDING:
            answered = "was not invited" if invitation is None else f"has already {invitation['status']}"
            raise InvitationNotPending(f"this city {answered}")

    def _check_open(self) -> None:
        if self.status in CLOSED_STATUSES:
            raise PartnershipClosed(f"the partnership is {self.status}")

    def _check_active(self) -> None:
        self._check_open()
        if self.status != PartnershipStatus.ACTIVE:
            raise PartnershipNotActive(f"the partnership is {self.status}, not active")
