"""The contract against the real servers, `twinning serve` and gunicorn (issue 12).

Oversized bodies answer 413 and record nothing: a ``Transfer-Encoding: chunked`` POST declares
no length, and one of valid JSON followed by 3 MiB of spaces used to be cut at 1 MiB and
recorded; it is sent over a raw socket, chunk by chunk. Failed authentications are limited per
address without locking out a valid token, and under three gunicorn workers sharing Redis the
limit is the limit, not three times it.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from tests.e2e.conftest import ADMIN_TOKEN, BIN, ROOT, Api, base_env, free_port

pytestmark = pytest.mark.slow

MiB = 1024 * 1024


def send_chunked(port: int, path: str, token: str, body: bytes, chunk: int = 64 * 1024) -> tuple[int, bytes]:
    """POST ``body`` in chunks while reading the answer; the status and body the server gave."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()

    def send() -> None:
        try:
            sock.sendall(head)
            for start in range(0, len(body), chunk):
                part = body[start : start + chunk]
                sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed without reading the rest: that is the point

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    received = b""
    try:
        while b"\r\n\r\n" not in received or len(received) < received.find(b"\r\n\r\n") + 4 + 100:
            data = sock.recv(65536)
            if not data:
                break
            received += data
    except OSError:
        pass
    finally:
        sender.join(timeout=20)
        sock.close()
    status = int(received.split(b" ", 2)[1]) if received.startswith(b"HTTP/") else 0
    return status, received.partition(b"\r\n\r\n")[2]


def city(name: str) -> dict:
    return {"name": name, "country": "IT", "timezone": "Europe/Rome"}


def check_refusals(api: Api, port: int, facilitator: str) -> None:
    padded = json.dumps(city("Viterbo")).encode() + b" " * (3 * MiB)
    status, body = send_chunked(port, "/api/v1/cities", facilitator, padded)
    assert status == 413, body[:300]
    assert b"request-too-large" in body
    small = json.dumps(city("Tarquinia")).encode()
    assert send_chunked(port, "/api/v1/cities", facilitator, small)[0] == 201
    names = [c["name"] for c in api.get("/api/v1/cities?limit=200&after=0", facilitator)["items"]]
    assert "Viterbo" not in names


def check_limiter(api: Api, valid: str) -> None:
    for n in range(20):
        assert api.call("GET", "/api/v1/me", f"typo-{n}").status == 401
    refused = api.call("GET", "/api/v1/me", "typo-20")
    assert refused.status == 429 and int(refused.headers["Retry-After"]) >= 1
    assert api.call("GET", "/api/v1/me", valid).status == 200


def test_twinning_serve_refuses_an_oversized_chunked_body(tmp_path: Path, processes):
    port = free_port()
    env = base_env(TWINNING_ADMIN_TOKEN=ADMIN_TOKEN, TWINNING_VAR_DIR=str(tmp_path / "var"))
    serve = processes.start(
        [BIN / "twinning", "serve", "--host", "127.0.0.1", "--port", str(port)], tmp_path, env, tmp_path / "serve.log"
    )
    api = Api(f"http://127.0.0.1:{port}")
    api.wait_up(serve)
    facilitator = api.user(ADMIN_TOKEN, "facilitator", "facilitator@e2e.example")
    check_refusals(api, port, facilitator)
    check_limiter(api, facilitator)


def test_gunicorn_refuses_an_oversized_chunked_body(tmp_path: Path, processes, fresh_database, redis_url):
    port = free_port()
    env = base_env(
        TWINNING_DATABASE=fresh_database,
        TWINNING_ADMIN_TOKEN=ADMIN_TOKEN,
        TWINNING_SECRET="e2e-body-limit-secret",
        TWINNING_VAR_DIR=str(tmp_path / "var"),
        PORT=str(port),
        WEB_CONCURRENCY="3",
        REDIS_URL=redis_url,
    )
    web = processes.start(
        [BIN / "gunicorn", "-c", ROOT / "config" / "gunicorn.py", "web.wsgi:app"], ROOT, env, tmp_path / "web.log"
    )
    api = Api(f"http://127.0.0.1:{port}")
    api.wait_up(web, timeout=45)
    facilitator = api.user(ADMIN_TOKEN, "facilitator", "facilitator@e2e.example")
    check_refusals(api, port, facilitator)
    check_limiter(api, facilitator)


def test_the_demo_names_the_port_it_will_be_served_on(tmp_path: Path):
    env = base_env(TWINNING_DATABASE=f"sqlite:///{tmp_path / 'demo.db'}", TWINNING_SECRET="e2e-demo-port", PORT="8080")
    done = subprocess.run(
        [BIN / "twinning", "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    shown = done.stdout + done.stderr
    assert "http://127.0.0.1:8080/api/v1/me" in shown and ":8000" not in shown
