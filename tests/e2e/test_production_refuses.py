"""Production mode refuses to start on settings that would fail quietly later — no SMTP_URL (mail
would only be written to files), the default TWINNING_SECRET, a store that is not PostgreSQL —
and every process of the Procfile says so in one line, without a traceback, and exits non-zero."""

from __future__ import annotations

import subprocess

import pytest

from tests.e2e.conftest import ROOT, base_env

pytestmark = pytest.mark.slow


def procfile_commands() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return {name: command.strip() for name, _, command in (line.partition(":") for line in lines if line.strip())}


@pytest.mark.parametrize(
    ("unsafe", "said"),
    [
        ({"SMTP_URL": ""}, "SMTP_URL must be set in production mode"),
        ({"TWINNING_SECRET": ""}, "TWINNING_SECRET must be set in production mode"),
        ({"TWINNING_DATABASE": "sqlite:///var/rome.db"}, "TWINNING_DATABASE must be a postgresql://"),
    ],
)
def test_every_procfile_process_refuses_unsafe_production_settings_in_one_line(
    tmp_path, postgres_url, redis_url, smtp_server, unsafe, said
):
    env = base_env(
        TWINNING_MODE="production",
        TWINNING_DATABASE=postgres_url,
        REDIS_URL=redis_url,
        SMTP_URL=smtp_server.url,
        TWINNING_SECRET="a-secret-only-yantai-knows",
        TWINNING_VAR_DIR=str(tmp_path / "var"),
        PORT="0",
    )
    for name, value in unsafe.items():
        if value:
            env[name] = value
        else:
            env.pop(name)
    started = {
        name: subprocess.Popen(
            ["sh", "-c", command],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        for name, command in procfile_commands().items()
    }
    try:
        outcomes = {name: (proc.wait(60), proc.stdout.read()) for name, proc in started.items()}
    finally:
        for proc in started.values():
            if proc.poll() is None:
                proc.kill()
    assert set(outcomes) == {"web", "worker", "dispatcher", "projector"}
    for name, (code, output) in outcomes.items():
        lines = [line for line in output.splitlines() if line.strip()]
        assert code != 0, (name, output)
        assert len(lines) == 1 and said in lines[0], (name, output)
        assert "Traceback" not in output, (name, output)
