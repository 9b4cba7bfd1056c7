"""The audit chain against direct edits of the database, on SQLite and PostgreSQL.

Each test tells a short story through the Programme, chains it (the ``audit-chain``
follower), then edits the stored events table itself (``stored_events`` in SQLite,
``programme_events`` in PostgreSQL) as an intruder with database access would, and
asks ``verify`` which event is the first one that is no longer as recorded.
"""

from __future__ import annotations

import hashlib
import sqlite3
import struct
import uuid
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from domain.audit import (
    ZERO_HASH,
    AuditChain,
    canonical,
    catch_up_chain,
    chain_head,
    link,
    parse_head,
    verify_programme,
)
from domain.errors import InvalidValue

# -- an intruder's view of the database ------------------------------------------------------------


class Intruder:
    """Direct SQL on the store's tables, bypassing the Programme (and the chain's guards, when asked)."""

    def __init__(self, programme, database_url: str) -> None:
        self.postgres = database_url.startswith("postgres")
        self.events = programme.recorder.events_table_name
        self.pos = "notification_id" if self.postgres else "rowid"
        if self.postgres:
            import psycopg

            parts = urlsplit(database_url)
            self.conn = psycopg.connect(
                host=parts.hostname,
                port=parts.port or 5432,
                user=parts.username,
                dbname=parts.path.lstrip("/"),
                autocommit=True,
            )
            schema = parse_qs(parts.query)["schema"][0]
            self.conn.execute(f'SET search_path TO "{schema}"')
        else:
            self.conn = sqlite3.connect(database_url[len("sqlite:///") :], timeout=10, isolation_level=None)

    def close(self) -> None:
        self.conn.close()

    def sql(self, text: str, params: tuple = ()) -> list[tuple]:
        text = text.replace("?", "%s") if self.postgres else text
        cursor = self.conn.execute(text, params)
        return cursor.fetchall() if cursor.description else []

    def _id(self, value):
        """An originator id as the store keeps it (SQLite: hex text; PostgreSQL: uuid)."""
        value = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
        return value if self.postgres else value.hex

    def positions(self) -> list[int]:
        return [r[0] for r in self.sql(f"SELECT {self.pos} FROM {self.events} ORDER BY {self.pos}")]

    def record(self, position: int) -> tuple[uuid.UUID, int, str, bytes]:
        oid, version, topic, state = self.sql(
            f"SELECT originator_id, originator_version, topic, state FROM {self.events} WHERE {self.pos} = ?",
            (position,),
        )[0]
        return (oid if isinstance(oid, uuid.UUID) else uuid.UUID(oid)), version, topic, bytes(state)

    def set_state(self, position: int, state: bytes) -> None:
        self.sql(f"UPDATE {self.events} SET state = ? WHERE {self.pos} = ?", (state, position))

    def flip_one_byte(self, position: int) -> None:
        """Change one letter of the stored state (the JSON stays well-formed: a quiet forgery)."""
        state = bytearray(self.record(position)[3])
        index = next(i for i in range(len(state) // 2, len(state)) if chr(state[i]).isalpha())
        state[index] = ord("x") if state[index] != ord("x") else ord("y")
        self.set_state(position, bytes(state))

    def delete(self, position: int) -> None:
        self.sql(f"DELETE FROM {self.events} WHERE {self.pos} = ?", (position,))

    def insert(self, oid: uuid.UUID, version: int, topic: str, state: bytes, position: int | None = None) -> int:
        if position is None:
            self.sql(
                f"INSERT INTO {self.events} (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)",
                (self._id(oid), version, topic, state),
            )
        else:
            self.sql(
                f"INSERT INTO {self.events} ({self.pos}, originator_id, originator_version, topic, state)"
                " VALUES (?, ?, ?, ?, ?)",
                (position, self._id(oid), version, topic, state),
            )
        return self.sql(f"SELECT MAX({self.pos}) FROM {self.events}")[0][0] if position is None else position

    def swap_rows(self, p: int, q: int) -> None:
        """Exchange the events at two positions (their ids, versions, topics and states)."""
        a, b = self.record(p), self.record(q)
        parked = uuid.uuid4()
        self.sql(f"UPDATE {self.events} SET originator_id = ? WHERE {self.pos} = ?", (self._id(parked), p))
        for position, (oid, version, topic, state) in ((q, a), (p, b)):
            self.sql(
                f"UPDATE {self.events} SET originator_id = ?, originator_version = ?, topic = ?, state = ?"
                f" WHERE {self.pos} = ?",
                (self._id(oid), version, topic, state, position),
            )

    def drop_chain_guards(self) -> None:
        if self.postgres:
            self.sql("DROP TRIGGER IF EXISTS audit_chain_no_change ON audit_chain")
            self.sql("DROP TRIGGER IF EXISTS audit_chain_no_truncate ON audit_chain")
        else:
            self.sql("DROP TRIGGER IF EXISTS audit_chain_no_update")
            self.sql("DROP TRIGGER IF EXISTS audit_chain_no_delete")

    def rewrite_chain(self) -> None:
        """Recompute the whole chain table for the store as it now is (a careful intruder)."""
        self.drop_chain_guards()
        self.sql("DELETE FROM audit_chain")
        previous = ZERO_HASH
        for position in self.positions():
            oid, version, topic, state = self.record(position)
            previous = link(previous, position, oid, version, topic, state)
            self.sql(
                "INSERT INTO audit_chain (position, originator_id, originator_version, hash) VALUES (?, ?, ?, ?)",
                (position, str(oid), version, previous),
            )
        self.sql(
            "UPDATE programme_tracking SET notification_id = ? WHERE application_name = 'audit-chain'"
            if self.postgres
            else "UPDATE tracking SET notification_id = ? WHERE application_name = 'audit-chain'",
            (max(self.positions()),),
        )


@pytest.fixture
def story(cast):
    """The cast (users, cities) plus a partnership, a session and an MoU: a few dozen events."""
    app, rome, yantai = cast.programme, cast.city("rome"), cast.city("yantai")
    pid = str(app.propose_partnership(cast.officer("rome"), "Urban agriculture", rome, [yantai]).aggregate.id)
    app.accept_invitation(cast.officer("yantai"), pid, yantai)
    app.adopt_action_plan(cast.facilitator, pid, "Joint research agenda", date(2020, 11, 16))
    app.draft_agreement(
        cast.officer("yantai"),
        "Universities MoU",
        "mou",
        [{"name": "Yantai University", "city_id": yantai}, {"name": "Tuscia University", "city_id": rome}],
        ["urban-agriculture"],
    )
    return cast


@pytest.fixture
def intruder(story, database_url):
    found = Intruder(story.programme, database_url)
    yield found
    found.close()


def middle(positions: list[int]) -> int:
    return positions[len(positions) // 2]


# -- the untouched log -------------------------------------------------------------------------------


def test_an_untouched_log_verifies(story, intruder):
    app = story.programme
    result = verify_programme(app)
    positions = intruder.positions()
    assert result.ok and result.first_bad is None
    assert result.events_checked == len(positions) and result.unchained == 0
    assert result.head.position == positions[-1]
    # Chained once: running the follower again changes nothing.
    assert catch_up_chain(app) == 0
    assert chain_head(app) == result.head
    # The head is what an auditor keeps: POSITION:HASH, and it proves the log up to it.
    kept = str(result.head)
    assert parse_head(kept) == result.head
    assert verify_programme(app, head=kept).anchor == {
        "position": result.head.position,
        "hash": result.head.hex,
        "matches": True,
    }


def test_new_events_are_chained_before_verifying(story, intruder):
    app = story.programme
    before = chain_head(app)
    app.update_city(story.officer("rome"), story.city("rome"), {"description": "Capital of Italy"})
    result = verify_programme(app, head=str(before))
    assert result.ok and result.unchained == 0
    assert result.head.position == intruder.positions()[-1] > before.position
    # Without catching up first, the new event is reported as not chained yet (not a failure).
    app.update_city(story.officer("rome"), story.city("rome"), {"description": "Roma"})
    lagging = verify_programme(app, catch_up=False)
    assert lagging.ok and lagging.unchained == 1


def test_the_chain_is_the_documented_hash_of_the_stored_bytes(story, intruder):
    positions = intruder.positions()
    previous = ZERO_HASH
    for position in positions:
        oid, version, topic, state = intruder.record(position)
        encoded = (
            struct.pack(">QQIII", position, version, 16, len(topic.encode()), len(state))
            + oid.bytes
            + topic.encode()
            + state
        )
        assert canonical(position, oid, version, topic, state) == encoded
        previous = hashlib.sha256(previous + encoded).digest()
    assert chain_head(story.programme).hash == previous


def test_a_malformed_head_is_refused(story):
    for bad in ("12", "x:00", "3:" + "0" * 63, "-1:" + "0" * 64):
        with pytest.raises(InvalidValue):
            verify_programme(story.programme, head=bad)


# -- edits of the store --------------------------------------------------------------------------------


def test_one_changed_byte_is_named(story, intruder):
    app = story.programme
    chain_head(app)
    positions = intruder.positions()
    target = middle(positions)
    oid, version, _, _ = intruder.record(target)
    intruder.flip_one_byte(target)
    result = verify_programme(app)
    assert not result.ok
    assert result.first_bad.to_dict() == {
        "position": target,
        "originator_id": str(oid),
        "version": version,
        "problem": "changed",
    }
    assert result.events_checked == positions.index(target)


def test_a_deleted_event_is_named(story, intruder):
    app = story.programme
    chain_head(app)
    target = middle(intruder.positions())
    oid, version, _, _ = intruder.record(target)
    intruder.delete(target)
    result = verify_programme(app)
    assert not result.ok
    assert result.first_bad.to_dict() == {
        "position": target,
        "originator_id": str(oid),
        "version": version,
        "problem": "removed",
    }


def test_the_last_event_deleted_is_named(story, intruder):
    app = story.programme
    chain_head(app)
    target = intruder.positions()[-1]
    intruder.delete(target)
    result = verify_programme(app)
    assert (result.first_bad.position, result.first_bad.problem) == (target, "removed")


def test_two_events_swapped_are_named_as_reordered(story, intruder):
    app = story.programme
    chain_head(app)
    positions = intruder.positions()
    first, second = positions[len(positions) // 3], positions[2 * len(positions) // 3]
    original = intruder.record(first)
    intruder.swap_rows(first, second)
    result = verify_programme(app)
    assert not result.ok
    assert result.first_bad.to_dict() == {
        "position": first,
        "originator_id": str(original[0]),
        "version": original[1],
        "problem": "reordered",
    }


def test_two_states_swapped_are_named_as_changed(story, intruder):
    app = story.programme
    chain_head(app)
    positions = intruder.positions()
    first, second = positions[len(positions) // 3], positions[2 * len(positions) // 3]
    a, b = intruder.record(first), intruder.record(second)
    intruder.set_state(first, b[3])
    intruder.set_state(second, a[3])
    result = verify_programme(app)
    assert (result.first_bad.position, result.first_bad.problem) == (first, "changed")


def test_an_event_slipped_into_a_gap_below_the_head_is_named_as_inserted(story, intruder):
    """A gap in the ids (PostgreSQL skips the ids of rolled-back transactions; here made by hand)."""
    app = story.programme
    oid, version, topic, state = intruder.record(intruder.positions()[0])
    placeholder = intruder.insert(uuid.uuid4(), 1, topic, state)
    app.update_city(story.officer("rome"), story.city("rome"), {"description": "Capital of Italy"})
    intruder.delete(placeholder)  # the gap
    chain_head(app)
    assert verify_programme(app).ok
    intruder.insert(uuid.uuid4(), 1, topic, state, position=placeholder)
    result = verify_programme(app)
    assert not result.ok
    assert (result.first_bad.position, result.first_bad.problem) == (placeholder, "inserted")


def test_a_chain_row_removed_from_the_table_is_found(story, intruder):
    app = story.programme
    chain_head(app)
    target = middle(intruder.positions())
    intruder.drop_chain_guards()
    intruder.sql("DELETE FROM audit_chain WHERE position = ?", (target,))
    result = verify_programme(app)
    assert (result.first_bad.position, result.first_bad.problem) == (target, "inserted")


def test_the_chain_table_refuses_updates_and_deletes(story, intruder):
    chain_head(story.programme)
    for statement in (
        "UPDATE audit_chain SET hash = ? WHERE position = 1",
        "DELETE FROM audit_chain WHERE position = ?",
    ):
        params = (b"\0" * 32,) if statement.startswith("UPDATE") else (1,)
        with pytest.raises(Exception, match="append-only"):
            intruder.sql(statement, params)
    assert verify_programme(story.programme).ok


# -- an intruder who rewrites the chain table too: the kept head ---------------------------------------


def test_a_rewritten_store_and_chain_pass_plain_verify_but_not_the_kept_head(story, intruder):
    app = story.programme
    kept = str(chain_head(app))
    positions = intruder.positions()
    target = middle(positions)
    intruder.flip_one_byte(target)
    intruder.rewrite_chain()

    plain = verify_programme(app)
    assert plain.ok, plain  # the chain table now agrees with the forged store

    anchored = verify_programme(app, head=kept)
    assert not anchored.ok
    assert anchored.anchor == {"position": parse_head(kept).position, "hash": parse_head(kept).hex, "matches": False}
    # The kept head says only that something at or before it changed: it names its own position.
    assert (anchored.first_bad.position, anchored.first_bad.problem) == (positions[-1], "changed")


def test_a_rewritten_chain_is_caught_at_the_kept_head_before_later_events(story, intruder):
    app = story.programme
    kept = chain_head(app)
    app.update_city(story.officer("rome"), story.city("rome"), {"description": "Capital of Italy"})
    chain_head(app)
    intruder.delete(middle(intruder.positions()[:-1]))  # an event before the kept head
    intruder.rewrite_chain()
    assert verify_programme(app).ok
    result = verify_programme(app, head=str(kept))
    assert (result.first_bad.position, result.first_bad.problem) == (kept.position, "changed")


def test_events_forged_after_the_kept_head_cannot_be_vouched_for_by_it(story, intruder):
    """What a head proves: everything up to it. An event appended after it is a new event to the head."""
    app = story.programme
    kept = chain_head(app)
    oid, version, topic, state = intruder.record(intruder.positions()[-1])
    forged = intruder.insert(uuid.uuid4(), 1, topic, state)

    # Not chained yet: reported as unchained, the kept head still holds.
    unchained = verify_programme(app, head=str(kept), catch_up=False)
    assert unchained.ok and unchained.unchained == 1 and unchained.anchor["matches"]
    assert unchained.head == kept

    # Chained by the intruder as well: both verifications pass, and the head proves only the
    # prefix up to itself (the forged event lies after it).
    intruder.rewrite_chain()
    result = verify_programme(app, head=str(kept))
    assert result.ok and result.anchor["matches"] and result.head.position == forged > kept.position


def test_a_kept_head_beyond_a_truncated_store_is_named_as_removed(story, intruder):
    app = story.programme
    kept = chain_head(app)
    intruder.delete(kept.position)
    intruder.rewrite_chain()
    result = verify_programme(app, head=str(kept))
    assert (result.first_bad.position, result.first_bad.problem) == (kept.position, "removed")


def test_the_chain_is_kept_in_the_stores_own_database(story, intruder):
    chain_head(story.programme)
    rows = intruder.sql("SELECT COUNT(*) FROM audit_chain")[0][0]
    assert rows == len(intruder.positions())
    assert AuditChain(story.programme).position() == intruder.positions()[-1]
