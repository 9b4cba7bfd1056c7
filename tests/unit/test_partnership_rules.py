"""Partnership: a proposer city invites partners; the answers decide whether it becomes active."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidValue, PermissionDenied, UnknownReference
from domain.model.city import CityRetiredError
from domain.model.partnership import (
    CityInvitedTwice,
    InvitationNotPending,
    Partnership,
    PartnershipClosed,
    PartnershipNotActive,
    PartnershipNotProposed,
    ProposerCannotBeInvited,
    SingleRegionPartnership,
)

ROME, YANTAI, CHENGDU, CHONGQING = "city-rome", "city-yantai", "city-chengdu", "city-chongqing"
OFFICER = "user-rome-officer"


def proposal(*invited: str) -> Partnership:
    """Rome proposes urban-agriculture research to the given cities (events already collected)."""
    partnership = Partnership.propose(
        "Urban agriculture research",
        ROME,
        list(invited or (YANTAI,)),
        ["urban-agriculture"],
        actor=OFFICER,
    )
    partnership.collect_events()
    return partnership


def recorded(aggregate) -> list[str]:
    """The names of the events the last command triggered (and hands them over, as a save would)."""
    return [type(event).__name__ for event in aggregate.collect_events()]


# --- proposing ---------------------------------------------------------------------------


def test_rome_proposes_and_every_invitee_is_pending(people):
    partnership = people.programme.propose_partnership(
        people.officer("rome"),
        "Urban agriculture research",
        people.city("rome"),
        [people.city("yantai"), people.city("chengdu")],
        ["urban-agriculture", "hydrogen"],
    ).aggregate
    assert partnership.status == "proposed"
    assert partnership.proposer_city_id == people.city("rome")
    assert {c: i["status"] for c, i in partnership.invitations.items()} == {
        people.city("yantai"): "pending",
        people.city("chengdu"): "pending",
    }
    assert partnership.member_city_ids == [people.city("rome")]
    assert partnership.themes == ["hydrogen", "urban-agriculture"]


def test_proposal_without_an_invitee_is_refused():
    with pytest.raises(InvalidValue) as refused:
        Partnership.propose("Alone", ROME, [], [], actor=OFFICER)
    assert refused.value.field == "invited_city_ids"


def test_proposer_cannot_invite_itself():
    with pytest.raises(ProposerCannotBeInvited):
        Partnership.propose("Mirror", ROME, [YANTAI, ROME], [], actor=OFFICER)
    partnership = proposal(YANTAI)
    with pytest.raises(ProposerCannotBeInvited):
        partnership.invite(ROME, actor=OFFICER)
    assert ROME not in partnership.invitations
    assert recorded(partnership) == []


def test_no_city_is_invited_twice():
    with pytest.raises(CityInvitedTwice):
        Partnership.propose("Echo", ROME, [YANTAI, CHENGDU, YANTAI], [], actor=OFFICER)
    partnership = proposal(YANTAI)
    with pytest.raises(CityInvitedTwice):
        partnership.invite(YANTAI, actor=OFFICER)
    assert list(partnership.invitations) == [YANTAI]


def test_single_region_partnership_is_refused(people):
    app = people.programme
    before = app.recorder.max_notification_id()
    with pytest.raises(SingleRegionPartnership):
        app.propose_partnership(
            people.officer("rome"),
            "Mediterranean smart cities",
            people.city("rome"),
            [people.city("barcelona")],
            ["smart-city"],
        )
    assert app.recorder.max_notification_id() == before


def test_two_chinese_cities_alone_are_a_single_region_too(people):
    with pytest.raises(SingleRegionPartnership):
        people.programme.propose_partnership(
            people.officer("chongqing"),
            "Sichuan-Chongqing corridor",
            people.city("chongqing"),
            [people.city("chengdu")],
        )


def test_one_asian_city_among_europeans_bridges_the_regions(people):
    partnership = people.programme.propose_partnership(
        people.officer("rome"),
        "Smart cities across continents",
        people.city("rome"),
        [people.city("barcelona"), people.city("mannheim"), people.city("yantai")],
        ["smart-city"],
    ).aggregate
    assert partnership.status == "proposed"
    assert len(partnership.invitations) == 3


def test_single_region_partnership_is_allowed_when_the_programme_switches_the_rule_off(make_cast):
    relaxed = make_cast(TWINNING_REQUIRE_CROSS_REGION="no")
    partnership = relaxed.programme.propose_partnership(
        relaxed.officer("rome"),
        "Mediterranean smart cities",
        relaxed.city("rome"),
        [relaxed.city("barcelona")],
    ).aggregate
    assert partnership.status == "proposed"


def test_unknown_invited_city_names_the_field(people):
    with pytest.raises(UnknownReference) as refused:
        people.programme.propose_partnership(
            people.officer("rome"), "Ghost town", people.city("rome"), ["00000000-0000-0000-0000-000000000000"]
        )
    assert refused.value.field == "invited_city_ids"


def test_retired_city_cannot_be_invited(people):
    app = people.programme
    app.retire_city(people.facilitator, people.city("chengdu"), "left the programme")
    with pytest.raises(CityRetiredError):
        app.propose_partnership(people.officer("rome"), "Hydrogen", people.city("rome"), [people.city("chengdu")])
    partnership = app.propose_partnership(
        people.officer("rome"), "Hydrogen", people.city("rome"), [people.city("yantai")]
    ).aggregate
    with pytest.raises(CityRetiredError):
        app.invite_to_partnership(people.officer("rome"), str(partnership.id), people.city("chengdu"))


# --- answering ---------------------------------------------------------------------------


def test_invited_city_can_accept_only_once():
    partnership = proposal(YANTAI, CHENGDU)
    partnership.accept(YANTAI, actor="user-yantai")
    assert recorded(partnership) == ["InvitationAccepted"]
    with pytest.raises(InvitationNotPending):
        partnership.accept(YANTAI, actor="user-yantai")
    with pytest.raises(InvitationNotPending):
        partnership.decline(YANTAI, actor="user-yantai")
    assert partnership.invitations[YANTAI]["status"] == "accepted"
    assert recorded(partnership) == []


def test_invited_city_can_decline_only_once():
    partnership = proposal(YANTAI, CHENGDU)
    partnership.decline(YANTAI, actor="user-yantai", reason="busy with the 2021 expo")
    assert recorded(partnership) == ["InvitationDeclined"]
    with pytest.raises(InvitationNotPending):
        partnership.decline(YANTAI, actor="user-yantai")
    with pytest.raises(InvitationNotPending):
        partnership.accept(YANTAI, actor="user-yantai")
    assert partnership.invitations[YANTAI]["status"] == "declined"
    assert partnership.invitations[YANTAI]["reason"] == "busy with the 2021 expo"
    assert partnership.status == "proposed"


def test_city_that_was_not_invited_cannot_answer():
    partnership = proposal(YANTAI)
    with pytest.raises(InvitationNotPending):
        partnership.accept(CHONGQING, actor="user-chongqing")
    with pytest.raises(InvitationNotPending):
        partnership.accept(ROME, actor=OFFICER)
    assert recorded(partnership) == []


def test_partnership_stays_proposed_while_an_invitee_has_not_answered():
    partnership = proposal(YANTAI, CHENGDU, CHONGQING)
    partnership.accept(YANTAI, actor="user-yantai")
    partnership.decline(CHENGDU, actor="user-chengdu")
    assert partnership.status == "proposed"
    assert partnership.member_city_ids == [ROME, YANTAI]


def test_partnership_is_active_when_last_invitee_answers_and_one_accepted():
    partnership = proposal(YANTAI, CHENGDU)
    partnership.accept(YANTAI, actor="user-yantai")
    assert partnership.status == "proposed"
    partnership.collect_events()
    partnership.decline(CHENGDU, actor="user-chengdu")
    assert recorded(partnership) == ["InvitationDeclined", "PartnershipActivated"]
    assert partnership.status == "active"
    assert partnership.member_city_ids == [ROME, YANTAI]


def test_single_invitee_accepting_activates_at_once():
    partnership = proposal(YANTAI)
    partnership.accept(YANTAI, actor="user-yantai")
    assert recorded(partnership) == ["InvitationAccepted", "PartnershipActivated"]
    assert partnership.status == "active"


def test_partnership_is_declined_when_every_invitee_declines():
    partnership = proposal(YANTAI, CHENGDU)
    partnership.decline(YANTAI, actor="user-yantai")
    partnership.decline(CHENGDU, actor="user-chengdu")
    assert recorded(partnership) == ["InvitationDeclined", "InvitationDeclined", "PartnershipDeclined"]
    assert partnership.status == "declined"
    assert partnership.member_city_ids == [ROME]


def test_nothing_happens_after_every_invitee_declined():
    partnership = proposal(YANTAI)
    partnership.decline(YANTAI, actor="user-yantai")
    partnership.collect_events()
    with pytest.raises(PartnershipClosed):
        partnership.invite(CHENGDU, actor=OFFICER)
    with pytest.raises(PartnershipClosed):
        partnership.adopt_action_plan("plan", date(2020, 11, 1), actor=OFFICER)
    with pytest.raises(PartnershipNotProposed):
        partnership.withdraw(actor=OFFICER)
    assert (partnership.status, recorded(partnership)) == ("declined", [])


def test_city_invited_to_an_active_partnership_joins_it_when_it_accepts():
    partnership = proposal(YANTAI)
    partnership.accept(YANTAI, actor="user-yantai")
    partnership.invite(CHENGDU, actor=OFFICER)
    assert partnership.invitations[CHENGDU]["status"] == "pending"
    partnership.collect_events()
    partnership.accept(CHENGDU, actor="user-chengdu")
    assert recorded(partnership) == ["InvitationAccepted"]
    assert partnership.status == "active"
    assert partnership.member_city_ids == [ROME, YANTAI, CHENGDU]


def test_officer_answers_only_for_its_own_city(people):
    app = people.programme
    partnership = app.propose_partnership(
        people.officer("rome"), "Urban agriculture", people.city("rome"), [people.city("yantai")]
    ).aggregate
    with pytest.raises(PermissionDenied):
        app.accept_invitation(people.officer("chengdu"), str(partnership.id), people.city("yantai"))
    with pytest.raises(PermissionDenied):
        app.accept_invitation(people.officer("rome"), str(partnership.id), people.city("yantai"))
    accepted = app.accept_invitation(people.officer("yantai"), str(partnership.id), people.city("yantai")).aggregate
    assert accepted.status == "active"


# --- withdrawing, action plans, conclusion -----------------------------------------------


def test_nothing_happens_after_withdrawal():
    partnership = proposal(YANTAI, CHENGDU)
    partnership.accept(YANTAI, actor="user-yantai")
    partnership.withdraw(actor=OFFICER, reason="the budget moved to 2021")
    assert recorded(partnership) == ["InvitationAccepted", "ProposalWithdrawn"]
    assert (partnership.status, partnership.closing_reason) == ("withdrawn", "the budget moved to 2021")
    for command in (
        lambda: partnership.accept(CHENGDU, actor="user-chengdu"),
        lambda: partnership.decline(CHENGDU, actor="user-chengdu"),
        lambda: partnership.invite(CHONGQING, actor=OFFICER),
        lambda: partnership.adopt_action_plan("plan", date(2020, 11, 1), actor=OFFICER),
        lambda: partnership.conclude("done", actor=OFFICER),
    ):
        with pytest.raises(PartnershipClosed):
            command()
    with pytest.raises(PartnershipNotProposed):
        partnership.withdraw(actor=OFFICER)
    assert partnership.status == "withdrawn"
    assert partnership.invitations[CHENGDU]["status"] == "pending"
    assert recorded(partnership) == []


def test_only_a_proposal_awaiting_answers_can_be_withdrawn():
    partnership = proposal(YANTAI)
    partnership.accept(YANTAI, actor="user-yantai")
    with pytest.raises(PartnershipNotProposed):
        partnership.withdraw(actor=OFFICER)
    assert partnership.status == "active"


def test_action_plan_and_conclusion_need_an_active_partnership():
    partnership = proposal(YANTAI)
    with pytest.raises(PartnershipNotActive):
        partnership.adopt_action_plan("Joint research agenda", date(2020, 11, 1), actor=OFFICER)
    with pytest.raises(PartnershipNotActive):
        partnership.conclude("done", actor=OFFICER)
    assert (partnership.status, partnership.action_plan, recorded(partnership)) == ("proposed", None, [])


def test_active_partnership_adopts_its_action_plan_and_concludes():
    partnership = proposal(YANTAI)
    partnership.accept(YANTAI, actor="user-yantai")
    partnership.adopt_action_plan("Joint research agenda", date(2020, 11, 16), actor=OFFICER)
    partnership.conclude("Faculty of urban agriculture founded", actor="user-yantai")
    assert recorded(partnership) == [
        "InvitationAccepted",
        "PartnershipActivated",
        "ActionPlanAdopted",
        "PartnershipConcluded",
    ]
    assert partnership.action_plan == {"summary": "Joint research agenda", "adopted_on": date(2020, 11, 16)}
    assert (partnership.status, partnership.outcome) == ("concluded", "Faculty of urban agriculture founded")


def test_nothing_happens_after_conclusion():
    partnership = proposal(YANTAI, CHENGDU)
    partnership.accept(YANTAI, actor="user-yantai")
    partnership.accept(CHENGDU, actor="user-chengdu")
    partnership.conclude("done", actor=OFFICER)
    partnership.collect_events()
    for command in (
        lambda: partnership.invite(CHONGQING, actor=OFFICER),
        lambda: partnership.adopt_action_plan("late plan", date(2021, 1, 1), actor=OFFICER),
        lambda: partnership.conclude("again", actor=OFFICER),
    ):
        with pytest.raises(PartnershipClosed):
            command()
    with pytest.raises(PartnershipNotProposed):
        partnership.withdraw(actor=OFFICER)
    assert (partnership.status, partnership.outcome, recorded(partnership)) == ("concluded", "done", [])


def test_only_members_adopt_plans_and_conclude(people):
    app = people.programme
    pid = str(
        app.propose_partnership(
            people.officer("rome"),
            "Urban agriculture",
            people.city("rome"),
            [people.city("yantai"), people.city("chengdu")],
        ).aggregate.id
    )
    app.accept_invitation(people.officer("yantai"), pid, people.city("yantai"))
    app.decline_invitation(people.officer("chengdu"), pid, people.city("chengdu"), reason="other priorities")
    with pytest.raises(PermissionDenied):
        app.adopt_action_plan(people.officer("chengdu"), pid, "plan", date(2020, 12, 1))
    with pytest.raises(PermissionDenied):
        app.conclude_partnership(people.officer("chengdu"), pid, "done")
    plan = app.adopt_action_plan(people.officer("yantai"), pid, "Joint agenda", date(2020, 12, 1)).aggregate
    assert plan.action_plan["adopted_on"] == date(2020, 12, 1)
    assert app.conclude_partnership(people.officer("rome"), pid, "done").aggregate.status == "concluded"


def test_partnership_read_back_from_the_store_matches_what_the_commands_answered(people):
    app = people.programme
    pid = str(
        app.propose_partnership(
            people.officer("rome"),
            "Urban agriculture",
            people.city("rome"),
            [people.city("yantai"), people.city("chengdu")],
        ).aggregate.id
    )
    app.decline_invitation(people.officer("chengdu"), pid, people.city("chengdu"), reason="not now")
    answered = app.accept_invitation(people.officer("yantai"), pid, people.city("yantai")).aggregate
    stored = app.load(Partnership, pid)
    assert (stored.status, stored.version) == ("active", answered.version) == ("active", 4)
    assert stored.invitations == answered.invitations


def test_invitation_times_are_when_each_invitation_and_answer_was_recorded():
    partnership = Partnership.propose("Hydrogen buses", "rome", ["chengdu", "yantai"], [], actor="officer-of-rome")
    partnership.invite("manchester", actor="officer-of-rome")
    partnership.accept("chengdu", actor="officer-of-chengdu")
    proposed, invited, accepted = partnership.collect_events()

    assert partnership.invitations["yantai"]["invited_at"] == proposed.timestamp
    assert partnership.invitations["manchester"]["invited_at"] == invited.timestamp
    assert partnership.invitations["chengdu"]["answered_at"] == accepted.timestamp
    assert accepted.timestamp > proposed.timestamp
