"""Users, their tokens, and the caller (/me)."""

from __future__ import annotations

from uuid import UUID

from web import representations as rep
from web.api import api_blueprint
from web.api.lists import page
from web.http import answer, if_match, principal, programme, recorded, services
from web.schemas import (
    Empty,
    MeOut,
    NotificationPage,
    NotificationQuery,
    NotificationsMarked,
    PreferencesIn,
    ReadNotificationOut,
    UserIn,
    UserOut,
    UserWithToken,
)


def blueprint():
    bp = api_blueprint("users", "Users")

    @bp.post("/users")
    @bp.input(UserIn, arg_name="body")
    @bp.output(UserWithToken, status_code=201, description="the user and its first token (shown only now)")
    @bp.doc(summary="Create a user (admin)")
    def create_user(body: UserIn):
        issued = programme().create_user(
            principal(), body.name, body.email, body.role, str(body.city_id) if body.city_id else None
        )
        user = issued.user
        return answer(
            {**rep.user(user), "token": issued.token},
            user.version,
            201,
            issued.position,
            location=f"/api/v1/users/{user.id}",
        )

    @bp.get("/users/<uuid:user_id>")
    @bp.output(UserOut)
    @bp.doc(summary="One user (admin, auditor, or the user)")
    def get_user(user_id: UUID):
        user = programme().user(principal(), str(user_id))
        return answer(rep.user(user), user.version)

    @bp.post("/users/<uuid:user_id>/tokens")
    @bp.input(Empty, arg_name="body")
    @bp.output(UserWithToken, status_code=201, description="the user and the new token (shown only now)")
    @bp.doc(summary="Issue a new token (admin)")
    def issue_token(user_id: UUID, body: Empty):
        issued = programme().issue_token(principal(), str(user_id), expected_version=if_match())
        return answer({**rep.user(issued.user), "token": issued.token}, issued.user.version, 201, issued.position)

    @bp.post("/users/<uuid:user_id>/tokens/revoke")
    @bp.input(Empty, arg_name="body")
    @bp.output(UserOut)
    @bp.doc(summary="Revoke all of a user's tokens at once (admin)")
    def revoke_tokens(user_id: UUID, body: Empty):
        return recorded(programme().revoke_tokens(principal(), str(user_id), expected_version=if_match()), rep.user)

    @bp.post("/users/<uuid:user_id>/deactivate")
    @bp.input(Empty, arg_name="body")
    @bp.output(UserOut)
    @bp.doc(summary="Deactivate a user (admin)")
    def deactivate_user(user_id: UUID, body: Empty):
        return recorded(programme().deactivate_user(principal(), str(user_id), expected_version=if_match()), rep.user)

    @bp.get("/me")
    @bp.output(MeOut)
    @bp.doc(summary="The caller, with their preferences (language, email mode, the time zone they live by)")
    def me():
        who = principal()
        app = programme()
        user = app.user(who, who.user_id)
        return answer({**rep.user(user), "preferences": app.preferences_of(user)}, user.version)

    @bp.patch("/me")
    @bp.input(PreferencesIn, arg_name="body")
    @bp.output(MeOut)
    @bp.doc(
        summary="Change the caller's preferences: language, email mode, time zone",
        description="Send only what changes. `language`: en or zh-Hans; `email`: immediate, daily (one digest "
        "at 08:00 in the person's zone) or off; `timezone`: an IANA zone such as Asia/Shanghai (any other text: 422 "
        "naming `timezone`), or null for the city's zone (UTC without a city). The same values again record nothing.",
    )
    def update_me(body: PreferencesIn):
        who = principal()
        app = programme()
        changes = {field: getattr(body, field) for field in body.model_fields_set}
        result = app.change_preferences(who, who.user_id, expected_version=if_match(), **changes)
        user = result.aggregate
        return answer({**rep.user(user), "preferences": app.preferences_of(user)}, user.version, 200, result.position)

    @bp.get("/me/notifications")
    @bp.input(NotificationQuery, location="query", arg_name="query")
    @bp.output(NotificationPage)
    @bp.doc(summary="The caller's inbox, newest first (?unread=true: only those not read yet)")
    def notifications(query: NotificationQuery):
        who = principal()
        return page(
            query.after,
            lambda v: v.inbox(who.user_id, limit=query.limit, cursor=query.cursor, unread=bool(query.unread)),
        )

    @bp.post("/me/notifications/<uuid:notification_id>/read")
    @bp.input(Empty, arg_name="body")
    @bp.output(ReadNotificationOut)
    @bp.doc(summary="Mark one of the caller's notifications read (again: nothing more recorded; another's: 404)")
    def mark_notification_read(notification_id: UUID, body: Empty):
        return recorded(programme().mark_notification_read(principal(), str(notification_id)), rep.notification)

    @bp.post("/me/notifications/read")
    @bp.input(Empty, arg_name="body")
    @bp.output(NotificationsMarked)
    @bp.doc(summary="Mark all the caller's unread notifications read, in one transaction; how many it marked")
    def mark_all_notifications_read(body: Empty):
        who, views = principal(), services().views
        # The inbox view names the unread ones; without read models the log is searched instead.
        unread = None if views is None else views.unread_notification_ids(who.user_id)
        marked = programme().mark_all_notifications_read(who, unread)
        return answer({"marked": len(marked.notifications)}, None, 200, marked.position)

    return bp
