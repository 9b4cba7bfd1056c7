"""The words of notifications: catalogues complete in both languages, dates and times per locale in the
reader's zone (summer time included), city names with their Chinese local names, the unsubscribe token."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from babel.messages.pofile import read_po

from workers.messages import TRANSLATIONS, CatalogueMissing, Words, catalogue, meetings, partnerships
from workers.unsubscribe import read_unsubscribe_token, unsubscribe_headers, unsubscribe_token

LIUZHOU = SimpleNamespace(name="Liuzhou", local_name="柳州")
ROME = SimpleNamespace(name="Rome", local_name="Roma")


def test_the_chinese_catalogue_translates_every_message_with_the_same_placeholders():
    with (TRANSLATIONS / "zh_Hans" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        zh = read_po(handle)
    with (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        en = read_po(handle)
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in zh if m.id} == {
        m.id if isinstance(m.id, str) else m.id[0] for m in en if m.id
    }
    untranslated = [m.id for m in zh if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])]
    assert untranslated == []
    problems = [(m.id, [str(e) for e in errors]) for m, errors in zh.check() if errors]
    assert problems == []


def test_a_missing_compiled_catalogue_fails_naming_make_catalogues():
    with pytest.raises(CatalogueMissing, match="make catalogues"):
        catalogue("xx_Missing")


def test_times_are_in_the_readers_zone_and_locale_across_summer_time():
    zh = Words("zh-Hans", "Asia/Shanghai", "Liuzhou（柳州）")
    assert (
        zh.when(datetime(2027, 3, 10, 8, 0, tzinfo=UTC))
        == "2027年3月10日星期三 16:00（Liuzhou（柳州）时间，UTC 08:00）"
    )
    rome = Words("en", "Europe/Rome", "Rome")
    assert rome.when(datetime(2027, 3, 27, 7, 0, tzinfo=UTC)) == "Saturday, 27 March 2027, 08:00 Rome time (07:00 UTC)"
    assert rome.when(datetime(2027, 3, 28, 6, 0, tzinfo=UTC)) == "Sunday, 28 March 2027, 08:00 Rome time (06:00 UTC)"
    assert Words().when(datetime(2027, 3, 28, 6, 0, tzinfo=UTC)) == "Sunday, 28 March 2027, 06:00 UTC"
    assert Words("zh-Hans").date(date(2027, 3, 28)) == "2027年3月28日"


def test_city_names_as_recorded_with_the_han_local_name_beside_them_for_a_chinese_reader():
    assert Words("zh-Hans").city(LIUZHOU) == "Liuzhou（柳州）"
    assert Words("zh-Hans").city(ROME) == "Rome", "Roma is no help to a Chinese reader"
    assert Words("en").city(LIUZHOU) == "Liuzhou"


def test_durations_and_lists_follow_the_language():
    en, zh = Words("en"), Words("zh-Hans")
    assert [en.duration(timedelta(days=d)) for d in (7, 30)] == ["7 days", "30 days"]
    assert en.duration(timedelta(hours=1)) == "1 hour" and en.duration(timedelta(seconds=3)) == "3 seconds"
    assert zh.duration(timedelta(days=30)) == "30 天" and zh.duration(timedelta(hours=24)) == "24 小时"
    assert en.names(["Rome", "Yantai", "Liuzhou"]) == "Rome, Yantai and Liuzhou"
    assert zh.names(["罗马", "烟台", "柳州"]) == "罗马、烟台和柳州"


def test_an_answer_and_a_calendar_summary_in_both_languages():
    en, zh = Words("en"), Words("zh-Hans")
    title, body = partnerships.invitation_answered(en, "Yantai", "Li Wei", False, "Urban farming", "No budget")
    assert title == "Yantai declined the invitation to 'Urban farming'"
    assert (
        body
        == "Li Wei, for Yantai, declined your city's invitation to the partnership 'Urban farming'.\nReason: No budget"
    )
    title, body = partnerships.invitation_answered(zh, "Yantai", "李伟", True, "Urban farming", None)
    assert title == "Yantai已接受加入“Urban farming”的邀请"
    assert body == "李伟代表Yantai接受了贵市发出的合作伙伴关系“Urban farming”邀请。"
    assert meetings.ics_summary(en, "workshop", "Kick-off") == "Kick-off"
    assert meetings.ics_summary(zh, "workshop", "Kick-off") == "工作坊：Kick-off"
    assert Words("fr").language == "en", "an unknown language reads English"


def test_the_unsubscribe_token_names_its_user_and_nothing_forged_or_signed_otherwise_passes():
    token = unsubscribe_token("s3cret", "7d1e0a52-0000-4000-8000-000000000001")
    assert read_unsubscribe_token("s3cret", token) == "7d1e0a52-0000-4000-8000-000000000001"
    assert read_unsubscribe_token("other-secret", token) is None
    assert read_unsubscribe_token("s3cret", token[:-2] + ("xy" if not token.endswith("xy") else "zz")) is None
    assert read_unsubscribe_token("s3cret", "not-a-token") is None
    headers = unsubscribe_headers("https://twinning.example/", "s3cret", "u1")
    assert headers["List-Unsubscribe"] == f"<https://twinning.example/unsubscribe/{unsubscribe_token('s3cret', 'u1')}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
