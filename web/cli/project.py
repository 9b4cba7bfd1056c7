"""``twinning project``: follow the log into the read models and the audit chain (the Procfile's projector)."""

from __future__ import annotations

import threading

import click

from web.cli.common import CONTEXT, ENVIRONMENT_HELP, log, open_twinning, setup, stop_on_signals


@click.command(
    context_settings=CONTEXT,
    short_help="Follow the log into the read models and audit chain (the Procfile's projector).",
    epilog=ENVIRONMENT_HELP,
)
@click.option(
    "--poll-interval",
    default=0.2,
    show_default=True,
    type=click.FloatRange(0.01, 60),
    help="Seconds between looks at the log when idle.",
)
@click.option("--once", is_flag=True, help="Project what is recorded now, then exit.")
def project(poll_interval: float, once: bool) -> None:
    """Follow the event log into the read models and the audit chain (the Procfile's `projector`).

    Two followers, each writing its rows and its position in one transaction, so a crash
    neither loses nor doubles an event; several projectors are safe. SIGTERM stops them
    after the batch at hand.
    """
    settings = setup()
    with open_twinning(settings) as twinning:
        views, chain = twinning.projectors()
        if once:
            counts = (views.run_once(), chain.run_once())
            log.info(
                "projected %d events into the views (and %d into the audit chain); at position %d",
                *counts,
                twinning.views.position(),
            )
            return
        with stop_on_signals() as stop:
            helper = threading.Thread(
                target=chain.run, args=(stop, poll_interval), name="follower-audit-chain", daemon=True
            )
            helper.start()
            views.run(stop, poll_interval=poll_interval)
            helper.join(30)
