"""``twinning audit verify`` and ``twinning audit head``: the tamper-evident chain over the log."""

from __future__ import annotations

import json
import sys

import click

from domain.audit import VerifyResult, parse_head
from domain.errors import InvalidValue
from web.cli.common import CONTEXT, open_twinning, setup


@click.group(context_settings=CONTEXT)
def audit() -> None:
    """The tamper-evident audit chain over the event log."""


@audit.command("verify", context_settings=CONTEXT)
@click.option(
    "--head",
    "kept_head",
    default=None,
    metavar="POSITION:HASH",
    help="A head kept outside the system (from `twinning audit head`): also recompute the chain "
    "from the store alone up to it and compare.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
def audit_verify(kept_head: str | None, as_json: bool) -> None:
    """Bring the chain up to date, then recompute it over the whole log.

    Exit status 0 when the log is intact, 1 at the first changed, removed, inserted or
    reordered event (named in the output).
    """
    if kept_head:
        try:
            parse_head(kept_head)
        except InvalidValue as error:
            raise click.BadParameter(str(error), param_hint="--head") from None
    settings = setup("WARNING")
    with open_twinning(settings) as twinning:
        result = twinning.audit_chain.verify(kept_head or None)
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else _verification(result))
    if not result.ok:
        sys.exit(1)


@audit.command("head", context_settings=CONTEXT, short_help="Print the chain's head (POSITION:HASH) to keep.")
def audit_head() -> None:
    """Print the chain's head as POSITION:HASH, after bringing the chain up to date.

    Keep it outside the system; `twinning audit verify --head POSITION:HASH` later proves
    that nothing up to it changed, even if the store and the chain were both rewritten.
    """
    settings = setup("WARNING")
    with open_twinning(settings) as twinning:
        head = twinning.audit_chain.current_head()
    click.echo(str(head))


def _verification(result: VerifyResult) -> str:
    lines = [("ok: " if result.ok else "BROKEN: ") + (result.detail or ("the chain is intact" if result.ok else ""))]
    lines.append(f"  events checked   {result.events_checked}")
    if result.unchained:
        lines.append(f"  not chained yet  {result.unchained}")
    lines.append(f"  chain head       {result.head}")
    if result.anchor:
        verdict = "matches" if result.anchor.get("matches") else "DOES NOT MATCH"
        lines.append(f"  kept head        {result.anchor.get('position')}:{result.anchor.get('hash')} {verdict}")
    if result.first_bad is not None:
        bad = result.first_bad
        lines.append(
            f"  first bad event  position {bad.position}: {bad.problem}"
            + (f" (aggregate {bad.originator_id} version {bad.version})" if bad.originator_id else "")
        )
    return "\n".join(lines)
