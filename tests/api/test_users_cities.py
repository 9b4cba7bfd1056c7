"""Users and tokens, the caller, cities and their stakeholders over HTTP."""

from __future__ import annotations

from tests.api.conftest import assert_problem


def test_admin_creates_an_officer_whose_token_works_until_revoked(api):
    response = api.post(
        "admin",
        "/api/v1/users",
        {"name": "Ana", "email": "ana@rome.example", "role": "officer", "city_id": api.city("rome")},
    )
    assert response.status_code == 201
    created = response.get_json()
    assert created["token"] and created["role"] == "officer" and created["city_id"] == api.city("rome")
    assert response.headers["ETag"] == f'"{created["version"]}"'
    assert response.headers["Location"] == f"/api/v1/users/{created['id']}"
    assert int(response.headers["X-Log-Position"]) > 0
    bearer = {"Authorization": f"Bearer {created['token']}"}

    me = api.client.get("/api/v1/me", headers=bearer)
    assert me.status_code == 200 and me.get_json()["email"] == "ana@rome.example"

    second = api.post("admin", f"/api/v1/users/{created['id']}/tokens")
    assert second.status_code == 201 and second.get_json()["token"] != created["token"]
    assert (
        api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {second.get_json()['token']}"}).status_code
        == 200
    )

    revoked = api.post("admin", f"/api/v1/users/{created['id']}/tokens/revoke")
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "active"
    assert_problem(api.client.get("/api/v1/me", headers=bearer), 401, "unauthenticated")

    third = api.post("admin", f"/api/v1/users/{created['id']}/tokens").get_json()["token"]
    deactivated = api.post("admin", f"/api/v1/users/{created['id']}/deactivate")
    assert deactivated.status_code == 200 and deactivated.get_json()["status"] == "deactivated"
    assert_problem(api.client.get("/api/v1/me", headers={"Authorization": f"Bearer {third}"}), 401)


def test_user_reads_are_for_admin_auditor_or_self(api):
    rome_officer = api.user_ids["rome"]
    assert api.get("auditor", f"/api/v1/users/{rome_officer}").status_code == 200
    assert api.get("rome", f"/api/v1/users/{rome_officer}").status_code == 200
    assert_problem(api.get("yantai", f"/api/v1/users/{rome_officer}"), 403, "forbidden")


def test_duplicate_email_is_a_conflict(api):
    body = {"name": "Twin", "email": "twin@example.org", "role": "auditor"}
    assert api.post("admin", "/api/v1/users", body).status_code == 201
    assert_problem(api.post("admin", "/api/v1/users", body), 409, "duplicate")


def test_facilitator_registers_a_city_and_its_officer_edits_it(api):
    body = {
        "name": "Lisbon",
        "local_name": "Lisboa",
        "country": "PT",
        "timezone": "Europe/Lisbon",
        "population": 545000,
        "themes_offered": ["tourism", "culture"],
        "themes_sought": ["smart-city"],
        "description": "Capital",
        "working_hours": {"start": "08:30", "end": "17:00", "days": [0, 1, 2, 3, 4]},
    }
    response = api.post("facilitator", "/api/v1/cities", body)
    assert response.status_code == 201, response.get_json()
    city = response.get_json()
    assert city["region"] == "europe" and city["status"] == "active" and city["version"] == 1
    assert city["working_hours"] == {"start": "08:30", "end": "17:00", "days": [0, 1, 2, 3, 4]}
    assert response.headers["Location"] == f"/api/v1/cities/{city['id']}"

    got = api.get("auditor", f"/api/v1/cities/{city['id']}")
    assert got.status_code == 200 and got.get_json() == city and got.headers["ETag"] == '"1"'

    patched = api.patch(
        "facilitator", f"/api/v1/cities/{city['id']}", {"population": 550000, "themes_sought": ["mobility"]}
    )
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["population"] == 550000 and patched.get_json()["themes_sought"] == ["mobility"]
    assert patched.headers["ETag"] == '"2"'

    rome = api.patch("rome", f"/api/v1/cities/{api.city('rome')}", {"description": "Eternal city"})
    assert rome.status_code == 200 and rome.get_json()["description"] == "Eternal city"


def test_officer_adds_a_stakeholder_to_own_city(api):
    response = api.post(
        "rome",
        f"/api/v1/cities/{api.city('rome')}/stakeholders",
        {"name": "Tuscia University", "kind": "research", "themes": ["urban-agriculture"]},
    )
    assert response.status_code == 201, response.get_json()
    stakeholders = response.get_json()["stakeholders"]
    assert stakeholders[-1]["name"] == "Tuscia University" and stakeholders[-1]["kind"] == "research"


def test_city_rules_answer_422_and_409(api):
    bad_zone = api.post(
        "facilitator", "/api/v1/cities", {"name": "Nowhere", "country": "IT", "timezone": "Mars/Olympus"}
    )
    body = assert_problem(bad_zone, 422, "invalid-value")
    assert body["errors"] == [{"field": "timezone", "message": body["errors"][0]["message"]}]
    bad_theme = api.post(
        "facilitator",
        "/api/v1/cities",
        {"name": "Nowhere", "country": "IT", "timezone": "Europe/Rome", "themes_offered": ["space-travel"]},
    )
    assert assert_problem(bad_theme, 422)["errors"][0]["field"] == "themes_offered"
    again = api.post("facilitator", "/api/v1/cities", {"name": "Rome", "country": "IT", "timezone": "Europe/Rome"})
    assert_problem(again, 409, "duplicate")
    bad_kind = api.post("rome", f"/api/v1/cities/{api.city('rome')}/stakeholders", {"name": "X", "kind": "church"})
    assert assert_problem(bad_kind, 422)["errors"][0]["field"] == "kind"


def test_themes_are_public(api):
    response = api.client.get("/api/v1/themes")
    assert response.status_code == 200
    slugs = {t["slug"] for t in response.get_json()["items"]}
    assert {"smart-city", "hydrogen", "sdg-1", "sdg-17"} <= slugs
