"""A recipient's preferences as deliveries apply them: language, email mode, time zone.

Read from the ``User`` aggregate at delivery time, not from the read model: a person who
turned mail off a moment ago must not get one more because the views lag behind the log.
The effective time zone is the person's own, else their city's, else UTC.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.model.city import City
from domain.model.statuses import EmailMode, Language
from domain.model.user import User
from workers.messages import Words


@dataclass(frozen=True)
class Preferences:
    language: str = Language.EN
    email: str = EmailMode.IMMEDIATE
    timezone: str = "UTC"
    own_zone: bool = False  # the person chose the zone (else it is their city's)


def preferences_of(user: User, city: City | None) -> Preferences:
    own = user.timezone
    zone = own or (city.timezone if city is not None else None) or "UTC"
    return Preferences(
        language=user.language,
        email=user.email_mode,
        timezone=zone,
        own_zone=bool(own),
    )


def words_for(preferences: Preferences, city: City | None) -> Words:
    """The recipient's Words; their city's name (in their language) names the zone unless they chose one."""
    words = Words(preferences.language, preferences.timezone)
    if preferences.own_zone or city is None:
        return words
    return Words(preferences.language, preferences.timezone, words.city(city))
