"""Email over SMTP (``smtp://host:port``), or ``.eml`` files under an outbox folder when no SMTP is set."""

from __future__ import annotations

import email.policy
import os
import smtplib
import ssl
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

SMTP_TIMEOUT = 10
# Long subjects stay on one line (RFC 5322 allows 998 characters); the default 78 makes Python
# fold some subjects right after "Subject:", which readers then show with a leading space.
POLICY = email.policy.SMTP.clone(max_line_length=998)


@dataclass(frozen=True)
class Mail:
    """One email to one person; ``ics`` (bytes) and ``ics_method`` attach a calendar invitation."""

    to: str
    to_name: str
    subject: str
    body: str
    message_id: str
    ics: bytes | None = None
    ics_method: str = "REQUEST"
    headers: dict[str, str] = field(default_factory=dict)


def build_message(mail: Mail, sender: str, sent_at: datetime | None = None) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = formataddr(("twinning", sender))
    message["To"] = formataddr((mail.to_name, mail.to))
    message["Subject"] = mail.subject
    message["Date"] = format_datetime((sent_at or datetime.now(UTC)).astimezone(UTC))
    message["Message-ID"] = mail.message_id
    for name, value in mail.headers.items():
        message[name] = value
    message.set_content(mail.body)
    if mail.ics is not None:
        message.add_attachment(
            mail.ics,
            maintype="text",
            subtype="calendar",
            filename="invite.ics",
            params={"method": mail.ics_method, "charset": "utf-8"},
        )
    return message


class EmailSender:
    """Sends through ``smtp_url`` (smtp://[user:pw@]host[:port][?starttls=yes], smtps://…), else writes .eml files."""

    def __init__(self, smtp_url: str | None, outbox_dir: Path | str, sender: str = "twinning@localhost") -> None:
        self.smtp_url = smtp_url or None
        self.outbox_dir = Path(outbox_dir)
        self.sender = sender

    @property
    def channel(self) -> str:
        return "email"

    def send(self, mail: Mail) -> str:
        """Send one mail; answers where it went (``smtp://host:port`` or the .eml path)."""
        message = build_message(mail, self.sender)
        if self.smtp_url is None:
            return str(self._write(message, mail))
        parts = urlsplit(self.smtp_url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"SMTP_URL={self.smtp_url!r}: expected smtp://host:port or smtps://host:port")
        host = parts.hostname or "localhost"
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
        query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
        if parts.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
        with client:
            if query.get("starttls") in ("1", "yes", "true", "on"):
                client.starttls(context=ssl.create_default_context())
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
            client.send_message(message, from_addr=self.sender, to_addrs=[mail.to])
        return f"smtp://{host}:{port}"

    def _write(self, message: EmailMessage, mail: Mail) -> Path:
        """Atomically write ``<outbox>/<message-id>.eml``: a second write of the same mail replaces the first."""
        self.outbox_dir.mkdir(parents=True, exist_ok=True)
        stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in mail.message_id.strip("<>"))
        target = self.outbox_dir / f"{stem}.eml"
        fd, tmp = tempfile.mkstemp(dir=self.outbox_dir, prefix=".tmp-", suffix=".eml")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(message.as_bytes())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return target
