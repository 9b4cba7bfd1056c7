"""Whatever the sequence of commands, the lifecycles hold (DESIGN.md, "Statuses").

Random commands by random cities go to a Partnership and to an Agreement. A small
reference model says what each command should do; the aggregate must agree with it,
a refused command must leave the aggregate exactly as it was (no pending events), the
status must move only along the design's transitions, and replaying the recorded
events must rebuild the same aggregate.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError, UnknownReference
from domain.model.agreement import Agreement, AgreementNotInForce, AgreementTerminatedError, PartyAlreadySigned
from domain.model.partnership import (
    CityInvitedTwice,
    InvitationNotPending,
    Partnership,
    PartnershipClosed,
    PartnershipNotActive,
    PartnershipNotProposed,
    ProposerCannotBeInvited,
)

FAST = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

PROPOSER = "rome"
CITIES = ("rome", "yantai", "chengdu", "chongqing", "mannheim", "barcelona")
PARTNERSHIP_STATUSES = {"proposed", "active", "declined", "withdrawn", "concluded"}
PARTNERSHIP_MOVES = {
    ("proposed", "active"),
    ("proposed", "declined"),
    ("proposed", "withdrawn"),
    ("active", "concluded"),
}
AGREEMENT_STATUSES = {"drafted", "in_force", "terminated"}
AGREEMENT_MOVES = {("drafted", "in_force"), ("in_force", "terminated")}


def state_of(aggregate) -> dict:
    return copy.deepcopy({k: v for k, v in vars(aggregate).items() if k != "_pending_events"})


def replay(events):
    aggregate = None
    for recorded in events:
        aggregate = recorded.mutate(aggregate)
    return aggregate


# --- Partnership -------------------------------------------------------------------------

invitees = st.lists(st.sampled_from(CITIES[1:5]), min_size=1, max_size=4, unique=True)
COMMANDS = ["accept"] * 4 + ["decline"] * 2 + ["invite"] * 2 + ["adopt", "conclude", "conclude", "withdraw"]


def draw_partnership_command(data, partnership: Partnership) -> tuple[str, str | None]:
    """Any command by any city, but answers mostly by cities still pending, so runs reach every status."""
    command = data.draw(st.sampled_from(COMMANDS), label="command")
    if command in ("adopt", "conclude", "withdraw"):
        return command, None
    pending = sorted(c for c, i in partnership.invitations.items() if i["status"] == "pending")
    cities = st.sampled_from(CITIES)
    if pending and command != "invite":
        cities = st.one_of(st.sampled_from(pending), st.sampled_from(pending), cities)
    return command, data.draw(cities, label="city")


class PartnershipModel:
    """What the design says a partnership does, as plainly as possible."""

    def __init__(self, invited: list[str]) -> None:
        self.status = "proposed"
        self.invitations = {city: "pending" for city in invited}

    def expect(self, command: str, city: str | None) -> tuple[type[DomainError] | None, list[str]]:
        """The error the command must raise, or None and the events it must record; updates the model."""
        closed = self.status in ("declined", "withdrawn", "concluded")
        if command == "invite":
            if closed:
                return PartnershipClosed, []
            if city == PROPOSER:
                return ProposerCannotBeInvited, []
            if city in self.invitations:
                return CityInvitedTwice, []
            self.invitations[city] = "pending"
            return None, ["PartnerInvited"]
        if command in ("accept", "decline"):
            if closed:
                return PartnershipClosed, []
            if self.invitations.get(city) != "pending":
                return InvitationNotPending, []
            self.invitations[city] = "accepted" if command == "accept" else "declined"
            events = ["InvitationAccepted" if command == "accept" else "InvitationDeclined"]
            if self.status == "proposed" and "pending" not in self.invitations.values():
                self.status = "active" if "accepted" in self.invitations.values() else "declined"
                events.append("PartnershipActivated" if self.status == "active" else "PartnershipDeclined")
            return None, events
        if command == "withdraw":
            if self.status != "proposed":
                return PartnershipNotProposed, []
            self.status = "withdrawn"
            return None, ["ProposalWithdrawn"]
        if closed:
            return PartnershipClosed, []
        if self.status != "active":
            return PartnershipNotActive, []
        if command == "conclude":
            self.status = "concluded"
            return None, ["PartnershipConcluded"]
        return None, ["ActionPlanAdopted"]


def run_partnership_command(partnership: Partnership, command: str, city: str | None) -> None:
    actor = f"officer-of-{city or PROPOSER}"
    if command == "invite":
        partnership.invite(city, actor=actor)
    elif command == "accept":
        partnership.accept(city, actor=actor)
    elif command == "decline":
        partnership.decline(city, actor=actor, reason="not this year")
    elif command == "withdraw":
        partnership.withdraw(actor=actor, reason="postponed")
    elif command == "adopt":
        partnership.adopt_action_plan("Joint agenda", date(2020, 11, 16), actor=actor)
    else:
        partnership.conclude("done", actor=actor)


def check_partnership_invariants(partnership: Partnership) -> None:
    answers = [i["status"] for i in partnership.invitations.values()]
    assert partnership.status in PARTNERSHIP_STATUSES
    assert answers and set(answers) <= {"pending", "accepted", "declined"}
    assert PROPOSER not in partnership.invitations
    if partnership.status == "proposed":
        assert "pending" in answers, "a proposal with every answer in must have been settled"
    if partnership.status in ("active", "concluded"):
        assert "accepted" in answers
        assert len(partnership.member_city_ids) >= 2
    if partnership.status == "declined":
        assert set(answers) == {"declined"}
    assert partnership.member_city_ids[0] == PROPOSER
    assert set(partnership.member_city_ids[1:]) == {
        c for c, i in partnership.invitations.items() if i["status"] == "accepted"
    }


@FAST
@given(invited=invitees, steps=st.integers(0, 25), data=st.data())
def test_partnership_follows_its_lifecycle_whatever_the_commands(invited, steps, data):
    partnership = Partnership.propose(
        "Urban agriculture", PROPOSER, invited, ["urban-agriculture"], actor="officer-of-rome"
    )
    recorded = partnership.collect_events()
    model = PartnershipModel(invited)
    for _ in range(steps):
        command, city = draw_partnership_command(data, partnership)
        before, status_before = state_of(partnership), partnership.status
        error, expected_events = model.expect(command, city)
        try:
            run_partnership_command(partnership, command, city)
        except DomainError as raised:
            assert error is not None, f"{command} {city} was refused: {raised!r}"
            assert type(raised) is error
            assert partnership.collect_events() == [], "a refused command leaves no pending event"
            assert state_of(partnership) == before, "a refused command leaves the aggregate unchanged"
        else:
            assert error is None, f"{command} {city} should have raised {error.__name__}"
            new_events = partnership.collect_events()
            assert [type(e).__name__ for e in new_events] == expected_events
            assert [e.originator_version for e in new_events] == list(
                range(recorded[-1].originator_version + 1, recorded[-1].originator_version + 1 + len(new_events))
            )
            recorded.extend(new_events)
        assert partnership.status == model.status
        assert {c: i["status"] for c, i in partnership.invitations.items()} == model.invitations
        if partnership.status != status_before:
            assert (status_before, partnership.status) in PARTNERSHIP_MOVES
        check_partnership_invariants(partnership)
    event(f"partnership ends {partnership.status}")
    assert state_of(replay(recorded)) == state_of(partnership)


# --- Agreement ---------------------------------------------------------------------------

PARTY_NAMES = ("Yantai University", "Tuscia University", "Sapienza University of Rome", "Chengdu EIRI")
STRANGER = "University of Manchester"


def draw_agreement_command(data, agreement: Agreement, names: list[str]) -> tuple[str, int, int, bool]:
    """Mostly signatures, mostly by parties yet to sign; sometimes a stranger, a second signature or a termination."""
    command = data.draw(st.sampled_from(["sign"] * 4 + ["terminate"]), label="command")
    unsigned = [names.index(p["name"]) for p in agreement.parties if p["signed_on"] is None]
    anyone = st.integers(0, len(names))  # len(names) is the stranger
    index = data.draw(st.one_of(st.sampled_from(unsigned), anyone) if unsigned else anyone, label="party")
    return command, index, data.draw(st.integers(0, 60), label="day"), data.draw(st.booleans(), label="shout")


@FAST
@given(party_count=st.integers(2, len(PARTY_NAMES)), steps=st.integers(0, 12), data=st.data())
def test_agreement_signing_follows_its_lifecycle_whatever_the_order(party_count, steps, data):
    names = list(PARTY_NAMES[:party_count])
    agreement = Agreement.draft("MoU", "mou", [{"name": n} for n in names], ["urban-agriculture"], actor="facilitator")
    recorded = agreement.collect_events()
    status, signed = "drafted", {}
    first_day = date(2020, 10, 1)
    for _ in range(steps):
        command, index, offset, shout = draw_agreement_command(data, agreement, names)
        before, status_before = state_of(agreement), agreement.status
        day = first_day + timedelta(days=offset)
        party = names[index] if index < party_count else STRANGER
        if shout:
            party = party.upper()
        if command == "sign":
            if status == "terminated":
                error = AgreementTerminatedError
            elif index >= party_count:
                error = UnknownReference
            elif names[index] in signed:
                error = PartyAlreadySigned
            else:
                error = None
                signed[names[index]] = day
                expected = ["PartySigned"] + (["AgreementInForce"] if len(signed) == party_count else [])
                status = "in_force" if len(signed) == party_count else status
        else:
            error = {"terminated": AgreementTerminatedError, "drafted": AgreementNotInForce}.get(status)
            expected = ["AgreementTerminated"]
            status = "terminated" if error is None else status
        try:
            if command == "sign":
                agreement.sign(party, day, actor="officer")
            else:
                agreement.terminate("superseded", day, actor="officer")
        except DomainError as raised:
            assert type(raised) is error, f"{command} {party}: {raised!r}"
            assert agreement.collect_events() == []
            assert state_of(agreement) == before
        else:
            assert error is None, f"{command} {party} should have raised {error.__name__}"
            new_events = agreement.collect_events()
            assert [type(e).__name__ for e in new_events] == expected
            recorded.extend(new_events)
        assert agreement.status == status in AGREEMENT_STATUSES
        if agreement.status != status_before:
            assert (status_before, agreement.status) in AGREEMENT_MOVES
        assert {p["name"]: p["signed_on"] for p in agreement.parties if p["signed_on"]} == signed
        if agreement.status == "drafted":
            assert agreement.unsigned_parties and agreement.in_force_on is None
        else:
            assert agreement.unsigned_parties == []
            assert agreement.in_force_on == max(signed.values())
    event(f"agreement ends {agreement.status}")
    assert state_of(replay(recorded)) == state_of(agreement)
