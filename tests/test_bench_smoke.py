"""``python -m bench`` runs end to end (BENCH_QUICK=1: tiny sizes). No timing is asserted: the figures are for people."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_quick_bench_runs_and_prints_the_summary_table():
    env = {**os.environ, "BENCH_QUICK": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "bench"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "| figure | measured | target | met? |" in done.stdout
    assert "FAILED" not in done.stdout
