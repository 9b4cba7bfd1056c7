"""``twinning dispatch --rearm`` is the operator's one-shot after Redis lost its data: it puts the
planned jobs back from the store and exits, rather than staying on as a second dispatcher."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import BIN, ROOT, base_env
from workers.worker import make_queue

pytestmark = pytest.mark.slow


def test_dispatch_rearm_puts_the_reminders_back_and_exits(processes, tmp_path, database_url, redis_url, cast):
    cast.programme.schedule_meeting(
        cast.facilitator,
        "Mannheim and Chongqing: mobility",
        "online",
        datetime.now(UTC) + timedelta(days=5),
        60,
        [cast.city("mannheim"), cast.city("chongqing")],
    )
    env = base_env(
        TWINNING_DATABASE=database_url,
        REDIS_URL=redis_url,
        TWINNING_MODE="test",
        MEETING_REMINDER_OFFSETS="24h,1h",
        TWINNING_VAR_DIR=str(tmp_path / "var"),
    )
    once = processes.start([BIN / "twinning", "dispatch", "--once"], ROOT, env, tmp_path / "once.log")
    assert once.wait(60) == 0, once.output()
    queue = make_queue(redis_url)
    queue.connection.flushdb()  # Redis restarted without its data

    rearm = processes.start([BIN / "twinning", "dispatch", "--rearm"], ROOT, env, tmp_path / "rearm.log")
    assert rearm.wait(60) == 0, rearm.output()
    assert "re-armed" in rearm.output()
    reminders = [j for j in queue.scheduled_job_registry.get_job_ids() if j.startswith("remind-")]
    assert len(reminders) == 2, queue.scheduled_job_registry.get_job_ids()
    queue.connection.close()
