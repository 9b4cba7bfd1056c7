"""Every error class is RFC 9457 problem+json with its status, and nothing bad in gives a 500."""

from __future__ import annotations

import logging
import uuid

import pytest

from domain.errors import StoreUnavailable
from tests.api.conftest import assert_problem


def test_unknown_route_is_a_404_problem(api):
    body = assert_problem(api.get("admin", "/api/v1/nothing-here"), 404, "not-found")
    assert body["instance"] == "/api/v1/nothing-here"
    assert_problem(api.client.get("/no/such/page"), 404)


def test_wrong_method_is_a_405_problem_with_allow(api):
    response = api.client.delete(f"/api/v1/cities/{api.city('rome')}", headers=api.headers("admin"))
    assert_problem(response, 405, "method-not-allowed")
    assert "GET" in response.headers["Allow"]


def test_body_over_one_megabyte_is_a_413_problem(api):
    big = b'{"name": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    response = api.client.post(
        "/api/v1/cities", data=big, headers=api.headers("facilitator", {"Content-Type": "application/json"})
    )
    assert_problem(response, 413, "request-too-large")


def test_a_write_with_a_non_json_body_is_a_415_problem(api):
    response = api.client.post(
        "/api/v1/cities",
        data="name=Rome",
        headers=api.headers("facilitator", {"Content-Type": "application/x-www-form-urlencoded"}),
    )
    assert_problem(response, 415, "unsupported-media-type")
    response = api.client.post("/api/v1/cities", data=b'{"name": "x"}', headers=api.headers("facilitator"))
    assert_problem(response, 415)


@pytest.mark.parametrize(
    "raw", [b"{", b'{"name": }', b"\xff\xfe", b"[" * 200_000 + b"]" * 200_000, b'{"a": 1e99999999999}']
)
def test_malformed_json_is_a_400_problem(api, raw):
    response = api.client.post(
        "/api/v1/cities", data=raw, headers=api.headers("facilitator", {"Content-Type": "application/json"})
    )
    assert response.status_code in (400, 422), response.get_data()[:200]
    assert response.mimetype == "application/problem+json"


def test_validation_names_each_bad_field_and_refuses_unknown_fields(api):
    response = api.post(
        "facilitator", "/api/v1/cities", {"name": 5, "country": "IT", "timezone": "Europe/Rome", "mayor": "X"}
    )
    body = assert_problem(response, 422)
    fields = {e["field"] for e in body["errors"]}
    assert {"name", "mayor"} <= fields
    assert all(e["message"] for e in body["errors"])
    assert_problem(api.post("facilitator", "/api/v1/cities", [1, 2]), 422)
    assert_problem(api.get("admin", f"/api/v1/partnerships/{uuid.uuid4()}?as_of=yesterday"), 422)
    assert_problem(api.get("admin", f"/api/v1/cities/{api.city('rome')}?colour=red"), 422)


def test_domain_invalid_value_is_a_422_with_its_field(api):
    """A rule across fields that the schema cannot state (Yantai keeps China's time) is the domain's 422."""
    response = api.post("facilitator", "/api/v1/cities", {"name": "Yantai", "country": "CN", "timezone": "Europe/Rome"})
    body = assert_problem(response, 422, "invalid-value")
    assert body["errors"][0]["field"] == "timezone"


def test_an_id_in_a_body_that_names_nothing_is_a_409_naming_the_field(api):
    """Well formed, schema-valid: only the recorded state says no such city exists (and it may, later)."""
    response = api.post(
        "rome",
        "/api/v1/partnerships",
        {"title": "T", "proposer_city_id": api.city("rome"), "invited_city_ids": [str(uuid.uuid4())]},
    )
    body = assert_problem(response, 409, "unknown-reference")
    assert body["errors"][0]["field"] == "invited_city_ids"


def test_missing_or_bad_token_is_a_401_problem(api):
    response = api.client.get("/api/v1/me")
    assert_problem(response, 401, "unauthenticated")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_problem(api.client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}), 401)
    assert_problem(api.client.get("/api/v1/me", headers={"Authorization": "Basic YTpi"}), 401)
    assert_problem(api.client.get("/api/v1/me", headers={"Authorization": "Bearer " + "x" * 5000}), 401)


def test_wrong_role_is_a_403_problem(api):
    assert_problem(
        api.post("auditor", "/api/v1/cities", {"name": "X", "country": "IT", "timezone": "Europe/Rome"}),
        403,
        "forbidden",
    )


def test_missing_resource_is_a_404_problem(api):
    assert_problem(api.get("admin", f"/api/v1/partnerships/{uuid.uuid4()}"), 404, "not-found")
    assert_problem(api.get("admin", "/api/v1/partnerships/not-a-uuid"), 404)
    # an id of another kind of aggregate is not found either
    assert_problem(api.get("admin", f"/api/v1/partnerships/{api.city('rome')}"), 404)


def test_each_rule_has_its_own_problem_type(api):
    partnership = api.propose("rome", ("yantai",))
    url = f"/api/v1/partnerships/{partnership['id']}"
    assert api.post("yantai", f"{url}/accept", {"city_id": api.city("yantai")}).status_code == 200
    body = assert_problem(
        api.post("yantai", f"{url}/accept", {"city_id": api.city("yantai")}), 409, "invitation-not-pending"
    )
    assert "already accepted" in body["detail"]
    assert_problem(api.post("rome", f"{url}/withdraw", {}), 409, "partnership-not-proposed")
    single = api.post(
        "rome",
        "/api/v1/partnerships",
        {"title": "Europe only", "proposer_city_id": api.city("rome"), "invited_city_ids": [api.city("mannheim")]},
    )
    assert_problem(single, 409, "single-region-partnership")


def test_stale_if_match_is_a_412_problem(api):
    url = f"/api/v1/cities/{api.city('rome')}"
    body = assert_problem(
        api.patch("rome", url, {"description": "x"}, headers={"If-Match": '"99"'}), 412, "stale-version"
    )
    assert body["current_version"] == 1


def test_store_unavailable_is_a_503_problem_with_retry_after(api, monkeypatch):
    def down(*args, **kwargs):
        raise StoreUnavailable()

    monkeypatch.setattr(api.programme, "register_city", down)
    response = api.post("facilitator", "/api/v1/cities", {"name": "X", "country": "IT", "timezone": "Europe/Rome"})
    assert_problem(response, 503, "store-unavailable")
    assert int(response.headers["Retry-After"]) > 0


def test_unexpected_error_is_a_500_problem_without_internals_logged_with_the_request_id(api, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals: /etc/passwd")

    monkeypatch.setattr(api.programme, "register_city", broken)
    with caplog.at_level(logging.ERROR, logger="twinning.web"):
        response = api.post(
            "facilitator",
            "/api/v1/cities",
            {"name": "X", "country": "IT", "timezone": "Europe/Rome"},
            headers={"X-Request-Id": "req-42"},
        )
    body = assert_problem(response, 500, "internal-error")
    assert "secret" not in response.get_data(as_text=True)
    assert body["request_id"] == "req-42" and response.headers["X-Request-Id"] == "req-42"
    assert any("req-42" in record.getMessage() for record in caplog.records)


def test_request_id_is_generated_when_missing_or_unsafe(api):
    first = api.client.get("/api/v1/themes").headers["X-Request-Id"]
    assert len(first) >= 16
    unsafe = api.client.get("/api/v1/themes", headers={"X-Request-Id": "bad id with spaces <script>"}).headers[
        "X-Request-Id"
    ]
    assert " " not in unsafe and unsafe != first
