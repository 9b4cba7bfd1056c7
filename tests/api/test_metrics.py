"""/metrics: Prometheus text with requests by route and status, commands by kind and outcome,
sign-ins and the followers' positions; only for the loopback address or the metrics token."""

from __future__ import annotations

from dataclasses import replace

from prometheus_client.parser import text_string_to_metric_families


def scrape(api, **kwargs) -> dict[tuple[str, tuple], float]:
    response = api.client.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/plain"
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_commands_and_sign_ins_are_counted_by_route_and_outcome(api):
    before = scrape(api)
    assert api.get("rome", "/api/v1/cities").status_code == 200
    api.propose("rome", ("yantai",))
    refused = api.post("rome", "/api/v1/partnerships", {"title": ""})
    assert refused.status_code in (400, 422)
    assert api.client.get("/api/v1/cities", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    after = scrape(api)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    route = {"method": "GET", "route": "/api/v1/cities"}
    assert grew("twinning_http_requests_total", status="200", **route) == 1
    assert grew("twinning_http_requests_total", status="401", **route) == 1
    assert grew("twinning_http_request_duration_seconds_count", **route) == 2
    command = "partnerships.propose"
    assert grew("twinning_commands_total", command=command, outcome="accepted") == 1
    assert grew("twinning_commands_total", command=command, outcome="refused") == 1
    assert grew("twinning_sign_ins_total", outcome="refused") == 1
    assert grew("twinning_sign_ins_total", outcome="accepted") >= 3
    head = api.programme.recorder.max_notification_id()
    assert value(after, "twinning_log_position") == head
    assert value(after, "twinning_follower_lag_events", follower="views") == head - value(
        after, "twinning_follower_position", follower="views"
    )


def test_metrics_answer_only_the_loopback_address_or_the_token(api):
    elsewhere = {"environ_base": {"REMOTE_ADDR": "203.0.113.7"}}
    refused = api.client.get("/metrics", **elsewhere)
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"

    found = api.app.extensions["twinning"]
    found.settings = replace(found.settings, metrics_token="chongqing-scrapes-" + "m" * 20)
    assert api.client.get("/metrics").status_code == 403  # with a token set, loopback is not enough
    assert api.client.get("/metrics", headers={"Authorization": "Bearer wrong"}, **elsewhere).status_code == 403
    scrape(api, headers={"Authorization": f"Bearer {found.settings.metrics_token}"}, **elsewhere)


def test_metrics_are_not_part_of_the_api_document(api):
    paths = api.client.get("/openapi.json").get_json()["paths"]
    assert "/metrics" not in paths and "/healthz/live" not in paths and "/healthz" in paths
