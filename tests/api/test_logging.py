"""Log lines: time, level, logger and the request id on every line; JSON lines on request.

Rome's officer calls the API with an ``X-Request-Id``; whatever is logged while that request is
handled names it, and the answer carries it back. A call without one gets a fresh id."""

from __future__ import annotations

import json
import logging
import logging.config

import pytest

from config.logging import configure_logging, logging_dict


@pytest.fixture
def logs(capsys, monkeypatch):
    """Configure the project's logging (format from ``TWINNING_LOG_FORMAT``); ``logs()`` reads stderr's lines."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level

    def configure(fmt: str = "line") -> None:
        monkeypatch.setenv("TWINNING_LOG_FORMAT", fmt)
        configure_logging("INFO")

    def read() -> list[str]:
        return capsys.readouterr().err.strip().splitlines()

    read.configure = configure
    yield read
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "loggers": {name: {"level": "NOTSET"} for name in logging_dict()["loggers"]},
        }
    )


def _log_during_requests(app) -> None:
    @app.after_request
    def note(response):
        logging.getLogger("twinning.visit").info("answered %s", response.status_code)
        return response


def test_a_line_logged_while_a_request_is_handled_names_its_request_id(api, logs):
    _log_during_requests(api.app)
    logs.configure("line")
    answer = api.get("rome", "/api/v1/cities", headers={"X-Request-Id": "rome-visit-42"})
    assert answer.headers["X-Request-Id"] == "rome-visit-42"
    logging.getLogger("twinning.visit").info("between requests")
    lines = logs()
    (during,) = [line for line in lines if "answered 200" in line]
    assert " [rome-visit-42] INFO    twinning.visit: answered 200" in during
    assert during[:24].endswith("Z") and during[10] == "T"
    (between,) = [line for line in lines if "between requests" in line]
    assert " [-] INFO    twinning.visit: between requests" in between


def test_a_request_without_an_id_gets_a_fresh_one_in_the_answer_and_the_log(api, logs):
    _log_during_requests(api.app)
    logs.configure("line")
    first = api.get("yantai", "/api/v1/cities").headers["X-Request-Id"]
    second = api.get("yantai", "/api/v1/cities", headers={"X-Request-Id": "no spaces allowed"}).headers["X-Request-Id"]
    assert len({first, second}) == 2 and " " not in second
    lines = [line for line in logs() if "answered 200" in line]
    assert [f"[{first}]" in lines[0], f"[{second}]" in lines[1]] == [True, True]


def test_json_lines_carry_the_same_fields(api, logs):
    _log_during_requests(api.app)
    logs.configure("json")
    api.get("mannheim", "/api/v1/cities", headers={"X-Request-Id": "mannheim-7"})
    try:
        raise ValueError("the printer in Chongqing is on fire")
    except ValueError:
        logging.getLogger("twinning.visit").exception("it failed")
    records = [json.loads(line) for line in logs()]
    (during,) = [r for r in records if r["message"] == "answered 200"]
    assert {k: during[k] for k in ("level", "logger", "request_id")} == {
        "level": "INFO",
        "logger": "twinning.visit",
        "request_id": "mannheim-7",
    }
    assert during["time"].endswith("Z") and during["time"][10] == "T"
    (failed,) = [r for r in records if r["message"] == "it failed"]
    assert failed["level"] == "ERROR" and failed["request_id"] == "-"
    assert "ValueError: the printer in Chongqing is on fire" in failed["exc_info"]
