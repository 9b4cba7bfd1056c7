"""Mail in the reader's language, and the one-click unsubscribe link that every mail carries.

Liuzhou's officer reads Chinese: Rome's invitation and a session's calendar invitation reach them
in Simplified Chinese (Liuzhou written 柳州 beside its recorded name, the time in Liuzhou's zone,
the .ics SUMMARY in Chinese), while Rome's officer reads the same session in English. Then
Yantai's officer unsubscribes by the link in a mail: the GET only shows a button, the POST
turns mail off, and what follows reaches the inbox alone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.model.user import User
from domain.views import Views
from tests.api.conftest import make_settings
from tests.support.loop import enrol_liuzhou, ics_event, inbox, officer_email, text_of, unsubscribe_path
from tests.support.workers import dispatch, run_worker
from web.app import close_app, create_app
from workers.unsubscribe import unsubscribe_token


@pytest.fixture
def database_url(sqlite_url):
    return sqlite_url


@pytest.fixture
def web(programme, database_url, clocked_context):
    """The web app on the same store and secret as the workers (the token is signed with it)."""
    views = Views(dict(programme.env))
    app = create_app(
        make_settings(database_url, secret=clocked_context.delivery.secret), programme=programme, views=views
    )
    app.config["TESTING"] = True
    yield app.test_client()
    close_app(app)
    views.close()


def test_liuzhous_chinese_speaking_officer_reads_chinese_mail_and_a_chinese_calendar_entry(
    cast, dispatcher, queue, clocked_context, smtp_server
):
    app = cast.programme
    liuzhou = enrol_liuzhou(cast)
    app.propose_partnership(
        cast.officer("rome"), "Smart manufacturing", cast.city("rome"), [liuzhou.city_id], ["smart-city"]
    )
    starts = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)  # 16:00 in Liuzhou, 09:00 in Rome
    app.schedule_meeting(
        cast.facilitator, "Smart manufacturing kick-off", "workshop", starts, 90, [cast.city("rome"), liuzhou.city_id]
    )
    dispatch(app, dispatcher)
    run_worker(queue, until=lambda: len(smtp_server.to(liuzhou.email, "invitation")) == 2)

    mails = {m["Subject"]: m for m in smtp_server.to(liuzhou.email, "invitation")}
    assert "Rome邀请Liuzhou（柳州）加入合作伙伴关系“Smart manufacturing”" in mails
    session = mails["Liuzhou（柳州）受邀参加工作坊“Smart manufacturing kick-off”"]
    body = text_of(session)
    assert "2027年3月10日星期三 16:00（Liuzhou（柳州）时间，UTC 08:00）" in body
    assert "日历邀请见附件。" in body
    assert "如不想再收到这些邮件，请打开 https://twinning.test/unsubscribe/" in body
    _, event = ics_event(session)
    assert str(event["SUMMARY"]) == "工作坊：Smart manufacturing kick-off"
    assert "16:00" in str(event["DESCRIPTION"])
    (note,) = inbox(app, liuzhou.officer.user_id, "invitation")[1:]
    assert note.title == session["Subject"], "the inbox speaks Chinese too"

    (english,) = smtp_server.to(officer_email("rome"), "invitation")
    assert english["Subject"] == "Rome is invited to the workshop 'Smart manufacturing kick-off'"
    assert "Wednesday, 10 March 2027, 09:00 Rome time (08:00 UTC)" in text_of(english)
    assert str(ics_event(english)[1]["SUMMARY"]) == "Smart manufacturing kick-off"


def test_yantais_officer_unsubscribes_by_the_mailed_link_and_hears_only_through_the_inbox_after(
    cast, dispatcher, queue, clocked_context, smtp_server, web
):
    app, yantai = cast.programme, cast.officer("yantai")
    app.propose_partnership(
        cast.officer("rome"), "Urban agriculture", cast.city("rome"), [cast.city("yantai")], ["urban-agriculture"]
    )
    dispatch(app, dispatcher)
    run_worker(queue, until=lambda: smtp_server.to(officer_email("yantai"), "invitation"))
    (mail,) = smtp_server.to(officer_email("yantai"), "invitation")
    path = unsubscribe_path(mail)
    events = app.recorder.max_notification_id()

    page = web.get(path, headers={"Accept-Language": "en"})  # a mail scanner following the link
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert f'<form method="post" action="{path}">' in html and "Unsubscribe</button>" in html
    assert app.recorder.max_notification_id() == events, "a GET changes nothing"
    chinese = web.get(path, headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "退订</button>" in chinese and "停止接收 twinning 邮件" in chinese

    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert web.post(forged, data={"List-Unsubscribe": "One-Click"}).status_code == 404
    problem = web.post(forged, headers={"Accept": "application/problem+json"})
    assert problem.status_code == 404 and problem.json["status"] == 404
    secret = clocked_context.delivery.secret
    for nobody in (str(uuid4()), "not-a-user-id"):  # signed right, for no one there is
        assert web.post(f"/unsubscribe/{unsubscribe_token(secret, nobody)}").status_code == 404
    assert app.recorder.max_notification_id() == events, "a forged token records nothing"

    mailed = len(smtp_server.to(officer_email("yantai")))
    done = web.post(path, data={"List-Unsubscribe": "One-Click"})  # RFC 8058: no cookie, no sign-in
    assert done.status_code == 200
    assert "twinning sends no more email to officer@yantai.example" in done.get_data(as_text=True)
    user = app.load(User, yantai.user_id)
    assert user.email_mode == "off"
    logged = map(app.mapper.to_domain_event, app.recorder.select_notifications(1, 100_000))
    (changed,) = [e for e in logged if type(e).__name__ == "PreferencesChanged"]
    assert changed.actor == yantai.user_id, "recorded as the person's own act"

    app.schedule_meeting(
        cast.facilitator,
        "Kick-off",
        "online",
        datetime.now(UTC) + timedelta(days=3),
        60,
        [cast.city("rome"), cast.city("yantai")],
    )
    dispatch(app, dispatcher)
    run_worker(queue, until=lambda: smtp_server.to(officer_email("rome"), "invitation"))
    assert len(inbox(app, yantai.user_id, "invitation")) == 2, "the inbox still hears"
    assert inbox(app, yantai.user_id, "invitation")[1].channels == ["inbox"]
    assert len(smtp_server.to(officer_email("yantai"))) == mailed, "no mail after unsubscribing"
