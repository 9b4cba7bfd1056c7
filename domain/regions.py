"""World regions of the programme, from ISO 3166-1 alpha-2 country codes.

The programme rule "partnership members span at least 2 world regions" and the
matchmaking reason "bridges world regions" both need a coarse region per country.
The table (``regions.json`` next to this module) covers all 249 officially assigned ISO 3166-1 alpha-2 codes.

The grouping follows the UN M49 geoscheme, coarsened to twelve regions, with these
deliberate departures that fit EU-Asia city cooperation:

* Cyprus, Turkey and the Caucasus states (Armenia, Azerbaijan, Georgia) count as
  ``europe`` (M49: Western Asia); Russia counts as ``europe`` (M49: Eastern Europe).
* Iran counts as ``west-asia`` with the Middle East and the Gulf (M49: Southern Asia).
* Sudan and Western Sahara count as ``north-africa``, as in M49.
* Remote territories follow M49: Bouvet Island and South Georgia go with South
  America, Heard and McDonald Islands with Australia, the French Southern
  Territories and the British Indian Ocean Territory with Eastern Africa, the US
  minor outlying islands with Micronesia. Only Antarctica itself is ``antarctica``.
"""

from __future__ import annotations

import json
from importlib import resources

from domain.errors import InvalidValue

REGIONS: dict[str, str] = {
    "europe": "Europe",
    "east-asia": "East Asia",
    "south-east-asia": "South-East Asia",
    "south-asia": "South Asia",
    "central-asia": "Central Asia",
    "west-asia": "West Asia (Middle East and the Gulf)",
    "north-africa": "North Africa",
    "sub-saharan-africa": "Sub-Saharan Africa",
    "north-america": "North America",
    "latin-america-caribbean": "Latin America and the Caribbean",
    "oceania": "Oceania",
    "antarctica": "Antarctica",
}

# region slug -> {alpha-2 code: English short name}, in domain/regions.json (package data)
_COUNTRIES_BY_REGION: dict[str, dict[str, str]] = json.loads(
    resources.files("domain").joinpath("regions.json").read_text(encoding="utf-8")
)

REGION_OF_COUNTRY: dict[str, str] = {
    code: region for region, countries in _COUNTRIES_BY_REGION.items() for code in countries
}

COUNTRY_NAMES: dict[str, str] = {
    code: name for countries in _COUNTRIES_BY_REGION.values() for code, name in countries.items()
}


def check_country(code: str, field: str = "country") -> str:
    """Return the ISO 3166-1 alpha-2 code upper-cased, or name the value that is not one."""
    if isinstance(code, str):
        normalised = code.upper()
        if normalised in REGION_OF_COUNTRY:
            return normalised
    raise InvalidValue(field, f"{code!r} is not an ISO 3166-1 alpha-2 country code such as IT, CN or GB")


def region_of(country: str) -> str:
    """The world region slug of a country code (any case)."""
    return REGION_OF_COUNTRY[check_country(country)]


def country_name(country: str) -> str:
    return COUNTRY_NAMES[check_country(country)]
