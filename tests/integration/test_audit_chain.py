"""The chain's follower on both stores: two followers at once chain every event exactly once;
the as-of reports find the log's prefix recorded by an instant."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from domain.audit import AuditChain, ReportsAsOf, chain_head, last_position_at, verify_programme
from domain.followers import Follower
from tests.support.cast import build_programme


def test_two_followers_chain_every_event_once(cast, database_url):
    app = cast.programme
    other = build_programme(database_url)  # a second process, say: its own connections
    stop = threading.Event()
    followers = [
        Follower(app, AuditChain(app), batch_size=7),
        Follower(other, AuditChain(other), batch_size=11),
    ]
    threads = [threading.Thread(target=f.run, args=(stop, 0.005), daemon=True) for f in followers]
    try:
        for thread in threads:
            thread.start()
        rome, yantai = cast.city("rome"), cast.city("yantai")
        for n in range(15):
            pid = str(app.propose_partnership(cast.officer("rome"), f"Partnership {n}", rome, [yantai]).aggregate.id)
            app.accept_invitation(cast.officer("yantai"), pid, yantai)
        end = app.recorder.max_notification_id()
        assert all(f.wait_for(end, 5) for f in followers)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    try:
        result = verify_programme(other, catch_up=False)
        assert result.ok and result.unchained == 0 and result.events_checked == end
        assert chain_head(app) == chain_head(other) == result.head and result.head.position == end
        rows = AuditChain(app).table.hashes(1, end, end + 10)
        assert [position for position, _ in rows] == list(range(1, end + 1))
    finally:
        other.close()


def test_the_prefix_recorded_by_an_instant(cast):
    app = cast.programme
    positions, instants = [], []
    for n in range(5):
        time.sleep(0.005)
        instants.append(datetime.now(UTC))  # recording times are the library's own (now)
        time.sleep(0.005)
        positions.append(app.update_city(cast.officer("rome"), cast.city("rome"), {"description": f"v{n}"}).position)
    assert last_position_at(app, instants[0]) == positions[0] - 1
    assert last_position_at(app, instants[3]) == positions[2]
    assert last_position_at(app, datetime.now(UTC)) == positions[-1]
    assert last_position_at(app, datetime(2000, 1, 1, tzinfo=UTC)) == 0

    reports = ReportsAsOf(app)
    city, position = reports.ask(instants[2], lambda views: views.city(cast.city("rome")))
    assert position == positions[1] and city["description"] == "v1"
    city, position = reports.ask(instants[4], lambda views: views.city(cast.city("rome")))
    assert position == positions[3] and city["description"] == "v3"  # the same copy, moved on
    city, position = reports.ask(instants[1], lambda views: views.city(cast.city("rome")))
    assert position == positions[0] and city["description"] == "v0"  # rebuilt
    reports.close()
