"""Deliveries: record the Notification first, then send it on the other channels.

Exactly once per dedup key: the Notification's id is derived from its key, so
``record_notification`` answers ``None`` for a key already recorded (a job that ran
twice, a re-dispatched job) and nothing is sent again.

A channel that fails after the Notification was recorded would otherwise never be
retried (the retry finds the key recorded). So the failing (key, channel) pairs are
kept in the running RQ job's ``meta["undelivered"]``, the job raises, and RQ's retry
sends exactly those again.

A worker killed between recording and sending (SIGKILL, the machine gone) would lose the
email or webhook call the same way. So before a new Notification is recorded, its other
channels are written ahead into ``meta["undelivered"]``, and cleared once sent: when RQ
retries the abandoned job, the key is recorded and the channels still listed are sent.
The inbox is exactly once; email and webhook at least once — a second copy only if the
worker dies after the mail server accepted the message and before the meta was cleared,
and that copy has the same Message-ID (the webhook the same notification id), so mail
clients and receivers can tell it is the same one.

A mail server that stays down longer than the job's own retries (10, 30, 60 s) does not send
the job to the failed registry at once: while ``DELIVERY_RETRY_FOR`` (default 24 h) has not
passed since the first failure, each further failure schedules one more retry, with an
interval doubling from 2 minutes up to 30. The jobs waiting so are kept in the Redis sorted
set ``RETRYING_KEY`` (job id → first failure), which /healthz reads to say "degraded".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from rq import get_current_job

from domain.access import SYSTEM
from domain.errors import NotFound
from domain.model.city import City
from domain.model.notification import Notification, dedup_key
from domain.model.statuses import EmailMode, NotificationKind
from domain.model.user import User
from workers.channels.email import EmailSender, Mail
from workers.channels.webhook import post_webhook
from workers.context import JobContext
from workers.messages import Words
from workers.preferences import Preferences, preferences_of, words_for
from workers.unsubscribe import unsubscribe_headers, unsubscribe_url

log = logging.getLogger(__name__)
UNDELIVERED = "undelivered"
FAILING_SINCE = "delivery_failing_since"
RETRYING_KEY = "twinning:deliveries:retrying"
DELIVERY_COUNTS = "twinning:deliveries:counts"  # "<channel>:<outcome>" → count, for /metrics
BACKOFF_FIRST, BACKOFF_MAX = 120, 1800


@dataclass(frozen=True)
class Message:
    """What to tell one recipient about one subject (kind, subject and version make its dedup key)."""

    kind: str
    subject_kind: str
    subject_id: str
    subject_version: int | str
    title: str
    body: str
    ics: bytes | None = None
    ics_method: str = "REQUEST"

    def key(self, recipient_id: str) -> str:
        return dedup_key(self.kind, self.subject_kind, self.subject_id, self.subject_version, recipient_id)


@dataclass
class Outcome:
    key: str
    recipient_id: str
    recorded: bool
    sent: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


class DeliveryFailed(RuntimeError):
    """Some channel failed; the Notification is recorded and the job's retry resends only what failed."""


class Delivery:
    def __init__(self, context: JobContext) -> None:
        self.context = context
        self.programme = context.programme
        settings = context.delivery
        self.email = EmailSender(settings.smtp_url, settings.outbox_dir, settings.sender)
        self.webhook_url = settings.webhook_url
        self.secret = settings.secret
        self.outcomes: list[Outcome] = []
        self._readers: dict[str, tuple[Preferences, Words]] = {}

    def reader(self, recipient: User) -> tuple[Preferences, Words]:
        """The recipient's preferences and words, read once per job."""
        found = self._readers.get(str(recipient.id))
        if found is None:
            city = None
            if recipient.city_id:
                try:
                    city = self.programme.load(City, recipient.city_id)
                except NotFound:
                    city = None
            preferences = preferences_of(recipient, city)
            found = self._readers[str(recipient.id)] = (preferences, words_for(preferences, city))
        return found

    def words(self, recipient: User) -> Words:
        return self.reader(recipient)[1]

    def channels_for(self, recipient: User, kind: str) -> list[str]:
        """The inbox always; mail at once only for ``immediate`` (a ``daily`` reader gets the digest,
        which is mail only: the webhook had each item already)."""
        email = self.reader(recipient)[0].email
        if kind == NotificationKind.DIGEST:
            return ["inbox"] + (["email"] if email != EmailMode.OFF else [])
        wanted = ["inbox"] + (["email"] if email == EmailMode.IMMEDIATE else [])
        return wanted + (["webhook"] if self.webhook_url else [])

    def deliver(self, recipient: User, message: Message) -> Outcome:
        """Record, then send on every channel; a failure is kept for the retry, not raised here."""
        key = message.key(str(recipient.id))
        job = get_current_job()
        undelivered: dict[str, list[str]] = dict(job.meta.get(UNDELIVERED, {})) if job is not None else {}
        channels = self.channels_for(recipient, message.kind)
        others = [c for c in channels if c != "inbox"]
        ahead = (
            job is not None
            and bool(others)
            and key not in undelivered
            and not self.programme.notification_recorded(key)
        )
        if ahead:  # written ahead: a worker killed after recording, before sending, leaves them to the retry
            self._save_undelivered(job, {**undelivered, key: others})
        recorded = self.programme.record_notification(
            SYSTEM,
            key,
            message.kind,
            str(recipient.id),
            {"kind": message.subject_kind, "id": message.subject_id},
            message.title,
            message.body,
            channels,
        )
        if recorded is None and ahead:  # recorded meanwhile by another run: it sends, not this one
            self._save_undelivered(job, undelivered)
        if recorded is not None:
            notification = recorded.aggregate
            pending = others
            if ahead:
                undelivered[key] = others
        else:
            pending = undelivered.get(key, [])
            if not pending:
                outcome = Outcome(key, str(recipient.id), recorded=False)
                self.outcomes.append(outcome)
                return outcome
            notification = self.programme.load(Notification, Notification.create_id(key))
        outcome = Outcome(key, str(recipient.id), recorded=recorded is not None)
        if recorded is not None:
            _count(job, "inbox", "sent")
        for channel in pending:
            try:
                self._send(channel, notification, recipient, message)
                outcome.sent.append(channel)
                _count(job, channel, "sent")
            except Exception as error:
                log.warning("delivery %s on %s failed: %s", key, channel, error)
                outcome.failed[channel] = f"{type(error).__name__}: {error}"
                _count(job, channel, "failed")
        if job is not None and (outcome.failed or key in undelivered):
            if outcome.failed:
                undelivered[key] = list(outcome.failed)
            else:
                undelivered.pop(key, None)
            self._save_undelivered(job, undelivered)
        self.outcomes.append(outcome)
        return outcome

    @staticmethod
    def _save_undelivered(job: Any, undelivered: dict[str, list[str]]) -> None:
        job.meta[UNDELIVERED] = undelivered
        job.save_meta()

    def finish(self) -> dict[str, Any]:
        """A summary for the job's result; raises DeliveryFailed (so RQ retries) if any channel failed."""
        failed = {o.key: o.failed for o in self.outcomes if o.failed}
        summary = {
            "recorded": sum(o.recorded for o in self.outcomes),
            "already_sent": sum(not o.recorded and not o.sent and not o.failed for o in self.outcomes),
            "sent": sum(bool(o.sent) for o in self.outcomes),
        }
        job = get_current_job()
        if failed:
            if job is not None:
                self._retry_within_window(job)
            raise DeliveryFailed(f"{len(failed)} deliveries failed on some channel: {failed}")
        if job is not None and FAILING_SINCE in job.meta:
            job.meta.pop(FAILING_SINCE)
            job.save_meta()
            job.connection.zrem(RETRYING_KEY, job.id)
        return summary

    def _retry_within_window(self, job: Any) -> None:
        """Keep retrying past the job's own retries while ``retry_for`` has not passed since the first failure."""
        now = datetime.now(UTC)
        since = datetime.fromisoformat(job.meta.setdefault(FAILING_SINCE, now.isoformat()))
        remaining = since + self.context.delivery.retry_for - now
        own_retries_left = job.retries_left or 0
        if own_retries_left == 0 and remaining > timedelta(0):
            extra = job.meta.get("delivery_extra_retries", 0)
            interval = min(BACKOFF_FIRST * 2**extra, BACKOFF_MAX, max(1, int(remaining.total_seconds())))
            job.meta["delivery_extra_retries"] = extra + 1
            job.retries_left, job.retry_intervals = 1, [interval]
            log.warning("job %s: delivery failing since %s; next try in %d s", job.id, since.isoformat(), interval)
        job.save_meta()
        if own_retries_left or remaining > timedelta(0):
            job.connection.zadd(RETRYING_KEY, {job.id: since.timestamp()})
        else:
            log.error("job %s: delivery failing since %s; giving up to the failed registry", job.id, since.isoformat())
            job.connection.zrem(RETRYING_KEY, job.id)

    def _send(self, channel: str, notification: Notification, recipient: User, message: Message) -> None:
        if channel == "email":
            public_url, user_id = self.context.delivery.public_url, str(recipient.id)
            footer = self.words(recipient)._(
                "To stop these emails, open %(url)s", url=unsubscribe_url(public_url, self.secret, user_id)
            )
            self.email.send(
                Mail(
                    to=recipient.email,
                    to_name=recipient.name,
                    subject=notification.title,
                    body=f"{notification.body}\n\n-- \n{footer}",
                    message_id=f"<{notification.id}@twinning>",
                    ics=message.ics,
                    ics_method=message.ics_method,
                    headers={
                        "X-Twinning-Kind": message.kind,
                        "X-Twinning-Notification": str(notification.id),
                        **unsubscribe_headers(public_url, self.secret, user_id),
                    },
                )
            )
        elif channel == "webhook" and self.webhook_url:
            post_webhook(self.webhook_url, payload(notification), self.secret)


def _count(job: Any, channel: str, outcome: str) -> None:
    if job is None:
        return
    try:
        job.connection.hincrby(DELIVERY_COUNTS, f"{channel}:{outcome}", 1)
    except Exception:  # a count is not worth failing a delivery for
        log.debug("could not count a delivery", exc_info=True)


def payload(notification: Notification) -> dict[str, Any]:
    return {
        "id": str(notification.id),
        "key": notification.key,
        "kind": notification.kind,
        "recipient_id": notification.recipient_id,
        "subject": dict(notification.subject),
        "title": notification.title,
        "body": notification.body,
        "channels": list(notification.channels),
        "sent_at": notification.created_on.astimezone(UTC).isoformat(),
    }
