"""The daily digest: people on ``email: daily`` get one mail at 08:00 in their own time zone.

A sweep job runs every quarter hour (UTC; every zone's offset is whole quarter hours, so each
local 08:00 falls on a sweep) and re-arms the next one. For each person the users' view lists
on ``daily`` (re-checked on the User aggregate) whose local clock has passed 08:00, it enqueues that person's
digest job with the id ``daily-digest-<user>-<local date>``, so later sweeps of the same day find
it queued or done. The digest job records a ``digest`` Notification whose dedup key is per person
and local date: a job run twice, or retried after its worker was killed, sends the digest once.

A digest covers the notifications sent to the person between their last digest's 08:00 and this
one's, leaving out what already went by mail (its channels name ``email``: sent while the
person was on ``immediate``) and earlier digests.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rq import Queue, get_current_job

from domain.errors import NotFound
from domain.followers import Follower
from domain.model.notification import dedup_key
from domain.model.statuses import EmailMode, NotificationKind
from domain.model.user import User
from domain.views import Views
from workers.context import JobContext, current_context
from workers.delivery import Delivery, Message
from workers.job_support import load_or_none, skip
from workers.messages import digest as texts
from workers.scheduling import JobSpec, arm_daily_digests, enqueue, job_id

DIGEST_AT = time(8, 0)
LOOKBACK = timedelta(days=8)  # how far back a digest (and the sweep) looks for what is not yet digested


def _views(ctx: JobContext) -> Views:
    """The read models caught up with the log: what was recorded a moment ago is in the digest."""
    views = Views(dict(ctx.programme.env))
    Follower(ctx.programme, views).run_once()
    return views


def digest_instant(day: date, zone: str) -> datetime:
    """08:00 on that local date, as the zone's rules (summer time included) have it."""
    return datetime.combine(day, DIGEST_AT, tzinfo=ZoneInfo(zone))


def digest_spec(user_id: str, day: date) -> JobSpec:
    return JobSpec(
        job_id("daily-digest", user_id, day.isoformat()),
        "workers.jobs.send_daily_digest",
        (user_id, day.isoformat()),
        description=f"the daily digest of user {user_id} for {day}",
        timeout=300,
    )


def send_daily_digests(slot: str, rearm: bool = True) -> dict[str, Any]:
    """The quarter-hourly sweep: enqueue each due person's digest once; then arm the next sweep."""
    ctx = current_context()
    now = ctx.now()
    views = _views(ctx)
    try:
        recipients = [row["id"] for row in views.users_with_email(EmailMode.DAILY)]
    finally:
        views.close()
    job = get_current_job()
    queue = Queue(job.origin, connection=job.connection) if job is not None else None
    due = []
    delivery = Delivery(ctx)
    for user_id in recipients:
        user = load_or_none(ctx, User, user_id)
        if user is None or not user.active:
            continue
        preferences = delivery.reader(user)[0]
        local = now.astimezone(ZoneInfo(preferences.timezone))
        if preferences.email != EmailMode.DAILY or local.time() < DIGEST_AT:
            continue
        due.append(user_id)
        if queue is not None:
            enqueue(queue, digest_spec(user_id, local.date()), now)
    if rearm and queue is not None:
        arm_daily_digests(queue, now)
    return {"slot": slot, "due": len(due)}


def _previous_digest(ctx: JobContext, user_id: str, day: date) -> date | None:
    for back in range(1, LOOKBACK.days + 1):
        earlier = day - timedelta(days=back)
        key = dedup_key(NotificationKind.DIGEST, "user", user_id, earlier.isoformat(), user_id)
        if ctx.programme.notification_recorded(key):
            return earlier
    return None


def send_daily_digest(user_id: str, day: str) -> dict[str, Any]:
    """One person's digest for one local date: what they were told since their last digest, not yet mailed."""
    ctx = current_context()
    try:
        user = ctx.programme.load(User, user_id)
    except NotFound:
        return skip("the user is gone")
    delivery = Delivery(ctx)
    preferences, words = delivery.reader(user)
    if preferences.email != EmailMode.DAILY:
        return skip(f"the user's email preference is now {preferences.email}")
    on = date.fromisoformat(day)
    until = digest_instant(on, preferences.timezone)
    since = digest_instant(_previous_digest(ctx, user_id, on) or on - timedelta(days=1), preferences.timezone)
    views = _views(ctx)
    try:
        found = views.notifications_between(user_id, max(since, until - LOOKBACK), until)
    finally:
        views.close()
    items = [n for n in found if n["kind"] != NotificationKind.DIGEST and "email" not in (n["channels"] or [])]
    if not items:
        return skip("nothing to digest")
    title, body = texts.digest(words, on, items)
    delivery.deliver(user, Message(NotificationKind.DIGEST, "user", user_id, day, title, body))
    return {**delivery.finish(), "items": len(items)}
