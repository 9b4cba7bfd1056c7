"""The rules of programmes and clusters, on the aggregates, and the upcasters of v0.1.0's events."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import InvalidValue
from domain.model.agreement import Agreement
from domain.model.cluster import CityJoinedClusterTwice, CityNotInCluster, Cluster
from domain.model.meeting import Meeting
from domain.model.partnership import Partnership
from domain.model.programme import (
    CityJoinedTwice,
    CityNotInProgramme,
    CooperationProgramme,
    FacilitatorAssignedTwice,
    ProgrammeClosedError,
    RegionOutsideProgramme,
    programme_id_of,
)
from domain.model.project import PilotProject
from domain.model.statuses import ProgrammeStatus

ADMIN = "admin-user"
ROME, YANTAI, MELBOURNE = "city-rome", "city-yantai", "city-melbourne"


def iuc_asia() -> CooperationProgramme:
    return CooperationProgramme.launch(
        "iuc-asia", "IUC Asia 2017-2020", ["europe", "east-asia"], date(2017, 1, 1), ADMIN, ends_on=date(2020, 12, 31)
    )


def test_a_programme_is_launched_with_its_code_as_id_and_sorted_regions():
    programme = iuc_asia()
    assert programme.id == programme_id_of("iuc-asia")
    assert programme.regions == ["east-asia", "europe"]
    assert programme.status == ProgrammeStatus.OPEN and programme.city_ids == []


@pytest.mark.parametrize("code", ["IUC", "iuc asia", "-iuc", "iuc--asia", "", "x" * 61, 7])
def test_a_code_is_a_short_slug(code):
    with pytest.raises(InvalidValue) as refused:
        CooperationProgramme.launch(code, "IUC", ["europe"], date(2017, 1, 1), ADMIN)
    assert refused.value.field == "code"


@pytest.mark.parametrize("regions", [[], ["europe", "atlantis"], "europe"])
def test_regions_are_world_regions(regions):
    with pytest.raises(InvalidValue) as refused:
        CooperationProgramme.launch("iuc", "IUC", regions, date(2017, 1, 1), ADMIN)
    assert refused.value.field == "regions"


def test_a_programme_cannot_end_before_it_starts():
    with pytest.raises(InvalidValue) as refused:
        CooperationProgramme.launch("iuc", "IUC", ["europe"], date(2021, 1, 1), ADMIN, ends_on=date(2020, 12, 31))
    assert refused.value.field == "ends_on"


def test_a_city_joins_once_and_only_from_one_of_the_programmes_regions():
    programme = iuc_asia()
    programme.admit(ROME, "europe", ADMIN)
    programme.admit(YANTAI, "east-asia", ADMIN)
    with pytest.raises(CityJoinedTwice):
        programme.admit(ROME, "europe", ADMIN)
    with pytest.raises(RegionOutsideProgramme):
        programme.admit(MELBOURNE, "oceania", ADMIN)
    assert programme.city_ids == [ROME, YANTAI]
    assert [type(e).__name__ for e in programme.pending_events] == ["ProgrammeLaunched", "CityJoined", "CityJoined"]


def test_a_city_leaves_only_a_programme_it_is_in_and_may_join_again():
    programme = iuc_asia()
    with pytest.raises(CityNotInProgramme):
        programme.release(ROME, ADMIN)
    programme.admit(ROME, "europe", ADMIN)
    programme.release(ROME, ADMIN)
    assert programme.city_ids == []
    programme.admit(ROME, "europe", ADMIN)
    assert programme.city_ids == [ROME]


def test_a_facilitator_is_assigned_once():
    programme = iuc_asia()
    programme.assign_facilitator("facilitator-1", ADMIN)
    with pytest.raises(FacilitatorAssignedTwice):
        programme.assign_facilitator("facilitator-1", ADMIN)
    assert programme.facilitator_ids == ["facilitator-1"]


def test_a_closed_programme_takes_no_more_cities_and_closes_once():
    programme = iuc_asia()
    with pytest.raises(InvalidValue):
        programme.close(date(2016, 12, 31), ADMIN)
    programme.close(date(2020, 12, 31), ADMIN)
    assert programme.status == ProgrammeStatus.CLOSED and programme.ends_on == date(2020, 12, 31)
    with pytest.raises(ProgrammeClosedError):
        programme.admit(ROME, "europe", ADMIN)
    with pytest.raises(ProgrammeClosedError):
        programme.close(date(2021, 1, 1), ADMIN)


def test_a_cluster_takes_a_city_once_and_lets_only_a_member_leave():
    cluster = Cluster(programme_id="p", name="Smart city and digital transition", themes=["smart-city"], actor=ADMIN)
    cluster.admit(ROME, ADMIN)
    with pytest.raises(CityJoinedClusterTwice):
        cluster.admit(ROME, ADMIN)
    with pytest.raises(CityNotInCluster):
        cluster.release(YANTAI, ADMIN)
    cluster.release(ROME, ADMIN)
    assert cluster.city_ids == []


@pytest.mark.parametrize(
    "event_class",
    [
        Partnership.PartnershipProposed,
        Meeting.MeetingScheduled,
        Agreement.AgreementDrafted,
        PilotProject.ProjectLaunched,
    ],
)
def test_version_1_creation_events_are_upcast_to_no_programme(event_class):
    assert event_class.class_version == 2
    state = {"title": "Rome and Yantai"}
    event_class.upcast_v1_v2(state)
    assert state["programme_id"] is None


def test_a_v1_session_also_gets_no_cluster_and_was_not_recorded_after_the_fact():
    state = {"title": "Kick-off"}
    Meeting.MeetingScheduled.upcast_v1_v2(state)
    assert state == {"title": "Kick-off", "programme_id": None, "cluster_id": None, "recorded_after_the_fact": False}


@pytest.mark.parametrize("aggregate_class", [Partnership, Meeting, Agreement, PilotProject])
def test_version_1_snapshots_are_upcast_too(aggregate_class):
    state = {"title": "x"}
    aggregate_class.upcast_v1_v2(state)
    assert state["programme_id"] is None


def test_the_upgrade_places_an_old_partnership_once():
    partnership = Partnership.propose("Rome and Yantai", ROME, [YANTAI], ["mobility"], ADMIN)
    assert partnership.programme_id is None
    partnership.assign_programme("default-id", ADMIN)
    partnership.assign_programme("another-id", ADMIN)
    assert partnership.programme_id == "default-id"
    assert [type(e).__name__ for e in partnership.pending_events] == ["PartnershipProposed", "ProgrammeAssigned"]
