"""``/home``: the person's inbox (unread first), invitations to answer, upcoming sessions, suggested partners."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, redirect, request, url_for

from domain.errors import NotFound
from domain.model.statuses import Role
from web.api.lists import Suggester
from web.pages import reads
from web.pages.base import page_blueprint, render, services
from web.pages.errors import error_page
from web.pages.session import current_principal, signed_in

UPCOMING_DAYS = 60
LIMIT = 10


UNREAD_LIMIT = 50


def _unread_first(unread: list[dict], page: list[dict]) -> list[dict]:
    """Every unread notification (newest first), then this page's read ones (newest first)."""
    return unread + [n for n in page if n.get("read_at")]


def blueprint() -> Blueprint:
    bp = page_blueprint("home")
    suggester = Suggester()

    @bp.get("/home")
    @signed_in()
    def home():
        me = current_principal()
        views = reads.views()
        cursor = request.args.get("cursor") or None
        inbox = reads.guard(lambda: views.inbox(me.user_id, limit=LIMIT, cursor=cursor))
        # Unread ones lead on the first page; older pages hold only what was read.
        unread = (
            [] if cursor else reads.guard(lambda: views.inbox(me.user_id, limit=UNREAD_LIMIT, unread=True))["items"]
        )
        invitations, upcoming, suggestions, city, partnerships = [], [], [], None, []
        now = datetime.now(UTC)
        if me.role == Role.OFFICER and me.city_id:
            city = reads.guard(lambda: views.city(me.city_id))
            invitations = reads.guard(lambda: views.invitations_awaiting(me.city_id, limit=LIMIT))["items"]
            suggestions = _suggestions(suggester, views, me.city_id)
            partnerships = reads.guard(lambda: views.partnerships(city_id=me.city_id, limit=LIMIT))["items"]
        city_id = me.city_id if me.role == Role.OFFICER else None
        organiser = me.user_id if me.role == Role.FACILITATOR else None
        upcoming = reads.guard(
            lambda: views.meetings(
                city_id=city_id, organiser_id=organiser, from_=now, to=now + timedelta(days=UPCOMING_DAYS), limit=LIMIT
            )
        )["items"]
        return render(
            "home.html",
            inbox=_unread_first(unread, inbox["items"]),
            unread_count=len(unread),
            inbox_next=inbox["next_cursor"],
            invitations=invitations,
            upcoming=upcoming,
            suggestions=suggestions,
            partnerships=partnerships,
            city=city,
            done=request.args.get("done"),
        )

    @bp.post("/home/invitations/<partnership_id>/<answer>")
    @signed_in(Role.OFFICER, Role.FACILITATOR, Role.ADMIN)
    def answer_invitation(partnership_id: str, answer: str):
        """The same Application commands the API's accept and decline call."""
        me = current_principal()
        city_id = request.form.get("city_id") or me.city_id or ""
        programme = services().programme
        # A refusal (DomainError) becomes the error page with the API's status and reason (web/pages/errors.py).
        if answer == "accept":
            result = programme.accept_invitation(me, partnership_id, city_id)
        elif answer == "decline":
            reason = (request.form.get("reason") or "").strip() or None
            result = programme.decline_invitation(me, partnership_id, city_id, reason)
        else:
            return error_page(404)
        return redirect(url_for("pages_home.home", after=result.position or None, done=answer), 303)

    @bp.post("/home/notifications/<uuid:notification_id>/read")
    @signed_in()
    def mark_read(notification_id):
        """``mark_notification_read``: someone else's notification is the 404 page, as in the API."""
        result = services().programme.mark_notification_read(current_principal(), str(notification_id))
        return redirect(url_for("pages_home.home", after=result.position or None, done="read"), 303)

    @bp.post("/home/notifications/read")
    @signed_in()
    def mark_all_read():
        """``mark_all_notifications_read`` over the inbox view's unread ones, as the API's "read all"."""
        me = current_principal()
        unread = reads.guard(lambda: reads.views().unread_notification_ids(me.user_id))
        marked = services().programme.mark_all_notifications_read(me, unread)
        return redirect(url_for("pages_home.home", after=marked.position or None, done="read-all"), 303)

    return bp


def _suggestions(suggester: Suggester, views, city_id: str) -> list[dict]:
    """The API's suggestions; none while the views have not yet read the city (a new city, a lagging view)."""
    try:
        found = suggester.suggest(views, city_id, 5, cross_region=services().programme.require_cross_region)
    except NotFound:
        return []
    return [{"city_id": s.city_id, "name": s.name, "score": s.score, "reasons": list(s.reasons)} for s in found]
