"""The ``twinning`` command line: Flask's CLI group with the programme's own commands.

    twinning serve [--host 127.0.0.1] [--port 8000]   everything in one process (embedded mode)
    twinning demo                                     load the IUC 2020 demo programme, print tokens
    twinning users create --role R --email E [--name N] [--city ID]
    twinning views rebuild                            replay the log into the read models
    twinning upgrade                                  give a store of v0.1.0 its default programme (idempotent)
    twinning audit verify [--head POSITION:HASH] · twinning audit head
    twinning dispatch · twinning project              the followers of the production Procfile
    twinning routes · twinning shell                  Flask's own, on the app

One module per command (``web/cli/serve.py``, ``demo.py``, ``users.py``, ``views.py``,
``audit.py``, ``dispatch.py``, ``project.py``): each parses its arguments, opens
``web.bootstrap`` on ``Settings.from_env()`` (``TWINNING_DATABASE``, ``REDIS_URL``,
``SMTP_URL``, ``TWINNING_ADMIN_TOKEN``, ``TWINNING_SECRET``, ``MEETING_REMINDER_OFFSETS`` …)
and closes it when done.
"""

from __future__ import annotations

from typing import Any

import click
from apiflask import APIFlask
from flask.cli import FlaskGroup, routes_command, shell_command

from web.cli import audit, demo, dispatch, project, serve, upgrade, users, views
from web.cli.common import CONTEXT, ENVIRONMENT_HELP, load_settings


def _flask_app() -> APIFlask:
    """The app for Flask's own commands (``twinning routes``, ``twinning shell``)."""
    from web.app import create_app

    return create_app(load_settings())


class TwinningGroup(FlaskGroup):
    """Flask's CLI group without its app-loading options: listing or helping never opens the store."""

    def __init__(self, **options: Any) -> None:
        super().__init__(
            add_default_commands=False,
            create_app=_flask_app,
            add_version_option=False,
            load_dotenv=False,
            set_debug_flag=False,
            **options,
        )
        self.params = [p for p in self.params if p.name not in ("app", "env_file", "debug")]
        self.add_command(routes_command)
        self.add_command(shell_command)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self.commands.get(name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands)


@click.group("twinning", cls=TwinningGroup, context_settings=CONTEXT, epilog=ENVIRONMENT_HELP)
def cli() -> None:
    """twinning: an event-sourced backend for city-to-city cooperation programmes.

    \b
    First run:    twinning demo && twinning serve     (or: make run)
    Production:   the Procfile (gunicorn web, rq worker, twinning dispatch, twinning project)
    """


for command in (serve.serve, demo.demo, users.users, views.views, audit.audit, dispatch.dispatch, project.project):
    cli.add_command(command)
cli.add_command(upgrade.upgrade)


def main(argv: list[str] | None = None) -> None:
    """The console script ``twinning``."""
    cli.main(args=argv, prog_name="twinning")


if __name__ == "__main__":
    main()
