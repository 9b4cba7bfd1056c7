"""Timeline entries in the reader's language (``{{ entry.summary|told }}``).

The read models tell each entry as a ``domain.views.told.Told``: the English sentence (what the
API answers), its pattern and its parts. In English the page shows that sentence as it is; in
another language the pattern goes through the pages' catalogue and each part is said in turn:
names and titles as recorded, words through the catalogue, lists and countries as Babel has
them for the locale. A summary that is not a ``Told`` (an older caller) is shown as it is.
"""

from __future__ import annotations

from typing import Any

from babel import Locale
from babel.lists import format_list
from flask_babel import get_locale, gettext

from domain.views.told import Country, Names, Told

SEPARATORS = {"zh_Hans": "、"}  # a list without "and" (the fields of a profile)


def told(value: Any) -> str:
    language = str(get_locale() or "en")
    if language == "en" or not isinstance(value, Told):
        return str(value)
    return _said(value, language)


def _said(value: Any, language: str) -> str:
    if isinstance(value, Told):
        return gettext(value.msgid).format(**{k: _said(v, language) for k, v in value.params.items()})
    if isinstance(value, Names):
        items = [_said(item, language) for item in value]
        if value.together:
            return format_list(items, locale=language) if items else ""
        return SEPARATORS.get(language, ", ").join(items)
    if isinstance(value, Country):
        return Locale.parse(language).territories.get(value.code, str(value))
    return str(value)
