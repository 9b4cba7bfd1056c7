"""Reference data: the theme vocabulary (public)."""

from __future__ import annotations

from domain.themes import THEMES, theme_kind
from web.api import api_blueprint
from web.schemas import ThemeList


def blueprint():
    bp = api_blueprint("meta", "Vocabulary", public=True)

    @bp.get("/themes")
    @bp.output(ThemeList)
    @bp.doc(summary="The theme vocabulary: the programme's clusters and the 17 SDGs", security=[])
    def themes():
        items = [{"slug": slug, "label": label, "kind": theme_kind(slug)} for slug, label in THEMES.items()]
        return {"items": items, "next_cursor": None}

    return bp
