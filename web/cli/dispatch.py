"""``twinning dispatch``: follow the log and enqueue the jobs it calls for (the Procfile's dispatcher)."""

from __future__ import annotations

import logging

import click

from web.cli.common import CONTEXT, ENVIRONMENT_HELP, log, open_twinning, redact, setup, stop_on_signals, store_label


@click.command(
    context_settings=CONTEXT,
    short_help="Follow the log and enqueue jobs (the Procfile's dispatcher).",
    epilog=ENVIRONMENT_HELP,
)
@click.option(
    "--poll-interval",
    default=0.5,
    show_default=True,
    type=click.FloatRange(0.01, 60),
    help="Seconds between looks at the log when idle.",
)
@click.option(
    "--rearm",
    is_flag=True,
    help="Put back the jobs planned for later (reminders, nudges …) from the store, after Redis lost its data; "
    "then exit (with --once: then dispatch what is recorded, and exit).",
)
@click.option("--once", is_flag=True, help="Dispatch what is recorded now, then exit.")
def dispatch(poll_interval: float, rearm: bool, once: bool) -> None:
    """Follow the event log and enqueue the jobs it calls for (the Procfile's `dispatcher`).

    Needs REDIS_URL. Job ids are deterministic, so several dispatchers, or one restarted
    after a crash, enqueue nothing twice. SIGTERM stops it after the batch at hand.
    """
    settings = setup()
    if not settings.redis_url:
        raise click.ClickException(
            "twinning dispatch needs REDIS_URL (the production queue); "
            "in embedded mode `twinning serve` runs the dispatcher itself"
        )
    with open_twinning(settings) as twinning:
        if rearm:
            rearmed = twinning.rearm()
            log.info("re-armed %d job(s) from the store", rearmed.enqueued)
            if not once:  # a one-shot for the operator: the Procfile's dispatcher keeps following
                return
        if once:
            follower = twinning.dispatcher_follower()
            count = follower.run_once()
            log.info("dispatched %d events; at position %d", count, follower.processor.position())
            return
        log.info("dispatcher: following %s, enqueueing on %s", store_label(settings), redact(settings.redis_url))
        with stop_on_signals() as stop:
            twinning.follow_dispatch(stop, poll_interval, logging.getLogger("twinning.dispatcher"))
