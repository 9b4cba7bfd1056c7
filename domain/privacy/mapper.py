"""The mapper that encrypts each person's fields under their own key (crypto-shredding).

eventsourcing's own cipher encrypts whole events under one key per application, so an
erasure could not be told from a lost key, and ids, versions and topics would be hidden
too. This mapper changes only the fields ``domain.privacy.fields`` declares: each is
replaced in the stored state by ``{"__pd__": [subject, base64(nonce ‖ AES-GCM ciphertext)]}``
under the subject's data key, with the subject as associated data. Everything else is
stored as the library stores it, so the audit chain (which hashes the stored bytes),
as-of reads and views are unchanged.

Reading: an envelope opens to a ``Personal`` string; a subject whose key was deleted
(erased) reads as their pseudonym; a plain value (an event written before this mapper)
reads as itself, or as the pseudonym once its subject is erased. Snapshots of aggregates
holding personal data are walked: every ``Personal`` value in their state is encrypted in
the same way.
"""

from __future__ import annotations

import json
import os
import sys
from base64 import b64decode, b64encode
from typing import Any

from eventsourcing.domain import Snapshot
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from domain.privacy.fields import PERSONAL_FIELDS
from domain.privacy.keys import KeyRing, KeyTableLost
from domain.privacy.personal import Personal, is_pseudonym, pseudonym, saw

ENVELOPE = "__pd__"
MARK = b'"' + ENVELOPE.encode() + b'"'  # how an encrypted field shows in a stored state's bytes
NONCE_BYTES = 12


def _owner(event_class: type) -> type:
    owner = sys.modules[event_class.__module__]
    for part in event_class.__qualname__.split(".")[:-1]:
        owner = getattr(owner, part)
    return owner  # type: ignore[return-value]


PERSONAL_TOPICS: dict[str, dict[str, str]] = {get_topic(cls): spec for cls, spec in PERSONAL_FIELDS.items()}
HOLDER_TOPICS = frozenset(get_topic(_owner(cls)) for cls in PERSONAL_FIELDS)


class PersonalDataMapper(Mapper):
    def __init__(self, transcoder: Any, keys: KeyRing, compressor: Any = None, cipher: Any = None) -> None:
        super().__init__(transcoder, compressor, cipher)
        self.keys = keys

    # -- writing ---------------------------------------------------------------------------

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        spec = PERSONAL_FIELDS.get(type(domain_event))
        snapshot = spec is None and isinstance(domain_event, Snapshot) and domain_event.topic in HOLDER_TOPICS
        if spec is None and not snapshot:
            return super().to_stored_event(domain_event)
        event_state = dict(vars(domain_event))
        originator_id = event_state.pop("originator_id")
        originator_version = event_state.pop("originator_version")
        if spec is not None:
            for field, attribute in spec.items():
                if field in event_state:
                    subject = originator_id if attribute == "originator_id" else event_state.get(attribute)
                    event_state[field] = self.seal(str(subject), event_state[field])
        else:
            event_state["state"] = self._seal_all(event_state["state"])
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            event_state["class_version"] = class_version
        stored_state = self.transcoder.encode(event_state)
        if self.compressor:
            stored_state = self.compressor.compress(stored_state)
        if self.cipher:
            stored_state = self.cipher.encrypt(stored_state)
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=get_topic(type(domain_event)),
            state=stored_state,
        )

    def seal(self, subject: str, value: Any) -> Any:
        if value is None or is_pseudonym(value):
            return value
        cipher = self.keys.cipher(subject, create=True)
        if cipher is None:  # erased: nothing of theirs is written again
            return pseudonym(subject)
        saw(subject)
        nonce = os.urandom(NONCE_BYTES)
        sealed = nonce + cipher.encrypt(
            nonce, json.dumps(str(value) if isinstance(value, Personal) else value).encode(), subject.encode()
        )
        return {ENVELOPE: [subject, b64encode(sealed).decode("ascii")]}

    def _seal_all(self, value: Any) -> Any:
        if isinstance(value, Personal):
            return self.seal(value.subject, value)
        if isinstance(value, dict):
            return {k: self._seal_all(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._seal_all(v) for v in value]
        return value

    # -- reading ---------------------------------------------------------------------------

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        domain_event = super().to_domain_event(stored_event)
        spec = PERSONAL_TOPICS.get(stored_event.topic)
        if spec is not None:
            state = domain_event.__dict__
            for field, attribute in spec.items():
                if field in state:
                    state[field] = self.open(state[field], str(state[attribute]))
        elif isinstance(domain_event, Snapshot) and domain_event.topic in HOLDER_TOPICS:
            domain_event.__dict__["state"] = self._open_all(domain_event.state)
        return domain_event

    def open(self, value: Any, subject: str | None = None) -> Any:
        if isinstance(value, dict) and ENVELOPE in value:
            subject, blob = value[ENVELOPE]
            cipher = self.keys.cipher(subject, create=False)
            if cipher is None:
                if self.keys.is_erased(subject):
                    return pseudonym(subject)
                raise KeyTableLost(
                    f"no data key for {subject}, whose personal data the log holds encrypted, and no erasure "
                    "of them is recorded: the personal-data key table was lost or damaged; restore it from a backup"
                )
            raw = b64decode(blob)
            plain = json.loads(cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], subject.encode()))
            saw(subject)
            return Personal(plain, subject) if isinstance(plain, str) else plain
        if value is None or subject is None or isinstance(value, Personal):
            return value
        if self.keys.is_erased(subject):  # written in plain text before encryption: not shown once erased
            return pseudonym(subject)
        saw(subject)
        return Personal(value, subject) if isinstance(value, str) else value

    def _open_all(self, value: Any) -> Any:
        if isinstance(value, dict):
            if ENVELOPE in value:
                return self.open(value)
            return {k: self._open_all(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._open_all(v) for v in value]
        return value

    def subject_of(self, topic: str, state: dict[str, Any], originator_id: Any) -> dict[str, str]:
        """For a decoded state of a personal event: its personal fields and their subjects."""
        spec = PERSONAL_TOPICS.get(topic, {})
        return {
            field: str(originator_id if attribute == "originator_id" else state.get(attribute))
            for field, attribute in spec.items()
        }
