"""The views' memory of look-ups between batches never makes their rows differ from a rebuild.

``Views.process`` keeps what its committed batches looked up (city names, invitations,
invitees…) and trusts it only while the tracking position is the one it recorded
itself. Two projectors taking turns, a rolled-back batch, or a rebuild must each leave
exactly the rows of a replay from zero.
"""

from __future__ import annotations

import pytest

from config.settings import persistence_env
from domain.followers import Follower
from domain.views import Views
from tests.integration.test_views import Story, story_steps


@pytest.fixture
def env(database_url):
    return persistence_env(database_url)


def test_two_projectors_taking_turns_write_what_a_rebuild_writes(cast, env):
    app = cast.programme
    first, second = Views(env), Views(env)
    try:
        followers = [Follower(app, first, batch_size=4), Follower(app, second, batch_size=4)]
        followers[0].run_once()
        turn = 0
        for _step in story_steps(cast, Story()):
            # Each step is processed by the other projector than the last, so each one's memory
            # of its own last batch is out of date (the other has answered invitations, renamed...).
            turn += 1
            followers[turn % 2].run_once()
        assert first.position() == app.recorder.max_notification_id()
        taken_turns = first.dump()
        first.rebuild(app, batch_size=3)
        assert first.dump() == taken_turns
    finally:
        first.close()
        second.close()


def test_a_projector_does_not_trust_its_memory_after_another_one_wrote(cast, env):
    app, fac = cast.programme, cast.facilitator
    rome, yantai, chongqing = cast.city("rome"), cast.city("yantai"), cast.city("chongqing")
    first, second = Views(env), Views(env)
    try:
        one, other = Follower(app, first), Follower(app, second)
        pid = str(app.propose_partnership(fac, "Ports", rome, [yantai, chongqing], ["smart-city"]).aggregate.id)
        one.run_once()  # remembers the partnership with both invitations pending, and the cities' names
        app.decline_invitation(fac, pid, yantai, "Not now")
        app.update_city(fac, chongqing, {"name": "Chongqing Municipality"})
        other.run_once()  # the other projector records these
        app.accept_invitation(fac, pid, chongqing)  # activates it: involves only the cities still in
        one.run_once()
        incremental = first.dump()
        accepted = [
            r for r in incremental["view_timeline"] if r["type"] in ("InvitationAccepted", "PartnershipActivated")
        ]
        assert {r["city_id"] for r in accepted} == {rome, chongqing}  # not Yantai, which had declined
        assert any("Chongqing Municipality accepted" in r["summary"] for r in accepted)
        first.rebuild(app)
        assert first.dump() == incremental
    finally:
        first.close()
        second.close()


def test_a_rolled_back_batch_leaves_the_memory_as_it_was(cast, env):
    app = cast.programme
    views = Views(env)
    try:
        follower = Follower(app, views, batch_size=5)
        follower.run_once()
        original_apply = views.apply
        failures = []

        def failing_apply(db, batch):
            original_apply(db, batch)  # the look-ups and changes are made in the batch's context…
            if not failures:
                failures.append(batch[-1][0])
                raise RuntimeError("crash before the commit")  # …then thrown away with the transaction

        views.apply = failing_apply
        steps = story_steps(cast, Story())
        for _step in steps:
            try:
                follower.run_once()
            except RuntimeError:
                follower.run_once()  # the same events again, on fresh memory
        assert failures
        incremental = views.dump()
        views.rebuild(app)
        assert views.dump() == incremental
    finally:
        views.close()
