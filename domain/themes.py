"""The programme's theme vocabulary: the seed's clusters plus the 17 SDGs.

Themes are slugs so that filters, matchmaking and exports agree on spelling.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from domain.errors import InvalidValue

CLUSTER_THEMES: dict[str, str] = {
    "smart-city": "Smart city",
    "digital-transition": "Digital transition",
    "digital-twin": "Digital twins and BIM/GIS",
    "blockchain": "Blockchain",
    "mobility": "Mobility",
    "connectivity": "Connectivity and logistics",
    "health": "Health care",
    "biotech": "Biotechnology and life sciences",
    "medical-equipment": "Medical equipment",
    "energy-transition": "Energy transition",
    "energy-efficiency": "Energy efficiency in buildings",
    "energy-storage": "Energy storage and grids",
    "hydrogen": "Hydrogen and fuel cells",
    "circular-economy": "Circular economy",
    "green-infrastructure": "Green infrastructure",
    "urban-planning": "Urban planning and design",
    "culture": "Culture",
    "cultural-heritage": "Cultural heritage",
    "education": "Education and research",
    "tourism": "Tourism",
    "urban-agriculture": "Urban agriculture",
    "industrial-design": "Industrial design",
    "advanced-manufacturing": "Advanced manufacturing (industry 4.0)",
    "start-ups": "Start-ups, incubation and acceleration",
    "public-health-emergency": "Public-health emergency response",
}

SDG_THEMES: dict[str, str] = {f"sdg-{n}": f"UN Sustainable Development Goal {n}" for n in range(1, 18)}

THEMES: dict[str, str] = {**CLUSTER_THEMES, **SDG_THEMES}


class ThemeKind(StrEnum):
    CLUSTER = "cluster"
    SDG = "sdg"


def theme_label(slug: str) -> str:
    return THEMES[slug]


def theme_kind(slug: str) -> ThemeKind:
    return ThemeKind.CLUSTER if slug in CLUSTER_THEMES else ThemeKind.SDG


def check_themes(themes: Iterable[str], field: str = "themes") -> list[str]:
    """Return the themes as a sorted, de-duplicated list, or name the first unknown one."""
    seen: set[str] = set()
    for theme in themes:
        if not isinstance(theme, str) or theme not in THEMES:
            raise InvalidValue(field, f"unknown theme {theme!r}; see GET /api/v1/themes for the vocabulary")
        seen.add(theme)
    return sorted(seen)
