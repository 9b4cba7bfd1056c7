"""The views read the log lean and decode it themselves: the same events as the library's, on both stores."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from domain.storage.log import lean_reader
from domain.views.codec import instant
from domain.views.decoding import event_decoder


def test_the_lean_reader_and_the_views_decoder_give_the_librarys_events(cast):
    app = cast.programme
    rome, yantai = cast.city("rome"), cast.city("yantai")
    app.update_city(cast.officer("rome"), rome, {"local_name": "Roma", "population": 2_800_000})
    proposal = app.propose_partnership(
        cast.officer("rome"), "Urban agriculture research", rome, [yantai], ["urban-agriculture"]
    ).aggregate
    app.accept_invitation(cast.officer("yantai"), str(proposal.id), yantai)
    # A value spelled like the transcoder's marker, and an event with a second transcoded value (its
    # start): both are decoded the long way, with the object hook, and still as the library's.
    app.add_stakeholder(cast.officer("rome"), rome, '"_type_"', "research")
    app.add_stakeholder(cast.officer("rome"), rome, "_type_", "research")
    starts = (datetime.now(ZoneInfo("Europe/Rome")) + timedelta(days=30)).replace(
        hour=8, minute=0, second=0, microsecond=0
    )
    app.schedule_meeting(cast.facilitator, "Kick-off in Rome", "online", starts, 90, [rome, yantai])
    head = app.recorder.max_notification_id()

    read, decode = lean_reader(app.recorder), event_decoder(app.mapper)
    assert read is not None
    library = app.recorder.select_notifications(start=1, limit=head)
    lean = read(1, head)
    assert [(n.id, n.originator_id, n.originator_version, n.topic, n.state) for n in library] == [
        tuple(r) for r in lean
    ]
    for notification, record in zip(library, lean, strict=True):
        ours, theirs = decode(record), app.mapper.to_domain_event(notification)
        assert type(ours) is type(theirs)
        assert vars(ours) == vars(theirs)
        assert str(ours.originator_id) == str(theirs.originator_id)
        assert hash(ours.originator_id) == hash(theirs.originator_id)
        assert instant(ours.timestamp) == instant(theirs.timestamp)
        # Arithmetic on a kept timestamp gives a time of its own, told afresh.
        later = ours.timestamp + timedelta(minutes=90)
        assert instant(later) == instant(theirs.timestamp + timedelta(minutes=90))

    # Bounds as the library's: from a start, at most a limit.
    assert [r.id for r in read(3, 2)] == [n.id for n in app.recorder.select_notifications(start=3, limit=2)]
    assert read(head + 1, 10) == []
