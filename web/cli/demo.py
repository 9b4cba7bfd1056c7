"""``twinning demo``: load the IUC 2020 demo programme and print the demo users' tokens."""

from __future__ import annotations

import os
import sys

import click

from web.cli.common import CONTEXT, ENVIRONMENT_HELP, log, open_twinning, setup, store_label, table


@click.command(
    context_settings=CONTEXT,
    short_help="Load the IUC 2020 demo programme; print the demo users' tokens.",
    epilog=ENVIRONMENT_HELP,
)
def demo() -> None:
    """Load the IUC 2020 demo programme and print a token per demo user.

    Cities, partnerships, pilot projects, agreements and sessions of the IUC Asia 2020
    programme, recorded as their officers and facilitator would have. Idempotent: a
    second run records nothing and prints the same tokens (they derive from
    TWINNING_SECRET). TWINNING_ADMIN_TOKEN, when set, bootstraps the admin too.
    """
    from domain.demo.loader import load_demo

    settings = setup("WARNING")
    with open_twinning(settings) as twinning:
        try:
            twinning.ensure_admin()
            click.echo(f"Loading the IUC 2020 demo programme into {store_label(settings)}", err=True)
            result = load_demo(twinning.programme, settings.secret, _Progress())
            if settings.mode == "embedded":
                ensure_demo_admin(twinning.programme, settings.secret)
        except Exception as error:
            log.debug("demo failed", exc_info=True)
            raise click.ClickException(f"loading the demo failed: {type(error).__name__}: {error}") from None
    if result.recorded:
        click.echo(f"Recorded {result.recorded} events (log position {result.events_after}).", err=True)
    else:
        click.echo(f"Already loaded: nothing recorded (log position {result.events_after}).", err=True)
    rows = [(label, email, token) for label, (email, token) in result.tokens.items()]
    click.echo("")
    click.echo(table(("user", "email", "token"), rows))
    click.echo("")
    if settings.admin_token:
        click.echo("admin: admin@twinning.local, holding the token in TWINNING_ADMIN_TOKEN")
    if settings.secret == "change-me":
        click.echo("The tokens derive from TWINNING_SECRET (unset: a default). Set it for tokens of your own.")
    port = os.environ.get("PORT") or "8000"  # make run PORT=8080 serves there after the demo
    click.echo(f'Try: curl -H "Authorization: Bearer <token>" http://127.0.0.1:{port}/api/v1/me')
    if settings.mode == "embedded":
        click.echo("`twinning serve` prints a sign-in link per demo role for the pages (make run does both).")


DEMO_ADMIN = ("Demo administrator", "admin@iuc-asia.example")


def ensure_demo_admin(programme, secret: str) -> None:
    """An admin to sign in as on the pages (embedded mode only, like the links ``twinning serve`` prints)."""
    from domain.access import SYSTEM
    from domain.demo.loader import demo_token

    name, email = DEMO_ADMIN
    programme.ensure_user(SYSTEM, name, email, "admin", token=demo_token(secret, email))


class _Progress:
    """The loader's progress (``\\rcities: 3/17`` … ``\\n``) on stderr: live on a terminal, one line per step otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = ""

    def __call__(self, text: str) -> None:
        if self.tty:
            sys.stderr.write(text)
            sys.stderr.flush()
            return
        if text == "\n":
            if self.last:
                sys.stderr.write(f"  {self.last}\n")
                sys.stderr.flush()
            self.last = ""
        else:
            self.last = text.strip("\r\n")
