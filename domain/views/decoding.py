"""The views' decoding of stored events: the library's, without the work the views would undo.

The library's mapper (``to_domain_event``) parses each timestamp into a datetime that the
views then format back into the same text (``codec.instant``), and goes through two
Python-level JSON wrappers per event. The views' decoder builds the same event objects
(the event's class, its upcasting, every field) with timestamps as ``codec.Stamp``: a
datetime that remembers its stored text, so ``instant`` returns it unformatted. The JSON
is scanned by the C scanner directly. Stores with a cipher or a compressor, or another
transcoder, are decoded by the library's mapper, and so are the events that hold personal
data (``domain.privacy``): their fields are opened by the personal-data mapper.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import (
    JSONTranscoder,
    Mapper,
    MapperDeserialisationError,
    TranscodingNotRegisteredError,
    find_id_convertor,
)
from eventsourcing.utils import resolve_topic

from domain.privacy.mapper import PERSONAL_TOPICS, PersonalDataMapper
from domain.views.codec import stamp

Decode = Callable[[Any], Any]


def event_decoder(mapper: Mapper) -> Decode:
    """How to decode a notification for the views: ``mapper.to_domain_event``, or the lighter equivalent."""
    transcoder, slow = mapper.transcoder, mapper.to_domain_event
    if mapper.cipher or mapper.compressor or type(transcoder) is not JSONTranscoder:
        return slow
    if type(mapper) is not Mapper and not isinstance(mapper, PersonalDataMapper):
        return slow
    personal = PERSONAL_TOPICS if isinstance(mapper, PersonalDataMapper) else {}
    transcodings = {name: t.decode for name, t in transcoder.names.items()}
    transcodings["datetime_iso"] = stamp

    def hook(d: dict[str, Any]) -> Any:
        if len(d) == 2 and "_type_" in d and "_data_" in d:
            try:
                return transcodings[d["_type_"]](d["_data_"])
            except KeyError:
                raise TranscodingNotRegisteredError(f"no transcoding named {d['_type_']!r}") from None
        return d

    scan = json.JSONDecoder(object_hook=hook).scan_once
    # Most events transcode one value, their timestamp: the C scanner alone builds their state
    # (no Python call per JSON object), and the one value is turned into a Stamp here.
    plain_scan = json.JSONDecoder().scan_once
    datetime_iso = transcoder.names.get("datetime_iso")

    def parse(text: str, raw: bytes) -> Any:
        if datetime_iso is not None and raw.count(b'"_type_"') == 1:
            state, _end = plain_scan(text, 0)
            if type(state) is dict:
                ts = state.get("timestamp")
                if type(ts) is dict and len(ts) == 2 and ts.get("_type_") == "datetime_iso" and "_data_" in ts:
                    state["timestamp"] = stamp(ts["_data_"])
                    return state
        return scan(text, 0)[0]

    classes: dict[tuple[str, type], tuple[type, int, Callable[[Any], Any]]] = {}
    new, setattr_ = object.__new__, object.__setattr__

    def decode(notification: Any) -> Any:
        topic, originator_id = notification.topic, notification.originator_id
        if topic in personal:
            return slow(notification)
        found = classes.get((topic, type(originator_id)))
        if found is None:
            cls = resolve_topic(topic)
            convert = find_id_convertor(cls, type(originator_id))
            found = classes[topic, type(originator_id)] = (cls, getattr(cls, "class_version", 1), convert)
        cls, class_version, convert = found
        raw = notification.state
        try:
            state = parse(raw.decode("utf8"), raw)
        except Exception:
            # the library's own error, naming the event
            return mapper.to_domain_event(notification)
        if type(state) is not dict:
            raise MapperDeserialisationError(f"stored event {notification.id}: state is not a JSON object")
        state["originator_id"] = convert(originator_id)
        state["originator_version"] = notification.originator_version
        from_version = state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        event = new(cls)
        setattr_(event, "__dict__", state)
        return event

    return decode
