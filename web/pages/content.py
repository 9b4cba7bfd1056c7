"""pages-work's areas: the city directory, partnerships, the calendar, agreements and projects, reports."""

from __future__ import annotations

from web.pages import agreements, cities, meetings, partnerships, reports

CONTENT_AREAS = [cities, partnerships, meetings, agreements, reports]
