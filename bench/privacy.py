"""The cost of encrypting personal data per person: command and catch-up rates with encryption on ÷ off.

    python -m bench.privacy [--store sqlite|postgres|both] [--quick]

"Off" is the Programme with the library's own mapper (as before crypto-shredding); "on" is
the Programme as it is (``domain/privacy/``). Each runs on a store of its own, in
alternating rounds:

(a) commands: ``update_city`` (no personal field: the mapper only looks the event class up)
    and ``create_user`` (name and email encrypted, the new person's data key wrapped and
    stored, the email claim encrypted too);
(b) catch-up over a synthetic log with an officer per city (user, email claim: personal
    events): the raw ``select_notifications`` + decode of every event, and the views
    catching up from zero.
"""

from __future__ import annotations

import argparse
import statistics
import time
from itertools import count

from eventsourcing.persistence import Mapper

from bench import catch_up
from bench.report import Figure, Section, interleaved, quick, rate
from bench.stores import temporary_store
from bench.synthetic import generate_events
from config.settings import persistence_env
from domain.application import Programme
from domain.views import Views

RATIO_TARGET = 0.8


class Unencrypted(Programme):
    """The Programme with the library's mapper: personal fields stored in plain text, as before."""

    name = "Programme"

    def construct_mapper(self) -> Mapper:
        return Mapper(super().construct_mapper().transcoder)


def command_rates(url_on: str, url_off: str, commands: int, rounds: int) -> dict[str, tuple[list[float], list[float]]]:
    apps = {"on": Programme(env=persistence_env(url_on)), "off": Unencrypted(env=persistence_env(url_off))}
    numbers = count()
    try:
        setups = {}
        for key, app in apps.items():
            admin = app.ensure_admin("bench-admin-token-" + "p" * 30)
            city = str(app.register_city(admin, "Rome", "IT", "Europe/Rome", ["smart-city"], ["hydrogen"]).aggregate.id)
            setups[key] = (app, admin, city)

        def updates(key: str) -> float:
            app, admin, city = setups[key]
            started = time.perf_counter()
            for _ in range(commands):
                app.update_city(admin, city, {"description": f"profile revision {next(numbers)}"})
            return commands / (time.perf_counter() - started)

        def registrations(key: str) -> float:
            app, admin, city = setups[key]
            started = time.perf_counter()
            for _ in range(commands):
                n = next(numbers)
                app.create_user(admin, f"Officer {n} of Rome", f"officer{n}@rome.example", "officer", city_id=city)
            return commands / (time.perf_counter() - started)

        for key in apps:  # warm up: connections, statement caches, the admin's key
            updates(key), registrations(key)
        return {
            "update_city": interleaved(lambda: updates("off"), lambda: updates("on"), rounds),
            "create_user": interleaved(lambda: registrations("off"), lambda: registrations("on"), rounds),
        }
    finally:
        for app in apps.values():
            app.close()


def catch_up_rates(url_on: str, url_off: str, events: int, rounds: int) -> dict[str, tuple[float, float, float]]:
    """Both logs generated first, then read and caught up alternately (so slow spells hit both)."""
    envs = {"on": persistence_env(url_on), "off": persistence_env(url_off)}
    apps = {"on": Programme(env=envs["on"]), "off": Unencrypted(env=envs["off"])}
    views = {key: Views(env) for key, env in envs.items()}
    try:
        for app in apps.values():
            generate_events(app, events, officers=True)
        raw: dict[str, list[tuple[float, float]]] = {"on": [], "off": []}
        built: dict[str, list[float]] = {"on": [], "off": []}
        for number in range(rounds):
            for key in ("on", "off") if number % 2 == 0 else ("off", "on"):
                raw[key].append(catch_up.measure_raw(apps[key]))
                built[key].append(catch_up.measure_views(apps[key], views[key], None, rebuild=number > 0)[0])
        return {
            key: (
                statistics.median(r[0] for r in raw[key]),
                statistics.median(built[key]),
                statistics.median(r[1] for r in raw[key]),  # per CPU second of this process: less noisy
            )
            for key in apps
        }
    finally:
        for found in views.values():
            found.close()
        for app in apps.values():
            app.close()


def run(stores: list[str], small: bool | None = None) -> list[Section]:
    small = quick() if small is None else small
    commands, rounds, events = (10, 2, 1_000) if small else (150, 5, 20_000)
    s = Section("Personal data encrypted per person: rates with encryption on ÷ off (medians of alternating rounds)")
    rows = []
    for store in stores:
        with temporary_store(store) as url_on, temporary_store(store) as url_off:
            rates = command_rates(url_on, url_off, commands, rounds)
            caught = catch_up_rates(url_on, url_off, events, rounds)  # the commands' events are in the logs too
        for name, (off, on) in rates.items():
            ratio = statistics.median(o / f for f, o in zip(off, on))
            rows.append(
                [
                    store,
                    f"command {name}",
                    rate(statistics.median(off)),
                    rate(statistics.median(on)),
                    f"**{ratio:.2f}**",
                ]
            )
            s.figures.append(
                Figure(
                    f"{name} encrypted ÷ plain ({store})", f"{ratio:.2f}", f"≥ {RATIO_TARGET}", ratio >= RATIO_TARGET
                )
            )
        for index, label in (
            (0, "read + decode the log"),
            (2, "read + decode the log, per CPU s"),
            (1, "views catch-up"),
        ):
            off, on = caught["off"][index], caught["on"][index]
            rows.append([store, f"{label} ({events:,} events)", rate(off), rate(on), f"**{on / off:.2f}**"])
            s.figures.append(
                Figure(
                    f"{label} encrypted ÷ plain ({store})",
                    f"{on / off:.2f}",
                    f"≥ {RATIO_TARGET}",
                    on / off >= RATIO_TARGET,
                )
            )
    s.table(["store", "what", "off /s", "on /s", "on ÷ off"], rows, "llrrr")
    return [s]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run, figures meaningless")
    args = parser.parse_args(argv)
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    for section in run(stores, args.quick or quick()):
        print(section.render())


if __name__ == "__main__":
    main()
