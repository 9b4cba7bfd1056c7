"""``twinning serve``: the API, the followers and a worker in one process (embedded mode)."""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import replace
from typing import TYPE_CHECKING

import click

from config.settings import Settings
from web.bootstrap import Twinning
from web.cli.common import CONTEXT, ENVIRONMENT_HELP, log, open_twinning, redact, setup, stop_on_signals, store_label
from web.server import EmbeddedServer

if TYPE_CHECKING:
    from workers.embedded import EmbeddedRuntime


@click.command(
    context_settings=CONTEXT,
    short_help="Serve the API, followers and worker in one process (embedded mode).",
    epilog=ENVIRONMENT_HELP,
)
@click.option(
    "--host",
    default="127.0.0.1",
    envvar="HOST",
    show_default=True,
    help="Address to listen on (0.0.0.0: every interface); also HOST.",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port, printed on start).",
)
def serve(host: str, port: int) -> None:
    """Serve the API with everything in one process (embedded mode).

    \b
    One process runs:
      - the web app (on waitress, a production-grade threaded WSGI server),
      - the projector (read models) and the dispatcher, in threads,
      - an RQ worker and scheduler on an in-process Redis (or REDIS_URL if set),
    on the store TWINNING_DATABASE (SQLite under ./var by default). Jobs planned for
    later are re-armed from the store on start, so a restart loses no reminder.
    Ctrl-C or SIGTERM stops it cleanly.
    """
    settings = setup()
    # Signals from the start: a SIGTERM while starting still stops cleanly.
    with stop_on_signals() as stop, open_twinning(settings, embedded=True) as twinning:
        _serve(twinning, host, port, stop)


def _serve(twinning: Twinning, host: str, port: int, stop: threading.Event) -> None:
    """Web server, then runtime; stopped in the reverse order. ``twinning`` is closed by the caller."""
    from web.app import create_app
    from workers.embedded import EmbeddedRuntime

    app = create_app(twinning=twinning)
    try:
        server = EmbeddedServer(app, host, port)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    if not os.environ.get("TWINNING_PUBLIC_URL"):
        # The pages' links name the address actually served (``--port 0`` is known only now).
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        twinning.settings = replace(twinning.settings, public_url=f"http://{shown}:{server.port}")
    runtime: EmbeddedRuntime | None = None
    try:
        runtime = EmbeddedRuntime(twinning).start()
        web = threading.Thread(target=server.serve_until, name="twinning-web", daemon=True)
        web.start()
        _banner(twinning.settings, host, server, runtime)
        _sign_in_links(twinning)
        while not stop.wait(0.5):
            if not web.is_alive():
                log.error("the web server stopped unexpectedly")
                break
        log.info("stopping: web server")
        server.shutdown()
        web.join(10)
        log.info("stopping: dispatcher, worker, projector")
        report = runtime.stop()
        runtime = None
        log.info("stopped (queue drained: %s, dispatcher at position %d)", report.drained, report.dispatcher_position)
    finally:
        if runtime is not None:
            runtime.stop(drain_timeout=0)
        server.close()


def _banner(settings: Settings, host: str, server: EmbeddedServer, runtime: EmbeddedRuntime) -> None:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    base = f"http://{shown}:{server.port}"
    queue = redact(settings.redis_url) if settings.redis_url else "in-process Redis (fakeredis)"
    mail = redact(settings.smtp_url) if settings.smtp_url else f"written to {settings.var_dir / 'outbox'}/ as .eml"
    lines = [
        "",
        f"twinning is serving on {base}  (embedded mode)",
        f"  pages      {base}/  (sign in by email; the mail is {mail})",
        f"  API        {base}/api/v1",
        f"  docs       {base}/docs",
        f"  OpenAPI    {base}/openapi.json",
        f"  health     {base}/healthz",
        f"  store      {store_label(settings)}",
        f"  queue      {queue}; {runtime.rearmed.enqueued if runtime.rearmed else 0} job(s) re-armed from the store",
        f"  mail       {mail}",
        "  admin      "
        + (
            "the token in TWINNING_ADMIN_TOKEN"
            if settings.admin_token
            else "none (set TWINNING_ADMIN_TOKEN to create users over the API)"
        ),
        "Press Ctrl-C to stop.",
        "",
    ]
    click.echo("\n".join(lines))
    sys.stdout.flush()


def _sign_in_links(twinning: Twinning) -> None:
    """One ready sign-in link per demo role, when the demo is loaded (``make run``)."""
    from web.cli.common import table
    from web.cli.links import demo_sign_in_links

    rows = demo_sign_in_links(twinning.programme, twinning.settings.public_url)
    if rows:
        click.echo("Sign in to the pages as (each link works once, for 15 minutes):")
        click.echo(table(("role", "email", "sign-in link"), rows))
        click.echo("")
        sys.stdout.flush()
