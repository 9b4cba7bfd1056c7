"""The programme's limits, in one place: the rules check them, the web schemas document them.

A limit changed here changes both what the domain refuses (``InvalidValue`` naming the
field) and what /openapi.json tells clients, so the two cannot drift apart.
"""

from __future__ import annotations

from datetime import timedelta

# Business dates and instants: anything outside is a typing mistake, not a plan.
MIN_YEAR, MAX_YEAR = 1900, 2200

# Text.
MAX_NAME = 200  # names and titles, one line
MAX_TEXT = 10_000  # descriptions, summaries, reasons
MAX_EMAIL = 254  # the longest address SMTP carries (RFC 5321)
MAX_LOCATION = 500
MAX_URL = 2000
MAX_SEARCH = 200  # a directory search (?q=)

# Sessions and the slot finder.
MIN_MINUTES, MAX_MINUTES = 15, 600  # a session's length
MIN_STEP_MINUTES, MAX_STEP_MINUTES = 5, 240  # the slot finder's step between candidate starts
MAX_SLOT_RANGE = timedelta(days=31)
MAX_SLOT_CITIES = 20
MAX_ATTENDANCE = 1_000_000

# List sizes.
MAX_PARTNERSHIP_INVITED = 50  # cities invited by one proposal
MAX_SESSION_INVITED = 200  # cities invited to one session
MAX_PARTIES = 50  # parties to one agreement
DEFAULT_LIMIT, MAX_LIMIT = 50, 200  # a page of a list
MAX_CURSOR = 2000  # an opaque cursor's length
DEFAULT_SUGGESTIONS, MAX_SUGGESTIONS = 10, 50  # partner suggestions asked for at once

# Programmes and clusters.
MAX_PROGRAMME_CODE = 60  # a programme's code, a slug such as iurc-asia-australasia
MAX_PROGRAMME_REGIONS = 12  # every world region of domain/regions.py
MAX_CLUSTER_THEMES = 20
