"""The daily digest: officers on ``email: daily`` get one mail at 08:00 in their own time zone, across
a change to summer time, listing what they were told since their last digest and nothing that already
went by mail. Real Redis, the real RQ worker, real SMTP; the clock is the test's (the events' own
timestamps too), moved the way the schedule tests move it, and the sweep run as the scheduler would run it.

Rome's officer (Europe/Rome) and Yantai's (Asia/Shanghai) are on ``daily``. Europe/Rome moves to
summer time on Sunday 28 March 2027 at 02:00: Rome's 08:00 is 07:00 UTC on the 27th and 06:00 UTC
on the 28th; Yantai's is 00:00 UTC every day.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from eventsourcing.domain import CanCreateTimestamp

from tests.support.loop import inbox, officer_email, text_of
from tests.support.workers import dispatch, run_worker
from workers.scheduling import JobSpec, enqueue, job_id


@pytest.fixture
def database_url(sqlite_url):
    return sqlite_url


@pytest.fixture
def events_on_the_clock(monkeypatch, clock):
    """Events (Notifications included) stamped by the test's clock, so sent_at follows it."""
    clock.current = datetime(2027, 3, 26, 6, 0, tzinfo=UTC)
    monkeypatch.setattr(CanCreateTimestamp, "create_timestamp", staticmethod(lambda: clock()))
    return clock


def sweep(queue, clock, year, month, day, hour, minute) -> None:
    """The quarter-hourly sweep at that instant (UTC), through the real worker."""
    clock.current = datetime(year, month, day, hour, minute, tzinfo=UTC)
    slot = clock.current.strftime("%Y%m%dT%H%M")
    spec = JobSpec(job_id("daily-digests", slot), "workers.jobs.send_daily_digests", (slot,), {"rearm": False})
    assert enqueue(queue, spec, clock.current)
    run_worker(queue)


def digests(smtp_server, key: str) -> list:
    return smtp_server.to(officer_email(key), "digest")


def test_daily_officers_get_one_digest_at_their_own_0800_across_summer_time_without_repeating_mail(
    cast, dispatcher, queue, clocked_context, smtp_server, events_on_the_clock
):
    clock, app = events_on_the_clock, cast.programme
    rome, yantai = cast.officer("rome"), cast.officer("yantai")
    city = cast.city

    # Friday 26 March, 06:00 UTC: Rome's officer still reads mail at once when Chongqing declines.
    first = str(app.propose_partnership(rome, "Canal heritage", city("rome"), [city("chongqing")]).aggregate.id)
    app.decline_invitation(cast.officer("chongqing"), first, city("chongqing"), "Not this year")
    dispatch(app, dispatcher)
    run_worker(queue, until=lambda: smtp_server.to(officer_email("rome"), "invitation_answered"))
    app.change_preferences(rome, rome.user_id, email="daily")
    app.change_preferences(yantai, yantai.user_id, email="daily")

    # 07:30 UTC: Rome asks Yantai; Yantai's officer hears of it in the inbox only, for now.
    clock.current = datetime(2027, 3, 26, 7, 30, tzinfo=UTC)
    second = str(app.propose_partnership(rome, "Urban agriculture", city("rome"), [city("yantai")]).aggregate.id)
    dispatch(app, dispatcher)
    run_worker(queue)
    clock.current = datetime(2027, 3, 26, 9, 0, tzinfo=UTC)
    app.accept_invitation(yantai, second, city("yantai"))
    dispatch(app, dispatcher)
    run_worker(queue)
    (invited,) = inbox(app, yantai.user_id, "invitation")
    assert invited.channels == ["inbox"] and not smtp_server.to(officer_email("yantai"), "invitation")
    assert [n.channels for n in inbox(app, rome.user_id, "invitation_answered")] == [["inbox", "email"], ["inbox"]]

    sweep(queue, clock, 2027, 3, 26, 23, 45)  # Yantai 07:45, Rome 00:45: nobody is due
    assert not smtp_server.to(officer_email("yantai"), "digest") and not digests(smtp_server, "rome")
    sweep(queue, clock, 2027, 3, 27, 0, 0)  # 08:00 in Yantai
    (mail,) = digests(smtp_server, "yantai")
    assert mail["Subject"] == "Your twinning digest for 27 March 2027: 1 notification"
    assert "1. Rome invites Yantai to the partnership 'Urban agriculture' (26 March 2027, 15:30)" in text_of(mail)
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not digests(smtp_server, "rome"), "01:00 in Rome"

    sweep(queue, clock, 2027, 3, 27, 6, 45)  # Rome 07:45 (winter time)
    assert not digests(smtp_server, "rome")
    sweep(queue, clock, 2027, 3, 27, 7, 0)  # Rome 08:00
    (mail,) = digests(smtp_server, "rome")
    body = text_of(mail)
    assert mail["Subject"] == "Your twinning digest for 27 March 2027: 3 notifications"
    assert "1. Partner suggestions for Rome (26 March 2027, 08:30)" in body, "local time, winter: UTC+1"
    assert "Yantai accepted the invitation to 'Urban agriculture'" in body
    assert "The partnership 'Urban agriculture' is now active" in body
    assert "Chongqing declined" not in body, "already sent by mail: never repeated in a digest"
    sweep(queue, clock, 2027, 3, 27, 7, 15)  # a later sweep of the same day sends nothing more
    sweep(queue, clock, 2027, 3, 27, 9, 0)
    assert len(digests(smtp_server, "rome")) == 1 and len(digests(smtp_server, "yantai")) == 1

    # Saturday noon: Chengdu declines another of Rome's proposals. Summer time starts that night.
    clock.current = datetime(2027, 3, 27, 12, 0, tzinfo=UTC)
    third = str(app.propose_partnership(rome, "Hydrogen valleys", city("rome"), [city("chengdu")]).aggregate.id)
    app.decline_invitation(cast.officer("chengdu"), third, city("chengdu"), "We chose another partner")
    dispatch(app, dispatcher)
    run_worker(queue)
    sweep(queue, clock, 2027, 3, 28, 0, 0)  # Yantai's 08:00, with nothing new for Yantai: no mail
    assert len(digests(smtp_server, "yantai")) == 1
    sweep(queue, clock, 2027, 3, 28, 5, 45)  # 07:45 summer time in Rome
    assert len(digests(smtp_server, "rome")) == 1
    sweep(queue, clock, 2027, 3, 28, 6, 0)  # 08:00 summer time: an hour earlier in UTC than yesterday
    mails = digests(smtp_server, "rome")
    assert len(mails) == 2
    assert mails[1]["Subject"] == "Your twinning digest for 28 March 2027: 1 notification"
    later = text_of(mails[1])
    assert "Chengdu declined the invitation to 'Hydrogen valleys' (27 March 2027, 13:00)" in later
    assert "Yantai accepted" not in later, "yesterday's digest had it"
    digests_in_inbox = inbox(app, rome.user_id, "digest")
    assert [n.key.split("/")[3] for n in digests_in_inbox] == ["2027-03-27", "2027-03-28"]
