"""Incremental processing equals a rebuild from zero; a crash inside a batch leaves neither rows nor tracking."""

from __future__ import annotations

import pytest

from config.settings import persistence_env
from domain.followers import Follower
from domain.views import Views
from tests.integration.test_views import Story, story_steps


class Crash(RuntimeError):
    pass


class CrashingViews(Views):
    """Writes a batch's rows (and its tracking), then dies before the commit."""

    def __init__(self, env, crash_at: int) -> None:
        super().__init__(env)
        self.crash_at = crash_at
        self.rows_seen_before_crash: int | None = None

    def apply(self, db, batch):
        super().apply(db, batch)
        if batch[0][0] <= self.crash_at <= batch[-1][0]:
            # Inside the transaction: the rows and the tracking are there...
            self.rows_seen_before_crash = db.scalar("SELECT COUNT(*) FROM view_timeline")
            raise Crash(f"crash while applying the batch ending at {batch[-1][0]}")


@pytest.fixture
def env(database_url):
    return persistence_env(database_url)


@pytest.fixture
def views(env):
    views = Views(env)
    yield views
    views.close()


def test_small_incremental_batches_equal_a_rebuild_from_zero(cast, views):
    app = cast.programme
    follower = Follower(app, views, batch_size=3)
    follower.run_once()  # the cast's own events
    story = Story()
    runs = 1
    for _step in story_steps(cast, story):
        assert follower.run_once() > 0
        assert follower.lag() == 0
        runs += 1
    assert runs == 7  # the cast, then six steps of the story
    incremental = views.dump()
    assert all(
        incremental[t]
        for t in (
            "view_cities",
            "view_partnerships",
            "view_invitations",
            "view_meetings",
            "view_agreements",
            "view_projects",
            "view_milestones",
            "view_timeline",
            "view_inbox",
            "view_stakeholders",
        )
    )
    head = app.recorder.max_notification_id()

    replayed = views.rebuild(app)
    assert replayed == head
    assert views.position() == head
    assert views.dump() == incremental

    # A second view on the same store, filled in one go, agrees too.
    views.rebuild(app, batch_size=10_000)
    assert views.dump() == incremental


def rows_after(dump: dict, position: int) -> list:
    return [
        (table, row)
        for table, rows in dump.items()
        for row in rows
        if max(row.get("position") or 0, row.get("updated_position") or 0) > position
    ]


def test_a_crash_between_rows_and_commit_writes_nothing_and_a_rerun_processes_once(cast, env, views):
    app = cast.programme
    tell = story_steps(cast, Story())
    next(tell)  # cities
    Follower(app, views).run_once()
    next(tell)  # partnerships
    next(tell)  # meetings
    head = app.recorder.max_notification_id()

    crashing = CrashingViews(env, crash_at=head)  # the batch holding the last event dies before its commit
    try:
        with pytest.raises(Crash):
            Follower(app, crashing, batch_size=4).run_once()
        assert crashing.rows_seen_before_crash  # they were written, inside the transaction
    finally:
        crashing.close()
    committed = views.position()
    assert head - 4 <= committed < head  # earlier batches committed, the crashing one did not
    crashed = views.dump()
    assert rows_after(crashed, committed) == []  # no row of the crashed batch, and no tracking of it

    assert Follower(app, views, batch_size=4).run_once() == head - committed
    assert views.position() == head
    after = views.dump()
    assert rows_after(after, committed)
    timeline = [(r["city_id"], r["position"]) for r in after["view_timeline"]]
    assert len(timeline) == len(set(timeline))
    # Exactly what a replay from zero gives: nothing lost, nothing doubled.
    views.rebuild(app)
    assert views.dump() == after


def test_crash_in_the_first_batch_leaves_neither_rows_nor_tracking(cast, env, views):
    app = cast.programme
    crashing = CrashingViews(env, crash_at=1)
    try:
        with pytest.raises(Crash):
            Follower(app, crashing, batch_size=1000).run_once()  # one batch: the whole log
        assert crashing.rows_seen_before_crash > 0
    finally:
        crashing.close()
    assert views.position() == 0
    assert all(rows == [] for rows in views.dump().values())
    assert Follower(app, views, batch_size=5).run_once() == app.recorder.max_notification_id()
    assert len(views.dump()["view_cities"]) == 6


def test_two_followers_of_the_same_view_never_apply_a_batch_twice(cast, env, views):
    """A second projector that read a stale position loses the race on the tracking row, and resumes."""
    app = cast.programme
    other = Views(env)
    try:
        Follower(app, views).run_once()
        done = views.dump()
        stale = Follower(app, other, batch_size=7)
        real_position = other.position
        reads = []

        def position() -> int:  # the first read is stale, as if the other projector committed just after it
            reads.append(1)
            return 0 if len(reads) == 1 else real_position()

        other.position = position
        assert stale.run_once() == 0  # its first batch was refused (rolled back), then it resumed at the head
        assert len(reads) >= 2
        assert other.dump() == done
        assert views.position() == app.recorder.max_notification_id()
    finally:
        other.close()
