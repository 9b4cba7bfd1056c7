"""Matchmaking: explainable partner suggestions between cities (pure, no I/O).

Build a ``MatchIndex`` from ``CityProfile`` snapshots, keep it current with
``add``/``replace``, and ask ``suggest(city_id, limit, on)`` for ``Suggestion``s:
each carries a score (0..100) and the reasons, in words, that made it.
``score_pair`` scores one pair without an index. Weights: see ``signals``.
"""

from domain.matchmaking.hours import Overlap, schedule_overlap, utc_offset_minutes
from domain.matchmaking.index import MatchIndex
from domain.matchmaking.profile import (
    HELIX_KINDS,
    TIE_INVITATIONS,
    TIE_STATUSES,
    CityProfile,
    Suggestion,
    partners_by_city,
    region_label,
)
from domain.matchmaking.signals import WEIGHTS, score_pair

__all__ = [
    "HELIX_KINDS",
    "TIE_INVITATIONS",
    "TIE_STATUSES",
    "WEIGHTS",
    "CityProfile",
    "MatchIndex",
    "Overlap",
    "Suggestion",
    "partners_by_city",
    "region_label",
    "schedule_overlap",
    "score_pair",
    "utc_offset_minutes",
]
