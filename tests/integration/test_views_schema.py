"""Views written by an older release open with this one: their tables are rebuilt from the log."""

from __future__ import annotations

from config.settings import persistence_env
from domain.followers import Follower
from domain.views import Views
from domain.views.store import SCHEMA_VERSION


def test_views_of_an_older_shape_are_dropped_and_replayed(cast, database_url):
    env = persistence_env(database_url)
    app = cast.programme
    views = Views(env)
    try:
        Follower(app, views).run_once()
        expected = views.dump()
        with views.recorder.db(commit=True) as db:  # as the first release left them
            db.run(
                "CREATE TABLE view_city_themes (city_id TEXT NOT NULL, direction TEXT NOT NULL, theme TEXT NOT NULL)"
            )
            db.run("UPDATE view_meta SET value = ? WHERE key = ?", ("1", "schema_version"))
    finally:
        views.close()

    reopened = Views(env)
    try:
        assert reopened.position() == 0
        assert all(rows == [] for rows in reopened.dump().values())
        with reopened.recorder.db(commit=False) as db:
            assert db.scalar("SELECT value FROM view_meta WHERE key = ?", ("schema_version",)) == SCHEMA_VERSION
            tables = reopened.recorder._stored_tables(db)
        assert "view_city_themes" not in tables
        assert Follower(app, reopened).run_once() == app.recorder.max_notification_id()
        assert reopened.dump() == expected
    finally:
        reopened.close()
