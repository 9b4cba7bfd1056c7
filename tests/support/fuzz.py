"""schemathesis' own runner (``st run``, every check, every phase) against a real ``twinning serve``.

``make test`` runs a short, seeded sample (tests/api/test_schemathesis.py); ``make fuzz`` the long
version: ``python -m tests.support.fuzz --examples 100``. Both take every operation of the served
document (nothing is listed by hand) and answer the same summary: cases, operations, failures by check.

The few answers a schema-valid request may get that no schema can express are configured here and
only here, each with its reason (notes/contract.md lists them):

* 412 for an ``If-Match`` that is well formed but not the resource's version (every write);
* 400 ``invalid-cursor`` for a well-formed cursor the server did not hand out (operations with ``cursor``).

The cross-field and clock rules are met by the hooks (tests/support/schemathesis_hooks.py), which
touch only schema-valid requests and only the fields of that rule.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ADMIN_TOKEN = "schemathesis-admin-token-" + "s" * 32
HOOKS = "tests.support.schemathesis_hooks"
POSITIVE_ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "412", "429", "5xx"]
PHASES = "examples,coverage,fuzzing,stateful"  # make fuzz; make test leaves out coverage (see run)


@dataclass
class Summary:
    command: list[str]
    operations_in_document: int
    operations_tested: int
    cases: int
    failures: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    output: str = ""

    def line(self) -> str:
        failures = ", ".join(f"{code} {count}" for code, count in sorted(self.failures.items())) or "none"
        return (
            f"{self.cases} cases over {self.operations_tested}/{self.operations_in_document} operations, "
            f"failures: {failures}, errors: {len(self.errors)}, {self.seconds:.0f} s"
        )


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, token: str | None = None):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWINNING_", "REDIS_URL", "SMTP_URL"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(settings)
    return env


def _stop(serve: subprocess.Popen) -> None:
    for signum, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(serve.pid, signum)
        except ProcessLookupError:
            return
        try:
            serve.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def config_for(document: dict) -> str:
    """The run's schemathesis.toml, derived from the document: new operations are covered as they come."""
    cursor_operations = sorted(
        operation["operationId"]
        for path in document["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict)
        and any(p.get("in") == "query" and p.get("name") == "cursor" for p in operation.get("parameters", []))
    )
    lines = [
        "[checks.positive_data_acceptance]",
        f"expected-statuses = {json.dumps(POSITIVE_ACCEPTED)}",
        "",
    ]
    if cursor_operations:
        lines += [
            "[[operations]]",
            f"include-operation-id = {json.dumps(cursor_operations)}",
            "[operations.checks.positive_data_acceptance]",
            f"expected-statuses = {json.dumps([*POSITIVE_ACCEPTED, '400'])}",
            "",
        ]
    return "\n".join(lines)


def run(
    workdir: Path,
    *,
    examples: int,
    seed: int,
    workers: int = 1,
    phases: str = PHASES,
    max_failures: int | None = None,
    extra: tuple[str, ...] = (),
) -> Summary:
    """Serve a fresh programme from ``workdir``, run schemathesis against it, and summarise the report."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = _env(
        TWINNING_ADMIN_TOKEN=ADMIN_TOKEN,
        TWINNING_VAR_DIR=str(workdir / "var"),
        # schemathesis sends thousands of requests, some unauthenticated on purpose: the limiter has its own tests
        TWINNING_AUTH_FAILURE_LIMIT="1000000",
        TWINNING_LOG_LEVEL="WARNING",
    )
    log = open(workdir / "serve.log", "ab")
    serve = subprocess.Popen(
        [str(BIN / "twinning"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                document = _get(f"{base}/openapi.json")
                break
            except OSError:
                if serve.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((workdir / "serve.log").read_text(errors="replace")[-4000:]) from None
                time.sleep(0.2)
        caller = _get(f"{base}/api/v1/me", ADMIN_TOKEN)["id"]
        config = workdir / "schemathesis.toml"
        config.write_text(config_for(document), encoding="utf-8")
        report_dir = workdir / "report"
        command = [
            str(BIN / "st"),
            "--config-file",
            str(config),
            "run",
            f"{base}/openapi.json",
            "--checks",
            "all",
            "--phases",
            phases,
            "--max-examples",
            str(examples),
            "--seed",
            str(seed),
            "--workers",
            str(workers),
            "-H",
            f"Authorization: Bearer {ADMIN_TOKEN}",
            "--report",
            "json",
            "--report-dir",
            str(report_dir),
            "--suppress-health-check",
            "all",
            *(["--max-failures", str(max_failures)] if max_failures else []),
            *extra,
        ]
        started = time.monotonic()
        done = subprocess.run(
            command,
            cwd=workdir,  # schemathesis keeps a cache of past failures in .schemathesis/ of its directory
            env=_env(SCHEMATHESIS_HOOKS=HOOKS, TWINNING_FUZZ_CALLER_ID=caller, PYTHONPATH=str(ROOT)),
            capture_output=True,
            text=True,
        )
        seconds = time.monotonic() - started
    finally:
        _stop(serve)
        log.close()
    reports = sorted(report_dir.glob("*.json"))
    if not reports:
        raise RuntimeError(f"schemathesis wrote no report (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    report = json.loads(reports[-1].read_text(encoding="utf-8"))
    in_document = sum(
        1
        for path in document["paths"].values()
        for method in path
        if method in ("get", "post", "put", "patch", "delete")
    )
    return Summary(
        command=[c if ADMIN_TOKEN not in c else "Authorization: Bearer <admin>" for c in command],
        operations_in_document=in_document,
        operations_tested=report["operations"]["tested"],
        cases=report["test_cases"]["generated"],
        failures={f["code"]: f["count"] for f in report["failures"]},
        errors=[json.dumps(e)[:500] for e in report["errors"]],
        seconds=seconds,
        output=done.stdout + done.stderr,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="schemathesis, every check and phase, against twinning serve")
    parser.add_argument("--examples", type=int, default=100, help="max examples per operation and phase")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the working directory (report, server log)")
    args, extra = parser.parse_known_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="twinning-fuzz-"))
    summary = run(workdir, examples=args.examples, seed=args.seed, workers=args.workers, extra=tuple(extra))
    print(summary.output)
    print(" ".join(summary.command))
    print(summary.line())
    print(f"report and server log: {workdir}" if args.keep else "")
    if not args.keep:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if not summary.failures and not summary.errors else 1


if __name__ == "__main__":
    sys.exit(main())
