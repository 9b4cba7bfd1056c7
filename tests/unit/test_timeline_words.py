"""The city timeline in Chinese: every sentence a read model tells (``Told``) and every word it puts
inside one (kinds, outcomes, profile fields) has its translation, with the same places to fill."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from babel.messages.pofile import read_po

from domain.model.city import PROFILE_FIELDS
from domain.model.statuses import FeedbackOutcome, MeetingKind, NotificationKind, StakeholderKind
from domain.views.told import Country, Names, Told

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "web" / "pages" / "translations"
PLACE = re.compile(r"\{(\w+)\}")


def told_patterns() -> set[str]:
    """The first argument of every ``Told(...)`` in the read models (``told.py`` itself makes words)."""
    found = set()
    for path in (ROOT / "domain" / "views").glob("*.py"):
        if path.name == "told.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Told":
                first = node.args[0] if node.args else None
                assert isinstance(first, ast.Constant), (
                    f"{path.name}:{node.lineno}: a Told's pattern must be written out"
                )
                found.add(first.value)
    return found


def words() -> set[str]:
    """The words tellers put in sentences, as ``word(...)`` makes them from the recorded values."""
    return (
        {k.value for k in StakeholderKind}
        | {k.value.replace("_", " ").capitalize() for k in MeetingKind}
        | {o.value.replace("_", " ") for o in FeedbackOutcome}
        | {k.value.replace("_", " ") for k in NotificationKind}
        | {f.replace("_", " ") for f in PROFILE_FIELDS}
    )


def catalogue(language: str):
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def test_every_timeline_sentence_and_word_is_in_both_catalogues_with_the_same_places():
    patterns = told_patterns()
    assert len(patterns) > 40 and "{city} accepted the invitation to {partnership}" in patterns
    zh, en = catalogue("zh_Hans"), catalogue("en")
    for msgid in patterns | words():
        assert en.get(msgid) is not None, f"{msgid!r} is not in the English catalogue"
        translated = zh.get(msgid)
        assert translated is not None and translated.string, f"{msgid!r} has no Chinese translation"
        assert sorted(PLACE.findall(translated.string)) == sorted(PLACE.findall(msgid)), (msgid, translated.string)


def test_a_told_sentence_is_its_english_text_and_keeps_its_parts():
    told = Told(
        "{city} proposed {partnership} to {cities}",
        city="Rome",
        partnership="\u201cUrban agriculture\u201d",
        cities=Names(["Yantai", "Mannheim", "Chongqing"]),
    )
    assert told == "Rome proposed \u201cUrban agriculture\u201d to Yantai, Mannheim and Chongqing"
    assert told.msgid == "{city} proposed {partnership} to {cities}" and told.params["city"] == "Rome"
    assert str(Names(["population", "local name"], together=False)) == "population, local name"
    assert (Country("IT"), Country("IT").code) == ("Italy", "IT")
    assert Country("XX") == "XX"
