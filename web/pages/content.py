"""pages-work's areas: the city directory, partnerships, the calendar, agreements and projects, reports."""

from __future__ import annotations

from web.pages import agreements, cities, feedback, meetings, partnerships, preferences, reports

CONTENT_AREAS = [cities, partnerships, meetings, agreements, reports]
CONTENT_AREAS += [feedback, preferences]  # pages-more
