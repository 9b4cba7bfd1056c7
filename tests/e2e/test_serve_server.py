"""``twinning serve`` runs on waitress, not on Werkzeug's development server, with the limits of
production: a 2 MiB body is the app's 413 problem, a huge header block is refused by the server,
eight clients at once are served, and each request has an access line naming its request id."""

from __future__ import annotations

import http.client
import json
import threading

import pytest

from tests.e2e.conftest import ADMIN_TOKEN, BIN, Api, base_env, free_port

pytestmark = pytest.mark.slow


def test_the_embedded_server_is_waitress_with_production_limits(tmp_path, processes):
    port = free_port()
    env = base_env(
        TWINNING_ADMIN_TOKEN=ADMIN_TOKEN, TWINNING_SECRET="e2e-serve-secret", TWINNING_VAR_DIR=str(tmp_path / "var")
    )
    serve = processes.start(
        [BIN / "twinning", "serve", "--host", "127.0.0.1", "--port", str(port)], tmp_path, env, tmp_path / "serve.log"
    )
    api = Api(f"http://127.0.0.1:{port}")
    api.wait_up(serve)

    def call(method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    status, headers, _ = call("GET", "/healthz", headers={"X-Request-Id": "rome-probe-1"})
    assert status == 200 and headers["Server"] == "twinning" and "Werkzeug" not in str(headers)
    assert headers["X-Request-Id"] == "rome-probe-1"

    big = json.dumps({"name": "x" * (2 * 1024 * 1024)}).encode()
    status, headers, body = call(
        "POST",
        "/api/v1/cities",
        big,
        {"Content-Type": "application/json", "Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert status == 413 and headers["Content-Type"] == "application/problem+json", body[:300]

    status, _, _ = call("GET", "/healthz", headers={f"X-Yantai-{i}": "y" * 8000 for i in range(120)})
    assert status in (400, 431)  # refused by the server before the app sees it

    answers: list[int] = []
    threads = [threading.Thread(target=lambda: answers.append(call("GET", "/healthz/live")[0])) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert answers == [200] * 8

    assert serve.stop() == 0, serve.output()[-3000:]
    access = [line for line in serve.output().splitlines() if "twinning.http:" in line]
    assert any("[rome-probe-1]" in line and "GET /healthz 200" in line for line in access), access
