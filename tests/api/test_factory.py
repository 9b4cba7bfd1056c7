"""The factory: builds its own Programme and Views from settings, bootstraps the admin token once."""

from __future__ import annotations

import threading

from tests.api.conftest import ADMIN_TOKEN, make_settings
from tests.support.cast import build_programme
from web.app import close_app, create_app


def test_factory_builds_from_settings_and_serves(sqlite_url):
    app = create_app(make_settings(sqlite_url))
    try:
        client = app.test_client()
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        assert me.status_code == 200 and me.get_json()["role"] == "admin"
        assert client.get("/api/v1/cities", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).status_code == 200
    finally:
        close_app(app)


def test_workers_starting_together_bootstrap_one_admin(sqlite_url):
    errors, programmes, apps = [], [], []

    def start():
        try:
            programme = build_programme(sqlite_url)
            programmes.append(programme)
            apps.append(create_app(make_settings(sqlite_url), programme=programme))
        except Exception as error:
            errors.append(repr(error))

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert programmes[0].authenticate(ADMIN_TOKEN).role == "admin"
    for app in apps:
        close_app(app)
    for programme in programmes:
        programme.close()
