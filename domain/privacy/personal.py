"""A personal value: a string that knows whose it is, and the pseudonym that replaces it once erased.

Values read from the store through the personal-data mapper arrive as ``Personal`` strings
carrying their data subject (a user id), so that whatever keeps them (an aggregate's state,
then a snapshot of it) can be encrypted again under the same person's key. They are
ordinary strings everywhere else (equality, JSON, templates).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

ERASED = "erased person"
ERASED_ZH = "已删除的人员"

# The subjects whose personal values a unit of work (a request) read or wrote, when it asks to know.
_SEEN: ContextVar[set[str] | None] = ContextVar("twinning_personal_subjects_seen", default=None)


class Personal(str):
    """A string with its data subject (``subject``: the id of the person it is about)."""

    subject: str

    def __new__(cls, value: str, subject: str) -> Personal:
        made = super().__new__(cls, value)
        made.subject = subject
        return made

    def __reduce__(self) -> tuple:
        return (Personal, (str(self), self.subject))


def pseudonym(subject: str) -> str:
    """What every answer shows instead of an erased person's data: stable per person, naming nothing."""
    return f"{ERASED} {str(subject)[:8]}"


def is_pseudonym(value: object) -> bool:
    return isinstance(value, str) and value.startswith(ERASED + " ")


def saw(subject: str) -> None:
    seen = _SEEN.get()
    if seen is not None:
        seen.add(subject)


def watch_subjects() -> set[str]:
    """From now on in this context (a request's thread), collect the subjects read or written, into the set returned."""
    seen: set[str] = set()
    _SEEN.set(seen)
    return seen


def stop_watching() -> None:
    _SEEN.set(None)


@contextmanager
def watching_subjects() -> Iterator[set[str]]:
    """Collect the subjects whose personal data is read or written inside the block (e.g. one request)."""
    seen: set[str] = set()
    token = _SEEN.set(seen)
    try:
        yield seen
    finally:
        _SEEN.reset(token)
