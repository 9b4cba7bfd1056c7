"""Pages for people: server-rendered HTML over the same Application, views and permissions as the API.

``register_pages(app)`` (called by ``web.app.create_app``) installs the session, the two
languages, CSRF, the security headers and the HTML error pages, then one blueprint per area
(``AREAS``: each module has ``blueprint()``, made with ``web.pages.base.page_blueprint``).
Pages live at the root (``/``, ``/home``, ``/audit``…); the API stays under /api/v1.
"""

from __future__ import annotations

from flask import Flask

from web.pages import assets, audit, audit_history, errors, home, i18n, navigation, security, session, signin
from web.pages.content import CONTENT_AREAS

# The areas' modules, each with ``blueprint()``; pages-work appends its own (cities, partnerships…).
AREAS = [assets, i18n, signin, home, audit, audit_history]
AREAS += CONTENT_AREAS


def register_pages(app: Flask) -> None:
    session.install(app)
    i18n.install(app)
    navigation.install(app)
    security.install(app)
    errors.install(app)
    for module in AREAS:
        app.register_blueprint(module.blueprint())
