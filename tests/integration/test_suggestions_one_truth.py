"""One profile read model: a city is suggested the same partners on the web and by mail."""

from __future__ import annotations

import pytest

from config.settings import persistence_env
from domain.followers import Follower
from domain.matchmaking import MatchIndex
from domain.model.city import City
from domain.views import Views
from web.api.lists import Suggester
from workers.profiles import load_profiles


@pytest.fixture
def views(database_url):
    views = Views(persistence_env(database_url))
    yield views
    views.close()


def test_the_web_and_the_mail_suggest_the_same_partners(cast, views):
    app = cast.programme
    # Recorded before the vocabulary was checked: a theme nobody can search for, offered by
    # the city and by its university.
    liverpool = City(
        "Liverpool",
        "GB",
        "Europe/London",
        ["urban-agriculture", "maritime-folklore"],
        ["smart-city"],
        actor=cast.admin.user_id,
    )
    liverpool.add_stakeholder(
        "uni-1",
        "University of Liverpool",
        "research",
        ["maritime-folklore", "urban-agriculture"],
        actor=cast.admin.user_id,
    )
    app.save(liverpool)
    app.propose_partnership(
        cast.officer("rome"), "Smart ports", cast.city("rome"), [cast.city("chengdu")], ["smart-city"]
    )
    Follower(app, views).run_once()

    by_mail = MatchIndex(load_profiles(app))
    for key in ("rome", "yantai", "chengdu"):
        on_the_web = Suggester().suggest(views, cast.city(key), 5)
        assert on_the_web, key
        assert on_the_web == by_mail.suggest(cast.city(key), 5), key

    profile = next(p for p in load_profiles(app) if p.id == str(liverpool.id))
    assert profile.themes_offered == {"urban-agriculture"}  # the unknown theme is no reason to suggest
    assert profile.helix == {"urban-agriculture": {"research"}}
