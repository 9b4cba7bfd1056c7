"""gunicorn's access line never carries a one-time sign-in token (config/gunicorn.py's AccessLogger)."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config

CONFIG = Path(__file__).resolve().parents[2] / "config" / "gunicorn.py"


def test_the_access_line_leaves_the_sign_in_token_out():
    spec = importlib.util.spec_from_file_location("twinning_gunicorn_config", CONFIG)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = "/sign-in/k3Q9-secret-token"
    response = SimpleNamespace(status="303 SEE OTHER", sent=0, headers=[("X-Request-Id", "r1")], response_length=0)
    request = SimpleNamespace(headers=[], method="GET", path=path, query="", version=(1, 1), uri=path)
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    atoms = module.AccessLogger(Config()).atoms(response, request, environ, timedelta(milliseconds=3))
    assert atoms["r"] == "GET /sign-in/… HTTP/1.1"
    assert not [k for k, v in atoms.items() if "secret-token" in str(v)]
    other = SimpleNamespace(headers=[], method="GET", path="/home", query="", version=(1, 1), uri="/home")
    plain = {**environ, "RAW_URI": "/home", "PATH_INFO": "/home"}
    assert module.AccessLogger(Config()).atoms(response, other, plain, timedelta(0))["r"] == "GET /home HTTP/1.1"
