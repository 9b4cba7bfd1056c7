"""Delivery channels: email (SMTP, or .eml files in an outbox) and a signed webhook.

The in-app inbox is the Notification aggregate itself (see ``workers.delivery``).
"""

from workers.channels.email import EmailSender, Mail, build_message
from workers.channels.webhook import post_webhook, sign

__all__ = ["EmailSender", "Mail", "build_message", "post_webhook", "sign"]
