"""The programme's themes in the page's language (``domain.themes`` keeps the slugs and English names)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from domain.themes import THEMES

CLUSTERS = {
    "smart-city": _l("Smart city"),
    "digital-transition": _l("Digital transition"),
    "digital-twin": _l("Digital twins and BIM/GIS"),
    "blockchain": _l("Blockchain"),
    "mobility": _l("Mobility"),
    "connectivity": _l("Connectivity and logistics"),
    "health": _l("Health care"),
    "biotech": _l("Biotechnology and life sciences"),
    "medical-equipment": _l("Medical equipment"),
    "energy-transition": _l("Energy transition"),
    "energy-efficiency": _l("Energy efficiency in buildings"),
    "energy-storage": _l("Energy storage and grids"),
    "hydrogen": _l("Hydrogen and fuel cells"),
    "circular-economy": _l("Circular economy"),
    "green-infrastructure": _l("Green infrastructure"),
    "urban-planning": _l("Urban planning and design"),
    "culture": _l("Culture"),
    "cultural-heritage": _l("Cultural heritage"),
    "education": _l("Education and research"),
    "tourism": _l("Tourism"),
    "urban-agriculture": _l("Urban agriculture"),
    "industrial-design": _l("Industrial design"),
    "advanced-manufacturing": _l("Advanced manufacturing (industry 4.0)"),
    "start-ups": _l("Start-ups, incubation and acceleration"),
    "public-health-emergency": _l("Public-health emergency response"),
}


def theme_name(slug: str) -> str:
    if slug in CLUSTERS:
        return str(CLUSTERS[slug])
    if slug.startswith("sdg-") and slug[4:].isdigit():
        return _("UN Sustainable Development Goal %(n)s", n=int(slug[4:]))
    return THEMES.get(slug, slug)


def theme_names(slugs) -> str:
    return ", ".join(theme_name(t) for t in slugs)


def theme_choices() -> list[tuple[str, str]]:
    """Every theme for a filter or a form: the clusters by name, then the goals in their order."""
    clusters = sorted((s for s in THEMES if not s.startswith("sdg-")), key=theme_name)
    goals = sorted((s for s in THEMES if s.startswith("sdg-")), key=lambda s: int(s[4:]))
    return [(slug, theme_name(slug)) for slug in clusters + goals]
