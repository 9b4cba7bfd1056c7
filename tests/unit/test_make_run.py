"""`make run` serves on the port asked for (issue 12)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize(("args", "port"), [(["PORT=8080"], "8080"), ([], "8000")])
def test_make_run_serves_on_the_port_given(args, port):
    planned = subprocess.run(["make", "-n", "run", *args], cwd=ROOT, capture_output=True, text=True, check=True)
    serve = [line for line in planned.stdout.splitlines() if "twinning serve" in line]
    assert serve and serve[-1].endswith(f"--port {port}")
