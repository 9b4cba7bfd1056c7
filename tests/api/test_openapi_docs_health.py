"""/openapi.json documents every operation; /docs works offline; /healthz reports the dependencies."""

from __future__ import annotations

import re

DESIGN_PATHS = {
    ("post", "/api/v1/users"),
    ("post", "/api/v1/users/{user_id}/tokens"),
    ("post", "/api/v1/users/{user_id}/tokens/revoke"),
    ("post", "/api/v1/users/{user_id}/deactivate"),
    ("get", "/api/v1/me"),
    ("post", "/api/v1/cities"),
    ("get", "/api/v1/cities/{city_id}"),
    ("patch", "/api/v1/cities/{city_id}"),
    ("post", "/api/v1/cities/{city_id}/stakeholders"),
    ("post", "/api/v1/partnerships"),
    ("get", "/api/v1/partnerships/{partnership_id}"),
    *(
        ("post", f"/api/v1/partnerships/{{partnership_id}}/{a}")
        for a in ("invite", "accept", "decline", "withdraw", "action-plan", "conclude")
    ),
    ("post", "/api/v1/meetings"),
    ("get", "/api/v1/meetings/{meeting_id}"),
    ("get", "/api/v1/meetings/{meeting_id}/ics"),
    ("get", "/api/v1/meetings/slots"),
    *(("post", f"/api/v1/meetings/{{meeting_id}}/{a}") for a in ("reschedule", "cancel", "outcome")),
    ("post", "/api/v1/agreements"),
    ("get", "/api/v1/agreements/{agreement_id}"),
    ("post", "/api/v1/agreements/{agreement_id}/sign"),
    ("post", "/api/v1/agreements/{agreement_id}/terminate"),
    ("post", "/api/v1/projects"),
    ("get", "/api/v1/projects/{project_id}"),
    ("post", "/api/v1/projects/{project_id}/milestones"),
    ("post", "/api/v1/projects/{project_id}/milestones/{milestone_id}/achieve"),
    ("post", "/api/v1/projects/{project_id}/milestones/{milestone_id}/reschedule"),
    ("post", "/api/v1/projects/{project_id}/complete"),
    *(
        ("get", f"/api/v1/{kind}/{{{singular}_id}}/history")
        for kind, singular in (
            ("cities", "city"),
            ("partnerships", "partnership"),
            ("meetings", "meeting"),
            ("agreements", "agreement"),
            ("projects", "project"),
        )
    ),
    ("get", "/api/v1/themes"),
    ("get", "/healthz"),
}


def _resolve(spec, node):
    while isinstance(node, dict) and "$ref" in node:
        parts = node["$ref"].lstrip("#/").split("/")
        node = spec
        for part in parts:
            node = node[part]
    return node


def test_openapi_document_covers_every_operation_with_schemas_problems_and_security(api):
    response = api.client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.1")
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "a token issued by an admin",
    }
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status"} <= set(problem["required"])
    assert {"detail", "instance", "errors"} <= set(problem["properties"])

    operations = {(m, p): op for p, ops in spec["paths"].items() for m, op in ops.items()}
    missing = DESIGN_PATHS - set(operations)
    assert not missing, missing
    for (method, path), operation in operations.items():
        responses = operation["responses"]
        successes = [s for s in responses if s.startswith("2")]
        assert successes, (method, path)
        for status in successes:
            content = _resolve(spec, responses[status]).get("content", {})
            assert content and all(c.get("schema") for c in content.values()), (method, path, status)
        for status in ("400", "422", "500", "default"):
            error = _resolve(spec, responses[status])
            assert list(error["content"]) == ["application/problem+json"], (method, path, status)
            assert error["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
        public = path in ("/healthz", "/api/v1/themes")
        assert operation["security"] == ([] if public else [{"bearerAuth": []}]), (method, path)
        if not public:
            assert "401" in responses and "403" in responses
        if method in ("post", "patch"):
            names = {p["name"] for p in operation["parameters"]}
            assert "If-Match" in names
            assert {"409", "412", "413", "415"} <= set(responses)
            if method == "post":
                assert "Idempotency-Key" in names
            if path not in (
                "/api/v1/users/{user_id}/tokens",
                "/api/v1/users/{user_id}/tokens/revoke",
                "/api/v1/users/{user_id}/deactivate",
                "/api/v1/admin/jobs/{job_id}/requeue",
                "/api/v1/me/notifications/{notification_id}/read",
                "/api/v1/me/notifications/read",
            ):
                body = operation["requestBody"]["content"]["application/json"]["schema"]
                assert _resolve(spec, body).get("properties"), (method, path)
    city_in = spec["components"]["schemas"]["CityIn"]
    assert city_in["additionalProperties"] is False and {"name", "country", "timezone"} <= set(city_in["required"])


def test_docs_page_renders_from_local_assets_only(api):
    page = api.client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "/openapi.json" in html
    assert not re.search(r"(src|href)\s*=\s*[\"'](https?:)?//", html), (
        "the page must not load anything from another host"
    )
    code = "\n".join(line for line in html.splitlines() if not line.strip().startswith("//"))
    assert not re.search(r"https?://", code), "no other host is named outside comments"
    assets = re.findall(r"(?:src|href)=\"(/docs/assets/[^\"]+)\"", html)
    assert len(assets) >= 3
    for asset in assets:
        response = api.client.get(asset)
        assert response.status_code == 200 and len(response.data) > 500, asset


def test_healthz_reports_store_redis_and_views(api):
    response = api.client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["store"]["ok"] is True
    assert body["redis"] is None  # not configured
    assert body["log_position"] > 0


def test_healthz_fails_when_the_store_fails_and_is_degraded_when_redis_fails(api, monkeypatch):
    settings = api.app.extensions["twinning"].settings
    from dataclasses import replace

    api.app.extensions["twinning"].settings = replace(settings, redis_url="redis://127.0.0.1:1/0")
    response = api.client.get("/healthz")  # commands still work without Redis: degraded, not failing
    assert response.status_code == 200 and response.get_json()["redis"]["ok"] is False
    assert response.get_json()["status"] == "degraded"
    api.app.extensions["twinning"].settings = settings

    def broken():
        raise OSError("disk gone")

    monkeypatch.setattr(api.programme.recorder, "max_notification_id", broken)
    response = api.client.get("/healthz")
    assert response.status_code == 503 and response.get_json()["store"] == {
        "ok": False,
        "detail": "OSError",
        "latency_ms": response.get_json()["store"]["latency_ms"],
    }
