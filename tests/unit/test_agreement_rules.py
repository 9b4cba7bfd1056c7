"""Agreement: memoranda of understanding and other agreements, signed party by party."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from domain.errors import InvalidValue, PermissionDenied, UnknownReference
from domain.model.agreement import (
    AGREEMENT_KINDS,
    Agreement,
    AgreementNotInForce,
    AgreementTerminatedError,
    PartyAlreadySigned,
)

YANTAI_U, TUSCIA_U, SAPIENZA = "Yantai University", "Tuscia University", "Sapienza University of Rome"
OFFICER = "user-yantai-officer"


def mou(*names: str) -> Agreement:
    parties = [{"name": name} for name in (names or (YANTAI_U, TUSCIA_U))]
    agreement = Agreement.draft("Urban agriculture MoU", "mou", parties, ["urban-agriculture"], actor=OFFICER)
    agreement.collect_events()
    return agreement


def recorded(aggregate) -> list[str]:
    return [type(event).__name__ for event in aggregate.collect_events()]


@pytest.mark.parametrize("kind", AGREEMENT_KINDS)
def test_every_agreement_kind_can_be_drafted(kind):
    agreement = Agreement.draft("Cooperation", kind, [{"name": YANTAI_U}, {"name": TUSCIA_U}], [], actor=OFFICER)
    assert (agreement.kind, agreement.status, agreement.unsigned_parties) == (kind, "drafted", [YANTAI_U, TUSCIA_U])


@pytest.mark.parametrize("kind", ["treaty", "MoU", ""])
def test_unknown_agreement_kind_is_refused(kind):
    with pytest.raises(InvalidValue) as refused:
        Agreement.draft("Cooperation", kind, [{"name": YANTAI_U}, {"name": TUSCIA_U}], [], actor=OFFICER)
    assert refused.value.field == "kind"


@pytest.mark.parametrize("names", [[YANTAI_U], [YANTAI_U, "yantai university"], []])
def test_agreement_needs_two_distinct_parties(names):
    with pytest.raises(InvalidValue) as refused:
        Agreement.draft("Alone", "mou", [{"name": n} for n in names], [], actor=OFFICER)
    assert refused.value.field == "parties"


def test_party_listed_twice_among_others_is_refused():
    with pytest.raises(InvalidValue) as refused:
        Agreement.draft(
            "Triple",
            "framework",
            [{"name": YANTAI_U}, {"name": TUSCIA_U}, {"name": "TUSCIA UNIVERSITY"}],
            [],
            actor=OFFICER,
        )
    assert "twice" in refused.value.message


def test_party_signs_once():
    agreement = mou(YANTAI_U, TUSCIA_U, SAPIENZA)
    agreement.sign(YANTAI_U, date(2020, 10, 29), actor=OFFICER, signatory="President of Yantai University")
    with pytest.raises(PartyAlreadySigned):
        agreement.sign(YANTAI_U, date(2020, 10, 30), actor=OFFICER)
    with pytest.raises(PartyAlreadySigned):
        agreement.sign("YANTAI UNIVERSITY", date(2020, 10, 30), actor=OFFICER)
    assert agreement.party(YANTAI_U)["signed_on"] == date(2020, 10, 29)
    assert agreement.party(YANTAI_U)["signatory"] == "President of Yantai University"
    assert recorded(agreement) == ["PartySigned"]


def test_agreement_stays_drafted_until_the_last_party_signs():
    agreement = mou(YANTAI_U, TUSCIA_U, SAPIENZA)
    agreement.sign(YANTAI_U, date(2020, 10, 29), actor=OFFICER)
    agreement.sign(SAPIENZA, date(2020, 10, 29), actor=OFFICER)
    assert (agreement.status, agreement.unsigned_parties, agreement.in_force_on) == ("drafted", [TUSCIA_U], None)


def test_agreement_in_force_when_all_parties_signed():
    agreement = mou()
    agreement.sign(TUSCIA_U, date(2020, 10, 30), actor="user-rome-officer")
    agreement.sign(YANTAI_U, date(2020, 10, 29), actor=OFFICER)
    assert recorded(agreement) == ["PartySigned", "PartySigned", "AgreementInForce"]
    assert agreement.status == "in_force"
    assert agreement.in_force_on == date(2020, 10, 30), "in force from the latest signature, whoever signed last"
    assert agreement.unsigned_parties == []


def test_party_is_found_whatever_the_case_of_its_name():
    agreement = mou()
    agreement.sign("tuscia university", date(2020, 10, 30), actor=OFFICER)
    assert agreement.party(TUSCIA_U)["signed_on"] == date(2020, 10, 30)
    assert [e.party for e in agreement.collect_events()] == [TUSCIA_U]


def test_stranger_cannot_sign():
    agreement = mou()
    with pytest.raises(UnknownReference) as refused:
        agreement.sign("University of Manchester", date(2020, 10, 30), actor=OFFICER)
    assert refused.value.field == "party"
    assert (agreement.unsigned_parties, recorded(agreement)) == ([YANTAI_U, TUSCIA_U], [])


def test_only_an_agreement_in_force_can_be_terminated():
    agreement = mou()
    agreement.sign(YANTAI_U, date(2020, 10, 29), actor=OFFICER)
    with pytest.raises(AgreementNotInForce):
        agreement.terminate("changed our minds", date(2020, 11, 1), actor=OFFICER)
    assert (agreement.status, agreement.termination) == ("drafted", None)


def test_nothing_happens_after_termination():
    agreement = mou()
    agreement.sign(YANTAI_U, date(2020, 10, 29), actor=OFFICER)
    agreement.sign(TUSCIA_U, date(2020, 10, 30), actor=OFFICER)
    agreement.terminate("the faculty merged", date(2023, 6, 30), actor=OFFICER)
    assert recorded(agreement)[-1] == "AgreementTerminated"
    assert agreement.termination == {"reason": "the faculty merged", "on": date(2023, 6, 30)}
    with pytest.raises(AgreementTerminatedError):
        agreement.terminate("again", date(2023, 7, 1), actor=OFFICER)
    with pytest.raises(AgreementTerminatedError):
        agreement.sign(YANTAI_U, date(2023, 7, 1), actor=OFFICER)
    assert (agreement.status, recorded(agreement)) == ("terminated", [])


def test_a_party_signs_for_its_own_city_only(people):
    app = people.programme
    agreement = app.draft_agreement(
        people.officer("yantai"),
        "Yantai University – Tuscia University MoU",
        "mou",
        [{"name": YANTAI_U, "city_id": people.city("yantai")}, {"name": TUSCIA_U, "city_id": people.city("rome")}],
        ["urban-agriculture"],
    ).aggregate
    with pytest.raises(PermissionDenied):
        app.sign_agreement(people.officer("yantai"), str(agreement.id), TUSCIA_U, date(2020, 10, 30))
    app.sign_agreement(people.officer("yantai"), str(agreement.id), YANTAI_U, date(2020, 10, 29))
    signed = app.sign_agreement(people.officer("rome"), str(agreement.id), TUSCIA_U, date(2020, 10, 30)).aggregate
    assert (signed.status, signed.in_force_on, signed.version) == ("in_force", date(2020, 10, 30), 4)


@pytest.mark.parametrize("signed_on", [datetime(2020, 10, 29, 10, 0), "2020-10-29", date(1850, 1, 1), None])
def test_signing_date_is_a_calendar_date(people, signed_on):
    app = people.programme
    agreement = app.draft_agreement(
        people.facilitator, "MoU", "mou", [{"name": YANTAI_U}, {"name": TUSCIA_U}]
    ).aggregate
    with pytest.raises(InvalidValue) as refused:
        app.sign_agreement(people.facilitator, str(agreement.id), YANTAI_U, signed_on)
    assert refused.value.field == "signed_on"
    assert app.load(Agreement, agreement.id).version == 1


def test_party_city_must_exist_and_party_names_are_checked(people):
    app = people.programme
    with pytest.raises(UnknownReference) as refused:
        app.draft_agreement(
            people.facilitator,
            "MoU",
            "mou",
            [{"name": YANTAI_U, "city_id": "00000000-0000-0000-0000-000000000000"}, {"name": TUSCIA_U}],
        )
    assert refused.value.field == "parties.0.city_id"
    with pytest.raises(InvalidValue) as refused:
        app.draft_agreement(people.facilitator, "MoU", "mou", [{"name": YANTAI_U}, {"name": "Tuscia\x00"}])
    assert refused.value.field == "parties.1.name"
