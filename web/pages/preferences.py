"""``/me``: a person's preferences (language, email, time zone) over the Application's ``change_preferences``.

The form is read with the API's ``PreferencesIn`` (the PATCH /me body), so a zone the API refuses
is refused here by the same rule. An empty zone means "my city's" (``timezone=None``). The form
carries the version it was read at: saved from a page read before a change made elsewhere (the
language switch, another tab, PATCH /me), it says so and shows what is recorded now. Saving also
sets this browser's language cookie, so the next page speaks the chosen language at once.
"""

from __future__ import annotations

from zoneinfo import available_timezones

from flask import request, url_for
from flask_babel import lazy_gettext as _l

from domain.model.statuses import EmailMode, Language
from domain.model.user import User
from web.http import programme
from web.pages import reads
from web.pages.base import page_blueprint, render
from web.pages.forms import Form, done
from web.pages.i18n import remember_language
from web.pages.session import current_principal, signed_in
from web.schemas.users import PreferencesIn

EMAIL_MODES = {
    EmailMode.IMMEDIATE: _l("Each message by mail as it comes"),
    EmailMode.DAILY: _l("One digest a day (08:00 in my time zone)"),
    EmailMode.OFF: _l("No mail (the inbox only)"),
}
ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/")))


def blueprint():
    bp = page_blueprint("preferences")

    @bp.get("/me")
    @signed_in()
    def preferences():
        return show(recorded())

    @bp.post("/me")
    @signed_in()
    def save():
        me = current_principal()
        form = Form.posted()
        body = form.validate(PreferencesIn)
        if body is not None:
            zone = body.timezone or None  # empty: the city's zone
            result = form.run(
                lambda: programme().change_preferences(
                    me,
                    me.user_id,
                    language=body.language,
                    email=body.email,
                    timezone=zone,
                    expected_version=form.version,
                )
            )
            if result is not None:
                response = done(url_for("pages_preferences.preferences", saved=1), result)
                return remember_language(response, str(result.aggregate.language))
            if form.stale:  # the form is the whole record: show what is recorded now
                form.values = recorded().values
        return show(form)

    return bp


def recorded() -> Form:
    """The form as the person's preferences stand, at their version."""
    user = programme().load(User, current_principal().user_id)
    return Form.blank(
        version=user.version, language=str(user.language), email=str(user.email_mode), timezone=user.timezone or ""
    )


def show(form: Form):
    me = current_principal()
    city = reads.guard(lambda: reads.views().city(me.city_id)) if me.city_id else None
    return render(
        "preferences.html",
        status=form.status if form.refused else 200,
        form=form,
        saved=bool(request.args.get("saved")),
        languages=[(Language.EN.value, "English"), (Language.ZH_HANS.value, "简体中文")],
        emails=[(m.value, str(EMAIL_MODES[m])) for m in EmailMode],
        zones=[(z, z) for z in ZONES],
        city_zone=(city or {}).get("timezone") or "UTC",
    )
