"""The web layer must not import RQ (commands only record events; the dispatcher enqueues)."""

from __future__ import annotations

import subprocess
import sys


def test_web_does_not_import_rq():
    code = (
        "import sys, web.app, web.api.lists, web.health, web.idempotency; "
        "bad = sorted(m for m in sys.modules if m == 'rq' or m.startswith('rq.')); "
        "assert not bad, bad"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
