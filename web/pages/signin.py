"""Signing in by email: ``GET /``, ``POST /sign-in``, ``GET /sign-in/<token>``, ``POST /sign-out``.

The link is mailed from this process (``workers.channels.email``), never through the queue,
so the one-time token is never written anywhere but the mail itself.
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from flask import Blueprint, current_app, redirect, request, url_for
from flask import session as flask_session
from flask_babel import gettext as _

from domain.model.signin import SIGN_IN_LINK_LIFETIME, SignInLinkRefused
from web import ratelimit
from web.pages import session
from web.pages.base import page_blueprint, render, services
from web.problems import ApiProblem
from workers.channels.email import EmailSender, Mail
from workers.context import DeliverySettings

PER_EMAIL_LIMIT = 5  # links asked for one address in PER_EMAIL_WINDOW (a mailbox is not a target to flood)
PER_EMAIL_WINDOW = SIGN_IN_LINK_LIFETIME.total_seconds()
AFTER_SIGN_IN = "after_sign_in"
STATUS_OF_REFUSAL = {"used": 410, "expired": 410, "unknown": 400}


def outbox() -> Path | None:
    """Where mail goes when no SMTP server is set (embedded mode): the sign-in page says so."""
    settings = services().settings
    return None if settings.smtp_url else DeliverySettings.from_settings(settings).outbox_dir.resolve()


def link_to(public_url: str, token: str) -> str:
    return f"{public_url}/sign-in/{token}"


def link_for(token: str) -> str:
    return link_to(services().settings.public_url, token)


def _limit(email: str) -> None:
    """Every request counts, known address or not, by address and by the address asked for."""
    window = current_app.extensions.get(ratelimit.EXTENSION)
    if window is None:
        return
    address = ratelimit.client_address(
        request.remote_addr, request.headers.get("X-Forwarded-For"), current_app.config["TRUSTED_PROXY_NETWORKS"]
    )
    keys = [
        (f"sign-in-address:{address}", int(current_app.config["AUTH_FAILURE_LIMIT"]), 60.0),
        ("sign-in-email:" + hashlib.sha256(email.casefold().encode()).hexdigest(), PER_EMAIL_LIMIT, PER_EMAIL_WINDOW),
    ]
    waits = [wait for key, limit, seconds in keys if (wait := window.retry_after(key, limit, seconds)) is not None]
    if waits:
        raise ApiProblem(
            429, "too-many-sign-in-requests", "Too many sign-in requests", headers={"Retry-After": str(max(waits))}
        )
    for key, _limit_count, seconds in keys:
        window.failed(key, seconds)


def send_link(email: str) -> None:
    issued = services().programme.issue_sign_in_link(email)
    if issued is None:
        return
    delivery = DeliverySettings.from_settings(services().settings)
    minutes = int(SIGN_IN_LINK_LIFETIME.total_seconds() // 60)
    body = _(
        "Hello %(name)s,\n\nopen this link to sign in to twinning (valid for %(minutes)s minutes, once):\n\n"
        "%(link)s\n\nIf you did not ask for it, ignore this mail: nobody can sign in without the link.\n",
        name=issued.user.name,
        minutes=minutes,
        link=link_for(issued.token),
    )
    mail = Mail(
        to=issued.user.email,
        to_name=issued.user.name,
        subject=_("Your sign-in link for twinning"),
        body=body,
        message_id=f"<sign-in-{uuid.uuid4().hex}@twinning>",
        headers={"X-Twinning-Kind": "sign-in-link"},
    )
    EmailSender(delivery.smtp_url, delivery.outbox_dir, delivery.sender).send(mail)


def blueprint() -> Blueprint:
    bp = page_blueprint("signin")

    @bp.get("/")
    def start():
        if session.current_principal() is not None:
            return redirect(session.safe_next(request.args.get("next")))
        wanted = session.safe_next(request.args.get("next"), "")
        if wanted:
            flask_session[AFTER_SIGN_IN] = wanted  # the link opened in this browser goes back there
        return render("sign_in.html", outbox=outbox())

    @bp.post("/sign-in")
    def ask():
        email = (request.form.get("email") or "").strip()
        if not email:
            message = _("Enter your email address.")
            return render("sign_in.html", 422, error=message, outbox=outbox())
        _limit(email)
        send_link(email)
        minutes = int(SIGN_IN_LINK_LIFETIME.total_seconds() // 60)
        return render("sign_in_sent.html", email=email, minutes=minutes, outbox=outbox())

    @bp.get("/sign-in/<token>")
    def use(token: str):
        try:
            signed = services().programme.sign_in_with_link(token)
        except SignInLinkRefused as refused:
            return render("sign_in_refused.html", STATUS_OF_REFUSAL[refused.reason], reason=refused.reason)
        wanted = session.safe_next(flask_session.get(AFTER_SIGN_IN))
        session.begin(signed.session_token)
        return redirect(wanted, 303)

    @bp.post("/sign-out")
    def sign_out():
        principal, token = session.current_principal(), session.session_token()
        if principal is not None and token:
            services().programme.sign_out(principal, token)
        session.end()
        return redirect(url_for("pages_signin.start"), 303)

    return bp
