"""``twinning upgrade``: the one-time, idempotent upgrade of a store written before programmes.

It appends the default programme (``TWINNING_DEFAULT_PROGRAMME``, named by
``TWINNING_DEFAULT_PROGRAMME_NAME``) and places everything recorded before the first
programme in it; old events are upcast as they are read, never rewritten. `twinning serve`
and `twinning demo` run it on start (one process owns the store then); in production run
it once as a release step, before the web processes start.
"""

from __future__ import annotations

import json

import click

from web.bootstrap import Twinning
from web.cli.common import CONTEXT, ENVIRONMENT_HELP, log, open_twinning, setup, store_label


def upgrade_store(twinning: Twinning):
    settings = twinning.settings
    result = twinning.programme.upgrade(settings.default_programme, settings.default_programme_name)
    if result.events_appended:
        log.info(
            "upgrade: %d events appended (programme %s, %d cities joined, placed: %s)",
            result.events_appended,
            settings.default_programme,
            result.cities_joined,
            result.assigned,
        )
    return result


@click.command(
    context_settings=CONTEXT,
    short_help="Give a store written before programmes its default programme (idempotent).",
    epilog=ENVIRONMENT_HELP,
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def upgrade(as_json: bool) -> None:
    """Append the default programme and place everything recorded before programmes in it.

    Old events are read through their upcasters and never rewritten; a second run appends
    nothing. The audit chain over the old events still verifies against a head kept from
    before (`twinning audit verify --head POSITION:HASH`).
    """
    settings = setup("WARNING")
    with open_twinning(settings) as twinning:
        try:
            result = upgrade_store(twinning)
        except Exception as error:
            log.debug("upgrade failed", exc_info=True)
            raise click.ClickException(f"the upgrade failed: {type(error).__name__}: {error}") from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    if not result.events_appended:
        click.echo(f"Nothing to upgrade in {store_label(settings)}: nothing appended.")
        return
    placed = ", ".join(f"{count} {kind}" for kind, count in result.assigned.items())
    click.echo(
        f"Upgraded {store_label(settings)}: {result.events_appended} events appended; programme "
        f"{settings.default_programme!r} {'launched' if result.launched else 'kept'}, "
        f"{result.cities_joined} cities joined, placed: {placed}."
    )
