"""The ``twinning`` command line: Flask's CLI group with the programme's own commands.

    twinning serve [--host 127.0.0.1] [--port 8000]   everything in one process (embedded mode)
    twinning demo                                     load the IUC 2020 demo programme, print tokens
    twinning users create --role R --email E [--name N] [--city ID]
    twinning views rebuild                            replay the log into the read models
    twinning audit verify [--head POSITION:HASH] · twinning audit head
    twinning dispatch · twinning project              the followers of the production Procfile
    twinning routes · twinning shell                  Flask's own, on the app

Every command reads its settings from the environment (``config.settings.Settings``:
``TWINNING_DATABASE``, ``REDIS_URL``, ``SMTP_URL``, ``TWINNING_ADMIN_TOKEN``,
``TWINNING_SECRET``, ``MEETING_REMINDER_OFFSETS`` …) and hands them down.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from flask.cli import FlaskGroup, routes_command, shell_command

from config.logging import configure_logging
from config.settings import Settings, SettingsError

log = logging.getLogger("twinning.cli")
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100, "auto_envvar_prefix": None}
ENVIRONMENT_HELP = """
\b
Settings come from the environment:
  TWINNING_DATABASE      sqlite:///var/twinning.db (default) or postgresql://user@host/db
  TWINNING_VAR_DIR       local data: SQLite store, mail outbox (default ./var)
  REDIS_URL              the production queue (unset: an in-process Redis for `serve`)
  SMTP_URL               smtp://host:port (unset: mail written to var/outbox/ as .eml)
  TWINNING_ADMIN_TOKEN   bootstraps an admin holding this token
  TWINNING_SECRET        signs webhooks; the demo users' tokens derive from it
  MEETING_REMINDER_OFFSETS, INVITATION_NUDGE_AFTER   e.g. 24h,1h and 7d
  TWINNING_MODE          embedded (default), production or test
  TWINNING_LOG_LEVEL     INFO (default), DEBUG, WARNING …
"""


# -- settings, logging, the store ------------------------------------------------------------


def load_settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


def _setup(level: str | None = None) -> Settings:
    settings = load_settings()
    configure_logging(level or settings.log_level)
    return settings


def _open_programme(settings: Settings):
    from web.startup import open_programme

    try:
        return open_programme(settings)
    except Exception as error:
        raise click.ClickException(
            f"cannot open the store {_store_label(settings)}: {type(error).__name__}: {error}"
        ) from None


def _open_views(settings: Settings):
    from domain.views import Views
    from web.startup import schema_lock

    with schema_lock(settings):
        return Views(settings.store_env())


def _store_label(settings: Settings) -> str:
    return _redact(settings.database_url)


def _redact(url: str) -> str:
    """A URL without its password."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def _flask_app():
    """The app for Flask's own commands (``twinning routes``, ``twinning shell``)."""
    from web.app import create_app
    from web.startup import schema_lock

    settings = load_settings()
    with schema_lock(settings):
        return create_app(settings)


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT (Ctrl-C); pressing Ctrl-C again exits at once.

    A repeated SIGTERM is ignored: a process manager may send one to the process and one to
    its group (honcho does both), and that must not cut a clean stop short."""
    stop = threading.Event()

    def handler(signum: int, frame: Any) -> None:
        name = signal.Signals(signum).name
        if stop.is_set():
            if signum == signal.SIGINT:
                log.warning("second Ctrl-C: exiting now, without a clean stop")
                os._exit(130)
            log.debug("%s again: already stopping", name)
            return
        log.info("%s received: stopping%s", name, " (Ctrl-C again to exit at once)" if signum == signal.SIGINT else "")
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


# -- the group --------------------------------------------------------------------------------


class TwinningGroup(FlaskGroup):
    """Flask's CLI group without its app-loading options: listing or helping never opens the store."""

    def __init__(self, **extra: Any) -> None:
        super().__init__(
            add_default_commands=False,
            create_app=_flask_app,
            add_version_option=False,
            load_dotenv=False,
            set_debug_flag=False,
            **extra,
        )
        self.params = [p for p in self.params if p.name not in ("app", "env_file", "debug")]
        self.add_command(routes_command)
        self.add_command(shell_command)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        """Commands open what they need themselves: no app context is pushed for them."""
        kwargs.setdefault("with_appcontext", False)
        return super().command(*args, **kwargs)

    def group(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", click.Group)
        return super().group(*args, **kwargs)

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


def main(argv: list[str] | None = None) -> None:
    """The console script ``twinning``."""
    cli.main(args=argv, prog_name="twinning")


# -- serve -------------------------------------------------------------------------------------


@cli.command(
    context_settings=CONTEXT,
    short_help="Serve the API, followers and worker in one process (embedded mode).",
    epilog=ENVIRONMENT_HELP,
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every interface).")
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
      - the web app (a threaded WSGI server),
      - the projector (read models) and the dispatcher, in threads,
      - an RQ worker and scheduler on an in-process Redis (or REDIS_URL if set),
    on the store TWINNING_DATABASE (SQLite under ./var by default). Jobs planned for
    later are re-armed from the store on start, so a restart loses no reminder.
    Ctrl-C or SIGTERM stops it cleanly.
    """
    settings = _setup()
    with stop_on_signals() as stop:  # from the start: a SIGTERM while starting still stops cleanly
        _serve(settings, host, port, stop)


def _serve(settings: Settings, host: str, port: int, stop: threading.Event) -> None:
    from werkzeug.serving import make_server

    from web.app import close_app, create_app
    from web.startup import schema_lock
    from workers.embedded import EmbeddedRuntime, queue_connection

    programme = _open_programme(settings)
    connection = queue_connection(settings)  # one queue for the app's admin endpoints and the runtime
    opened: list[Callable[[], None]] = [programme.close]
    app = runtime = server = None
    try:
        with schema_lock(settings):
            views = _open_views(settings)
            opened.append(views.close)
            app = create_app(settings, programme=programme, views=views, queue_connection=connection)
            _audit_chain(settings, programme)
        opened.append(lambda: close_app(app))
        try:
            server = make_server(host, port, app, threaded=True, request_handler=_request_handler())
        except OSError as error:  # (an address in use is reported by werkzeug itself, exit status 1)
            raise click.ClickException(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
        runtime = EmbeddedRuntime(settings, programme, views, connection=connection).start()
        web = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.25}, name="twinning-web", daemon=True
        )
        web.start()
        _banner(settings, host, server.server_port, runtime)
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
        if server is not None:
            server.server_close()
        for close in reversed(opened):
            try:
                close()
            except Exception:
                log.warning("closing failed", exc_info=True)


def _banner(settings: Settings, host: str, port: int, runtime: Any) -> None:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    base = f"http://{shown}:{port}"
    queue = _redact(settings.redis_url) if settings.redis_url else "in-process Redis (fakeredis)"
    mail = _redact(settings.smtp_url) if settings.smtp_url else f"written to {settings.var_dir / 'outbox'}/ as .eml"
    lines = [
        "",
        f"twinning is serving on {base}  (embedded mode)",
        f"  API        {base}/api/v1",
        f"  docs       {base}/docs",
        f"  OpenAPI    {base}/openapi.json",
        f"  health     {base}/healthz",
        f"  store      {_store_label(settings)}",
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


def _request_handler():
    from werkzeug.serving import WSGIRequestHandler

    access = logging.getLogger("twinning.http")

    class RequestHandler(WSGIRequestHandler):
        """One readable access-log line per request: method, path, status, time, client."""

        def handle_one_request(self) -> None:
            self._started = time.perf_counter()
            super().handle_one_request()

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            elapsed = (time.perf_counter() - getattr(self, "_started", time.perf_counter())) * 1000
            access.info(
                "%s %s %s %.1fms %s",
                self.command,
                self.path,
                getattr(code, "value", code),
                elapsed,
                self.address_string(),
            )

        def log_error(self, format: str, *args: Any) -> None:
            access.warning(format, *args)

        def log_message(self, format: str, *args: Any) -> None:
            access.info(format, *args)

    return RequestHandler


# -- demo ---------------------------------------------------------------------------------------


@cli.command(
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

    settings = _setup("WARNING")
    programme = _open_programme(settings)
    try:
        if settings.admin_token:
            programme.ensure_admin(settings.admin_token)
        click.echo(f"Loading the IUC 2020 demo programme into {_store_label(settings)}", err=True)
        result = load_demo(programme, settings.secret, _Progress())
        if result.recorded:
            click.echo(f"Recorded {result.recorded} events (log position {result.events_after}).", err=True)
        else:
            click.echo(f"Already loaded: nothing recorded (log position {result.events_after}).", err=True)
    except click.ClickException:
        raise
    except Exception as error:
        log.debug("demo failed", exc_info=True)
        raise click.ClickException(f"loading the demo failed: {type(error).__name__}: {error}") from None
    finally:
        programme.close()
    rows = [(label, email, token) for label, (email, token) in result.tokens.items()]
    click.echo("")
    click.echo(_table(("user", "email", "token"), rows))
    click.echo("")
    if settings.admin_token:
        click.echo("admin: admin@twinning.local, holding the token in TWINNING_ADMIN_TOKEN")
    if settings.secret == "change-me":
        click.echo("The tokens derive from TWINNING_SECRET (unset: a default). Set it for tokens of your own.")
    port = os.environ.get("PORT") or "8000"  # make run PORT=8080 serves there after the demo
    click.echo(f'Try: curl -H "Authorization: Bearer <token>" http://127.0.0.1:{port}/api/v1/me')


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


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    render = ["  ".join(str(cell).ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(), line, *render])


# -- users --------------------------------------------------------------------------------------


@cli.group(context_settings=CONTEXT)
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

    settings = _setup("WARNING")
    if role == "officer" and not city_id:
        raise click.UsageError("an officer belongs to a city: give --city ID")
    name = name or email.partition("@")[0].replace(".", " ").replace("_", " ").title() or email
    programme = _open_programme(settings)
    try:
        issued = programme.create_user(SYSTEM, name, email, role, city_id=city_id)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    finally:
        programme.close()
    where = f" of city {issued.user.city_id}" if issued.user.city_id else ""
    click.echo(
        f"Created {role}{where}: {name} <{email}>, user id {issued.user.id}. Its token (shown only now):", err=True
    )
    click.echo(issued.token)


# -- views --------------------------------------------------------------------------------------


@cli.group(context_settings=CONTEXT, short_help="The read models: rebuild them from the log.")
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
    settings = _setup("WARNING")
    programme = _open_programme(settings)
    try:
        read_models = _open_views(settings)
    except Exception as error:
        programme.close()
        raise click.ClickException(f"cannot open the read models: {type(error).__name__}: {error}") from None
    try:
        head = programme.recorder.max_notification_id() or 0
        click.echo(f"Rebuilding the read models from {head} events of {_store_label(settings)}", err=True)
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
    finally:
        read_models.close()
        programme.close()


def _report_progress(read_models: Any, head: int, done: threading.Event, interval: float = 0.5) -> None:
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


# -- audit --------------------------------------------------------------------------------------


@cli.group(context_settings=CONTEXT)
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
    from domain.audit import parse_head, verify_programme
    from domain.errors import InvalidValue

    if kept_head:
        try:
            parse_head(kept_head)
        except InvalidValue as error:
            raise click.BadParameter(str(error), param_hint="--head") from None
    settings = _setup("WARNING")
    programme = _open_programme(settings)
    try:
        result = verify_programme(programme, kept_head or None)
    finally:
        programme.close()
    if as_json:
        import json

        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo(_verification(result))
    if not result.ok:
        sys.exit(1)


@audit.command("head", context_settings=CONTEXT)
def audit_head() -> None:
    """Print the chain's head as POSITION:HASH, after bringing the chain up to date.

    Keep it outside the system; `twinning audit verify --head POSITION:HASH` later proves
    that nothing up to it changed, even if the store and the chain were both rewritten.
    """
    from domain.audit import chain_head

    settings = _setup("WARNING")
    programme = _open_programme(settings)
    try:
        head = chain_head(programme)
    finally:
        programme.close()
    click.echo(str(head))


def _verification(result: Any) -> str:
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


# -- the production followers -------------------------------------------------------------------


@cli.command(
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
    help="First put back the jobs planned for later (reminders, nudges …) from the store: after Redis lost its data.",
)
@click.option("--once", is_flag=True, help="Dispatch what is recorded now, then exit.")
def dispatch(poll_interval: float, rearm: bool, once: bool) -> None:
    """Follow the event log and enqueue the jobs it calls for (the Procfile's `dispatcher`).

    Needs REDIS_URL. Job ids are deterministic, so several dispatchers, or one restarted
    after a crash, enqueue nothing twice. SIGTERM stops it after the batch at hand.
    """
    from workers import dispatcher as dispatching
    from workers.worker import make_queue

    settings = _setup()
    if not settings.redis_url:
        raise click.ClickException(
            "twinning dispatch needs REDIS_URL (the production queue); "
            "in embedded mode `twinning serve` runs the dispatcher itself"
        )
    programme = _open_programme(settings)
    try:
        queue = make_queue(settings.redis_url)
        from web.startup import schema_lock

        with schema_lock(settings):
            opened = dispatching.Dispatcher.open(
                programme,
                queue,
                settings.store_env(),
                reminder_offsets=settings.meeting_reminder_offsets,
                invitation_nudge_after=settings.invitation_nudge_after,
            )
        try:
            if rearm:
                dispatching.rearm(opened)
            if once:
                from domain.followers import Follower

                dispatching.arm_weekly_digest(queue)
                count = Follower(programme, opened).run_once()
                log.info("dispatched %d events; at position %d", count, opened.position())
                return
        finally:
            opened.close()
        log.info("dispatcher: following %s, enqueueing on %s", _store_label(settings), _redact(settings.redis_url))
        with stop_on_signals() as stop:
            dispatching.run_dispatcher(settings, stop, programme=programme, poll_interval=poll_interval)
    finally:
        programme.close()


@cli.command(
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
    from domain.followers import Follower

    settings = _setup()
    programme = _open_programme(settings)
    try:
        read_models = _open_views(settings)
        try:
            followers = [Follower(programme, read_models, logger=logging.getLogger("twinning.projector"))]
            chain = _audit_chain(settings, programme)
            if chain is not None:
                followers.append(Follower(programme, chain, logger=logging.getLogger("twinning.audit")))
            if once:
                counts = [follower.run_once() for follower in followers]
                log.info(
                    "projected %d events into the views (and %s into the audit chain); at position %d",
                    counts[0],
                    counts[1] if len(counts) > 1 else "none",
                    read_models.position(),
                )
                return
            with stop_on_signals() as stop:
                helpers = [
                    threading.Thread(
                        target=f.run, args=(stop, poll_interval), name=f"follower-{f.processor.name}", daemon=True
                    )
                    for f in followers[1:]
                ]
                for thread in helpers:
                    thread.start()
                followers[0].run(stop, poll_interval=poll_interval)
                for thread in helpers:
                    thread.join(30)
        finally:
            read_models.close()
    finally:
        programme.close()


def _audit_chain(settings: Settings, programme: Any) -> Any:
    """The audit chain's processor for this Programme (its table created under the schema lock);
    None in a build without ``domain.audit``."""
    try:
        from domain.audit import audit_chain_for
    except ImportError:
        log.warning("no audit chain in this build: not following the log into it")
        return None
    from web.startup import schema_lock

    with schema_lock(settings):
        return audit_chain_for(programme)


if __name__ == "__main__":
    main()
