"""``twinning users create``: a user and its first token."""

from __future__ import annotations

import click

from web.cli.common import CONTEXT, open_twinning, setup


@click.group(context_settings=CONTEXT)
def users() -> None:
    """Manage users and their tokens."""


@users.command("create", context_settings=CONTEXT)
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "facilitator", "auditor", "officer"]),
    help="What the user may do (an officer needs --city).",
)
@click.option("--email", required=True, help="The user's email address (unique).")
@click.option("--name", default=None, help="Display name (default: from the email address).")
@click.option("--city", "city_id", default=None, metavar="ID", help="The officer's city id (GET /api/v1/cities).")
def users_create(role: str, email: str, name: str | None, city_id: str | None) -> None:
    """Create a user and print its first token (shown only now).

    The token alone goes to standard output, so TOKEN=$(twinning users create …) works;
    what was created is said on standard error.
    """
    from domain.access import SYSTEM
    from domain.errors import DomainError

    settings = setup("WARNING")
    if role == "officer" and not city_id:
        raise click.UsageError("an officer belongs to a city: give --city ID")
    name = name or email.partition("@")[0].replace(".", " ").replace("_", " ").title() or email
    with open_twinning(settings) as twinning:
        try:
            issued = twinning.programme.create_user(SYSTEM, name, email, role, city_id=city_id)
        except DomainError as error:
            raise click.ClickException(str(error)) from None
    where = f" of city {issued.user.city_id}" if issued.user.city_id else ""
    click.echo(
        f"Created {role}{where}: {name} <{email}>, user id {issued.user.id}. Its token (shown only now):", err=True
    )
    click.echo(issued.token)
