"""``twinning views rebuild``: replay the whole log into the read models."""

from __future__ import annotations

import sys
import threading
import time

import click

from domain.views import Views
from web.cli.common import CONTEXT, open_twinning, setup, store_label


@click.group(context_settings=CONTEXT, short_help="The read models: rebuild them from the log.")
def views() -> None:
    """The read models (lists, calendar, timelines, dashboard, inboxes)."""


@views.command("rebuild", context_settings=CONTEXT)
@click.option(
    "--batch-size", default=1000, show_default=True, type=click.IntRange(1, 100_000), help="Events per transaction."
)
def views_rebuild(batch_size: int) -> None:
    """Drop the read models and replay the whole event log into them.

    Stop the projector first (the `projector` process, or `twinning serve`): lists read
    empty, then filling, until the rebuild ends.
    """
    settings = setup("WARNING")
    with open_twinning(settings) as twinning:
        programme = twinning.programme
        try:
            read_models = twinning.views
        except Exception as error:
            raise click.ClickException(f"cannot open the read models: {type(error).__name__}: {error}") from None
        head = programme.recorder.max_notification_id() or 0
        click.echo(f"Rebuilding the read models from {head} events of {store_label(settings)}", err=True)
        started = time.monotonic()
        done = threading.Event()
        reporter = threading.Thread(target=_report_progress, args=(read_models, head, done), daemon=True)
        reporter.start()
        try:
            count = read_models.rebuild(programme, batch_size=batch_size)
        finally:
            done.set()
            reporter.join(5)
        elapsed = time.monotonic() - started
        rate = count / elapsed if elapsed > 0 else 0
        click.echo(
            f"Rebuilt: {count} events replayed in {elapsed:.1f}s ({rate:,.0f}/s), "
            f"views at position {read_models.position()}."
        )


def _report_progress(read_models: Views, head: int, done: threading.Event, interval: float = 0.5) -> None:
    tty = sys.stderr.isatty()
    last = -1
    while not done.wait(interval):
        try:
            position = read_models.position()
        except Exception:
            continue
        if position != last:
            last = position
            percent = 100 * position / head if head else 100
            text = f"  views: {position}/{head} ({percent:.0f}%)"
            sys.stderr.write(f"\r{text}" if tty else f"{text}\n")
            sys.stderr.flush()
    if tty and last >= 0:
        sys.stderr.write("\n")
