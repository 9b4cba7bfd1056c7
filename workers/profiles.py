"""City profiles for the workers' matchmaking mail: the views' one profile read model.

A job asks right after the event that triggered it, so the views are first caught up
with the log from here (a second follower of the views is safe: their tracking refuses
a position taken twice). The web's ``GET /cities/{id}/suggestions`` reads the same model,
so a city is suggested the same partners by mail and on the web. The views are opened
for the job and closed after it: a worker holds no connections between jobs.
"""

from __future__ import annotations

from domain.application import Programme
from domain.followers import Follower
from domain.matchmaking import CityProfile
from domain.views import Views


def load_profiles(programme: Programme) -> list[CityProfile]:
    """Every city's matchmaking profile, with the views caught up to the log's head."""
    views = Views(dict(programme.env))
    try:
        Follower(programme, views).run_once()
        return views.city_profiles()
    finally:
        views.close()
