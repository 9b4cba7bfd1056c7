"""What a timeline entry says, as a message: the English sentence, and the parts another language needs.

A teller (``timeline.tells``) returns a ``Told``: a ``str`` whose value is the English sentence
(the API's ``summary``, unchanged), which also keeps its message id, a ``str.format`` pattern
with named places, and what goes in them. The pages say it in the reader's language
(``web/pages/telling.py``): the pattern through their catalogue, then each part:
- a name, title or date as recorded (plain ``str``),
- a ``Told`` word (a kind, an outcome, a field), translated in turn,
- ``Names``, listed the way the language lists things,
- a ``Country``, named in that language.
"""

from __future__ import annotations

from typing import Any

from domain.errors import DomainError
from domain.regions import country_name


class Told(str):
    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, **params: Any) -> Told:
        told = super().__new__(cls, msgid.format(**params))
        told.msgid, told.params = msgid, params
        return told


def word(text: str) -> Told:
    """A word of the programme's own (``webinar``, ``agreement reached``) that another language says otherwise."""
    return Told(text)


def listing(names: list[str]) -> str:
    """English: "Rome", "Rome and Yantai", "Rome, Yantai and Mannheim"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


class Names(tuple):
    """Names (or words) listed: with "and" before the last (``together``), or only with commas."""

    together: bool

    def __new__(cls, items: list[Any], together: bool = True) -> Names:
        names = super().__new__(cls, items)
        names.together = together
        return names

    def __str__(self) -> str:
        texts = [str(item) for item in self]
        return listing(texts) if self.together else ", ".join(texts)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


class Country(str):
    """A country, said by its English name; ``code`` (ISO 3166) names it in another language."""

    code: str

    def __new__(cls, code: str) -> Country:
        try:
            name = country_name(code)
        except (DomainError, KeyError):
            name = code
        country = super().__new__(cls, name)
        country.code = code
        return country
