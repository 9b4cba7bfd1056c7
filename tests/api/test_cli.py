"""The ``twinning`` command line, in process (click's runner) on a real SQLite store."""

from __future__ import annotations

import importlib.util
import logging
import sys

import pytest
from click.testing import CliRunner

from domain.views import Views
from web import cli as twinning_cli

COMMANDS = [
    [],
    ["serve"],
    ["demo"],
    ["users"],
    ["users", "create"],
    ["views"],
    ["views", "rebuild"],
    ["audit"],
    ["audit", "verify"],
    ["audit", "head"],
    ["dispatch"],
    ["project"],
    ["routes"],
    ["shell"],
]


@pytest.fixture
def env(monkeypatch, tmp_path, sqlite_url):
    """The CLI's settings: the test's SQLite store, var/ in the temp dir; no Redis, no SMTP."""
    for name in ("REDIS_URL", "SMTP_URL", "TWINNING_ADMIN_TOKEN", "TWINNING_MODE", "TWINNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWINNING_DATABASE", sqlite_url)
    monkeypatch.setenv("TWINNING_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(
        twinning_cli.common, "configure_logging", lambda level=None: None
    )  # leave pytest's logging alone
    return sqlite_url


def run(*args: str, **kwargs):
    return CliRunner().invoke(twinning_cli.cli, list(args), catch_exceptions=False, **kwargs)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "twinning")
def test_every_command_has_help_and_help_opens_nothing(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TWINNING_DATABASE", raising=False)
    monkeypatch.delenv("TWINNING_VAR_DIR", raising=False)
    for flag in ("--help", "-h"):
        result = run(*command, flag)
        assert result.exit_code == 0, result.output
        assert "Usage: twinning" in result.output
    assert not (tmp_path / "var").exists(), "asking for help created the store"


def test_help_names_the_options_of_the_issue():
    assert "--host" in run("serve", "--help").output and "--port" in run("serve", "--help").output
    create = run("users", "create", "--help").output
    assert all(option in create for option in ("--role", "--email", "--name", "--city"))
    assert "--head" in run("audit", "verify", "--help").output
    assert "TWINNING_ADMIN_TOKEN" in run("--help").output


def test_main_is_the_console_script(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["twinning", "--help"])
    with pytest.raises(SystemExit) as exit_:
        twinning_cli.main()
    assert exit_.value.code == 0
    assert "serve" in capsys.readouterr().out


def test_users_create_prints_a_token_that_authenticates(env, programme, cast):
    result = run(
        "users", "create", "--role", "officer", "--email", "second.officer@rome.example", "--city", cast.city("rome")
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    principal = programme.authenticate(token)
    assert principal.role == "officer" and principal.city_id == cast.city("rome")
    assert principal.name == "Second Officer"
    assert "shown only now" in result.stderr


def test_users_create_refuses_bad_input_with_a_message(env, programme, cast):
    no_city = run("users", "create", "--role", "officer", "--email", "x@rome.example")
    assert no_city.exit_code == 2 and "--city" in no_city.output
    bad_role = run("users", "create", "--role", "mayor", "--email", "x@rome.example")
    assert bad_role.exit_code == 2
    duplicate = run("users", "create", "--role", "auditor", "--email", "auditor@iuc.example")
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    unknown_city = run(
        "users",
        "create",
        "--role",
        "officer",
        "--email",
        "y@rome.example",
        "--city",
        "00000000-0000-0000-0000-000000000000",
    )
    assert unknown_city.exit_code == 1 and "city" in unknown_city.output


def test_a_broken_setting_is_an_error_message_not_a_traceback(env, monkeypatch):
    monkeypatch.setenv("MEETING_REMINDER_OFFSETS", "soon")
    result = run("users", "create", "--role", "auditor", "--email", "z@x.example")
    assert result.exit_code == 1
    assert "MEETING_REMINDER_OFFSETS" in result.output and "Traceback" not in result.output


def test_demo_prints_a_token_table_and_is_idempotent(env, monkeypatch):
    monkeypatch.setenv("TWINNING_SECRET", "cli-test-secret")
    monkeypatch.setenv("TWINNING_ADMIN_TOKEN", "cli-admin-token-" + "z" * 30)
    first = run("demo")
    assert first.exit_code == 0, first.output
    assert "Recorded" in first.stderr and "facilitator" in first.stdout and "officer of Yantai" in first.stdout
    assert "TWINNING_ADMIN_TOKEN" in first.stdout
    second = run("demo")
    assert "Already loaded: nothing recorded" in second.stderr
    assert first.stdout == second.stdout


def test_views_rebuild_replays_the_log(env, programme, cast):
    result = run("views", "rebuild")
    assert result.exit_code == 0, result.output
    head = programme.recorder.max_notification_id()
    assert f"{head} events replayed" in result.stdout
    views = Views({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": env[len("sqlite:///") :]})
    try:
        assert views.position() == head
        assert {c["name"] for c in views.cities()["items"]} >= {"Rome", "Yantai"}
    finally:
        views.close()


def test_project_once_catches_the_views_and_the_audit_chain_up(env, programme, cast):
    from domain.audit import chain_head

    result = run("project", "--once")
    assert result.exit_code == 0, result.output
    assert chain_head(programme, catch_up=False).position == programme.recorder.max_notification_id()
    views = Views({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": env[len("sqlite:///") :]})
    try:
        assert views.position() == programme.recorder.max_notification_id()
    finally:
        views.close()


def test_dispatch_needs_redis(env):
    result = run("dispatch")
    assert result.exit_code == 1 and "REDIS_URL" in result.output


def test_dispatch_once_enqueues_on_the_configured_redis(env, monkeypatch, redis_url, programme, cast):
    from workers.worker import make_queue

    monkeypatch.setenv("REDIS_URL", redis_url)
    result = run("dispatch", "--once")
    assert result.exit_code == 0, result.output
    queue = make_queue(redis_url)
    assert any(job_id.startswith("suggest-city-") for job_id in queue.job_ids)
    assert queue.scheduled_job_registry.count >= 1  # the weekly digest at least
    again = run("dispatch", "--once", "--rearm")
    assert again.exit_code == 0, again.output


def test_audit_head_and_verify(env, programme, cast):
    head = run("audit", "head")
    assert head.exit_code == 0, head.output
    noted = head.stdout.strip()
    position, _, digest = noted.partition(":")
    assert int(position) == programme.recorder.max_notification_id() and len(digest) == 64
    verify = run("audit", "verify")
    assert verify.exit_code == 0 and verify.stdout.startswith("ok"), verify.output
    assert f"events checked   {position}" in verify.stdout
    against = run("audit", "verify", "--head", noted)
    assert against.exit_code == 0 and "matches" in against.stdout, against.output
    as_json = run("audit", "verify", "--json")
    assert as_json.exit_code == 0 and '"ok": true' in as_json.stdout
    malformed = run("audit", "verify", "--head", "nonsense")
    assert malformed.exit_code == 2 and "POSITION:HASH" in malformed.output


def test_audit_verify_fails_with_exit_1_on_a_wrong_kept_head(env, programme, cast):
    wrong = f"{programme.recorder.max_notification_id()}:{'0' * 64}"
    result = run("audit", "verify", "--head", wrong)
    assert result.exit_code == 1 and result.stdout.startswith("BROKEN"), result.output


def test_logging_is_one_line_per_event(capsys):
    from config.logging import configure_logging, logging_dict

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("INFO")
        logger = logging.getLogger("twinning.test")
        try:
            raise ValueError("bad\nthing")
        except ValueError:
            logger.exception("it failed")
        logger.info("plain")
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        logging.config.dictConfig(
            {
                "version": 1,
                "disable_existing_loggers": False,
                "loggers": {name: {"level": "NOTSET"} for name in logging_dict()["loggers"]},
            }
        )
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    assert " ERROR   twinning.test: it failed | Traceback" in lines[0] and "ValueError: bad | thing" in lines[0]
    assert lines[1].endswith("INFO    twinning.test: plain")
    assert lines[1][:24].endswith("Z") and lines[1][10] == "T"


def test_gunicorn_config_reads_port_and_concurrency(monkeypatch):
    monkeypatch.setenv("PORT", "9123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", twinning_cli.__file__.replace("web/cli/__init__.py", "config/gunicorn.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.bind == "0.0.0.0:9123" and module.workers == 3
    assert module.preload_app is False and callable(module.post_worker_init)
    monkeypatch.delenv("PORT")
    monkeypatch.delenv("WEB_CONCURRENCY")
    spec.loader.exec_module(module)
    assert module.bind == "0.0.0.0:8000" and module.workers == 2


def test_wsgi_app_is_created_lazily(env, monkeypatch):
    monkeypatch.setenv("TWINNING_ADMIN_TOKEN", "wsgi-admin-token-" + "w" * 30)
    from web.wsgi import LazyApp

    lazy = LazyApp()
    assert lazy._app is None
    seen = {}

    def start_response(status, headers):
        seen["status"] = status

    body = b"".join(
        lazy(
            {
                "REQUEST_METHOD": "GET",
                "PATH_INFO": "/healthz",
                "SERVER_NAME": "x",
                "SERVER_PORT": "80",
                "wsgi.url_scheme": "http",
                "wsgi.input": None,
            },
            start_response,
        )
    )
    assert seen["status"].startswith("200") and b'"status":"ok"' in body.replace(b" ", b"")
    lazy.close()
    assert lazy._app is None
