"""One typed settings object, read from the environment (12-factor).

Entry points (the CLI, gunicorn, the RQ worker) call ``Settings.from_env()`` and hand
the pieces down; ``domain`` never imports this module.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

MODES = ("embedded", "production", "test")
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class SettingsError(ValueError):
    """A setting in the environment cannot be understood; the message names it."""


def parse_duration(text: str, name: str = "duration") -> timedelta:
    """``30s``, ``10m``, ``24h``, ``7d`` → timedelta."""
    match = _DURATION.match(text or "")
    if not match:
        raise SettingsError(f"{name}={text!r}: expected a number and a unit s, m, h or d, e.g. 24h")
    return timedelta(seconds=int(match[1]) * _UNIT_SECONDS[match[2]])


def parse_durations(text: str, name: str) -> tuple[timedelta, ...]:
    return tuple(sorted((parse_duration(part, name) for part in text.split(",") if part.strip()), reverse=True))


def persistence_env(database_url: str, pool_size: int = 5, max_overflow: int | None = None) -> dict[str, str]:
    """Map ``sqlite:///path`` or ``postgresql://user:pw@host:port/db`` to eventsourcing's settings.

    ``pool_size``: the connections a PostgreSQL pool keeps open; ``max_overflow``: how many more it
    may open under load (None: the library's default, 10)."""
    parts = urlsplit(database_url)
    if parts.scheme == "sqlite":
        path = unquote(database_url[len("sqlite:///") :]) if database_url.startswith("sqlite:///") else ""
        if not path:
            raise SettingsError(
                f"TWINNING_DATABASE={database_url!r}: use sqlite:///relative/path.db or sqlite:////abs/path.db"
            )
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path, "SQLITE_LOCK_TIMEOUT": "10"}
    if parts.scheme in ("postgres", "postgresql"):
        dbname = parts.path.lstrip("/")
        if not dbname:
            raise SettingsError(f"TWINNING_DATABASE={database_url!r}: the database name is missing")
        pools = {} if max_overflow is None else {"POSTGRES_MAX_OVERFLOW": str(max_overflow)}
        return pools | {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(dbname),
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": unquote(parts.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parts.password or ""),
            "POSTGRES_POOL_SIZE": str(pool_size),
            "POSTGRES_CONNECT_TIMEOUT": "5",
            "POSTGRES_LOCK_TIMEOUT": "5",
            "POSTGRES_SCHEMA": parse_qs(parts.query).get("schema", [""])[0],
        }
    raise SettingsError(f"TWINNING_DATABASE={database_url!r}: expected sqlite:///… or postgresql://…")


def parse_web_link(value: str | None, name: str) -> str | None:
    """Notifications are POSTed there: an http(s) URL with a host, nothing a browser would run."""
    if value is None:
        return None
    try:
        parts = urlsplit(value)
        scheme, host = parts.scheme.lower(), parts.hostname
    except ValueError:  # an unbalanced IPv6 bracket
        scheme, host = "", None
    if scheme not in ("http", "https") or not host or any(c.isspace() for c in value):
        raise SettingsError(
            f"{name}={value!r}: expected an http:// or https:// URL such as https://hooks.example/twinning"
        )
    return value


def parse_count(text: str, name: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise SettingsError(f"{name}={text!r}: expected a whole number of at least 1")
    return int(text)


def parse_networks(text: str, name: str) -> tuple[str, ...]:
    """Comma-separated addresses or networks, e.g. ``10.0.0.1, 192.168.0.0/16``."""
    found = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            found.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise SettingsError(f"{name}: {part!r} is not an IP address or network") from None
    return tuple(found)


@dataclass(frozen=True)
class Settings:
    mode: str = "embedded"
    var_dir: Path = Path("var")
    database_url: str = "sqlite:///var/twinning.db"
    redis_url: str | None = None
    smtp_url: str | None = None
    admin_token: str | None = None
    secret: str = "change-me"
    meeting_reminder_offsets: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))
    invitation_nudge_after: timedelta = timedelta(days=7)
    require_cross_region: bool = True
    log_level: str = "INFO"
    webhook_url: str | None = None
    mail_from: str | None = None
    # -- operations (issue 17): health, metrics, delivery retries, the bind address, pools --------
    host: str | None = None  # HOST; None: gunicorn binds 0.0.0.0, `twinning serve` 127.0.0.1
    delivery_retry_for: timedelta = timedelta(hours=24)  # DELIVERY_RETRY_FOR
    health_max_lag: timedelta = timedelta(seconds=30)  # HEALTH_MAX_LAG: oldest event a follower has not read
    health_worker_silence: timedelta = timedelta(seconds=45)  # HEALTH_WORKER_SILENCE: heartbeat age of a live worker
    metrics_token: str | None = None  # TWINNING_METRICS_TOKEN; None: /metrics answers only the loopback address
    pool_size: int = 2  # TWINNING_POOL_SIZE: connections each PostgreSQL pool keeps open
    pool_max: int = 3  # TWINNING_POOL_MAX: the most one pool opens (README: the connection budget)
    trusted_proxies: tuple[str, ...] = ()  # peers whose X-Forwarded-For names the client
    auth_failure_limit: int = 20  # failed authentications per address or credential a minute
    public_url: str = "http://127.0.0.1:8000"  # TWINNING_PUBLIC_URL: where people reach the pages (sign-in links)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = dict(os.environ if environ is None else environ)
        mode = env.get("TWINNING_MODE", "embedded")
        if mode not in MODES:
            raise SettingsError(f"TWINNING_MODE={mode!r}: expected one of {', '.join(MODES)}")
        var_dir = Path(env.get("TWINNING_VAR_DIR", "var"))
        settings = cls(
            mode=mode,
            var_dir=var_dir,
            database_url=env.get("TWINNING_DATABASE") or f"sqlite:///{var_dir / 'twinning.db'}",
            redis_url=env.get("REDIS_URL") or None,
            smtp_url=env.get("SMTP_URL") or None,
            admin_token=env.get("TWINNING_ADMIN_TOKEN") or None,
            secret=env.get("TWINNING_SECRET", "change-me"),
            meeting_reminder_offsets=parse_durations(
                env.get("MEETING_REMINDER_OFFSETS", "24h,1h"), "MEETING_REMINDER_OFFSETS"
            ),
            invitation_nudge_after=parse_duration(env.get("INVITATION_NUDGE_AFTER", "7d"), "INVITATION_NUDGE_AFTER"),
            require_cross_region=env.get("TWINNING_REQUIRE_CROSS_REGION", "yes").lower()
            not in ("0", "no", "false", "off"),
            log_level=env.get("TWINNING_LOG_LEVEL", "INFO").upper(),
            webhook_url=parse_web_link(env.get("TWINNING_WEBHOOK_URL") or None, "TWINNING_WEBHOOK_URL"),
            mail_from=env.get("TWINNING_MAIL_FROM") or None,
            **_operations(env),
            trusted_proxies=parse_networks(env.get("TWINNING_TRUSTED_PROXIES", ""), "TWINNING_TRUSTED_PROXIES"),
            auth_failure_limit=parse_count(env.get("TWINNING_AUTH_FAILURE_LIMIT", "20"), "TWINNING_AUTH_FAILURE_LIMIT"),
            public_url=(
                parse_web_link(env.get("TWINNING_PUBLIC_URL") or None, "TWINNING_PUBLIC_URL")
                or f"http://127.0.0.1:{env.get('PORT') or 8000}"
            ).rstrip("/"),
        )
        if mode == "production":
            _refuse_unsafe_production(settings)
        return replace(settings, **overrides) if overrides else settings

    def store_env(self) -> dict[str, str]:
        """The environment handed to the domain's Application: persistence and programme rules."""
        env = persistence_env(self.database_url, self.pool_size, self.pool_max - self.pool_size)
        env["TWINNING_REQUIRE_CROSS_REGION"] = "yes" if self.require_cross_region else "no"
        return env


# -- operations (issue 17) ---------------------------------------------------------------------


def _operations(env: dict[str, str]) -> dict[str, object]:
    return {
        "host": env.get("HOST") or None,
        "delivery_retry_for": parse_duration(env.get("DELIVERY_RETRY_FOR", "24h"), "DELIVERY_RETRY_FOR"),
        "health_max_lag": parse_duration(env.get("HEALTH_MAX_LAG", "30s"), "HEALTH_MAX_LAG"),
        "health_worker_silence": parse_duration(env.get("HEALTH_WORKER_SILENCE", "45s"), "HEALTH_WORKER_SILENCE"),
        "metrics_token": env.get("TWINNING_METRICS_TOKEN") or None,
        **_pools(env),
    }


def _pools(env: dict[str, str]) -> dict[str, int]:
    sizes = {}
    for name, key, default in (("TWINNING_POOL_SIZE", "pool_size", 2), ("TWINNING_POOL_MAX", "pool_max", 3)):
        text = env.get(name, str(default))
        if not text.strip().isdigit() or int(text) < 1:
            raise SettingsError(f"{name}={text!r}: expected a whole number of connections, at least 1")
        sizes[key] = int(text)
    if sizes["pool_max"] < sizes["pool_size"]:
        raise SettingsError(
            f"TWINNING_POOL_MAX={sizes['pool_max']} is below TWINNING_POOL_SIZE={sizes['pool_size']}: "
            "a pool cannot hold fewer connections than it keeps open"
        )
    return sizes


def _refuse_unsafe_production(settings: Settings) -> None:
    """Production mode refuses what would fail quietly later: mail written to files, a guessable
    secret, a store that one process at a time can write."""
    if settings.secret == "change-me":
        raise SettingsError("TWINNING_SECRET must be set in production mode")
    if not settings.smtp_url:
        raise SettingsError("SMTP_URL must be set in production mode (without it mail is only written to files)")
    if urlsplit(settings.database_url).scheme not in ("postgres", "postgresql"):
        raise SettingsError("TWINNING_DATABASE must be a postgresql://… database in production mode")
