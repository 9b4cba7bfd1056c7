"""Layers: the web does not import RQ (commands only record events; the dispatcher enqueues), and
only the bootstrap builds infrastructure (blueprints, commands and the embedded runtime use it)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path


def test_web_does_not_import_rq():
    code = (
        "import sys, web.app, web.api.lists, web.health, web.idempotency; "
        "bad = sorted(m for m in sys.modules if m == 'rq' or m.startswith('rq.')); "
        "assert not bad, bad"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]


ROOT = Path(__file__).resolve().parents[2]
# What only web/bootstrap.py builds: the store's Application, read models, chain, stores, queue, followers.
INFRASTRUCTURE = {
    "Programme",
    "Views",
    "AuditChain",
    "ReportsAsOf",
    "Follower",
    "Dispatcher",
    "open_store",
    "open_chain_table",
    "open_tracking_recorder",
    "Redis",
    "from_url",
    "FakeRedis",
    "FakeServer",
    "in_process_redis",
    "make_queue",
    "connect",
    "bootstrap",
}
# Where a process starts: these two call bootstrap() (and nothing else of the list).
ENTRY_POINTS = {"web/app.py": {"bootstrap"}, "web/cli/common.py": {"bootstrap"}}


def _calls(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else "")
    return names


def test_blueprints_commands_and_the_runtime_build_no_infrastructure():
    modules = [
        *sorted((ROOT / "web" / "api").glob("*.py")),
        *sorted((ROOT / "web" / "cli").glob("*.py")),
        ROOT / "web" / "app.py",
        ROOT / "web" / "wsgi.py",
        ROOT / "workers" / "embedded.py",
    ]
    assert len(modules) > 20
    found = {}
    for path in modules:
        relative = path.relative_to(ROOT).as_posix()
        built = (_calls(path) & INFRASTRUCTURE) - ENTRY_POINTS.get(relative, set())
        if built:
            found[relative] = sorted(built)
    assert found == {}, f"build these in web/bootstrap.py instead: {found}"


BLUEPRINTS_ONLY = textwrap.dedent("""
    import importlib, os, pkgutil, socket, sqlite3
    import web.api

    def refuse(*args, **kwargs):
        raise AssertionError("a blueprint opened a connection")

    sqlite3.connect = socket.create_connection = refuse
    for found in pkgutil.iter_modules(web.api.__path__):
        module = importlib.import_module(f"web.api.{found.name}")
        if hasattr(module, "blueprint"):
            module.blueprint()
    assert not os.listdir("."), os.listdir(".")
""")


def test_importing_and_creating_the_blueprints_opens_nothing(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", BLUEPRINTS_ONLY],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
