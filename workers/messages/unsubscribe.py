"""The words of the one-click unsubscribe page (``GET``/``POST /unsubscribe/<token>``)."""

from __future__ import annotations

from workers.messages import Words


def page_title(w: Words) -> str:
    return w._("Stop email from twinning")


def ask(w: Words, email: str) -> str:
    return w._(
        "Press the button to stop all email from twinning to %(email)s. Your inbox in twinning stays as it is.",
        email=email,
    )


def button(w: Words) -> str:
    return w._("Unsubscribe")


def done(w: Words, email: str) -> str:
    return w._(
        "Done: twinning sends no more email to %(email)s. You can turn email back on with PATCH /api/v1/me.",
        email=email,
    )


def invalid(w: Words) -> str:
    return w._("This unsubscribe link is not valid.")
