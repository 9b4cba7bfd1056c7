"""Forms over the Application: the API's own schemas read the input, the domain decides, POST/redirect/GET.

A page's form is read with the same Pydantic model the API's operation takes (``web.schemas``),
so a rule is written once. The text a browser sends is shaped first (lists from repeated
fields, integers from digits, empty optional fields left out), then validated. The command is
run through the Application exactly as the API's blueprint runs it; a refused command is kept
as a message next to the field it names, with everything typed kept, and the page is shown
again. A hidden ``version`` field carries the If-Match of the API: a form read before someone
else's change is stale. A command that succeeds redirects (303) to a page given ``?after=`` its
log position, and that page waits for its views to reach it (``web.api.lists.read_views``), so
what was just done is on the next page at once.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from flask import abort, redirect, request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError

from domain.errors import (
    DomainError,
    InvalidValue,
    NotFound,
    PermissionDenied,
    StaleVersion,
    StoreUnavailable,
)
from web.problems import STATUS_OF_KIND

WHOLE_FORM = ""
_INTEGER = re.compile(r"^[+-]?\d{1,18}$")

# Pydantic's error types, as a person reads them (the API answers Pydantic's own English text).
_MESSAGES: dict[str, Callable[[dict], str]] = {
    "missing": lambda ctx: _("Fill in this field."),
    "string_too_short": lambda ctx: _("Fill in this field."),
    "string_too_long": lambda ctx: _("Use at most %(n)s characters.", n=ctx.get("max_length")),
    "int_parsing": lambda ctx: _("Give a whole number."),
    "int_type": lambda ctx: _("Give a whole number."),
    "greater_than_equal": lambda ctx: _("Give a number of at least %(n)s.", n=ctx.get("ge")),
    "less_than_equal": lambda ctx: _("Give a number of at most %(n)s.", n=ctx.get("le")),
    "uuid_parsing": lambda ctx: _("Choose one of the listed items."),
    "uuid_type": lambda ctx: _("Choose one of the listed items."),
    "date_from_datetime_parsing": lambda ctx: _("Give a date (year-month-day)."),
    "date_parsing": lambda ctx: _("Give a date (year-month-day)."),
    "datetime_from_date_parsing": lambda ctx: _("Give a date and a time."),
    "string_pattern_mismatch": lambda ctx: _("This is not in the expected form."),
    "literal_error": lambda ctx: _("Choose one of the listed values."),
}


@dataclass
class Form:
    """What was typed, what the programme said about it, and the version it was read at."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    stale: bool = False
    version: int | None = None
    aliases: dict[str, str] = field(default_factory=dict)  # schema field -> form control
    answered: int = 422  # the status the API answers for the refusal noted (422 invalid, 409 rule, 412 stale)

    @classmethod
    def posted(cls, **aliases: str) -> Form:
        """The submitted form; ``aliases`` name the control a schema field is typed in (``starts_at="starts_local"``)."""
        values: dict[str, Any] = {}
        for name in request.form:
            if name == "csrf_token":
                continue
            found = request.form.getlist(name)
            values[name] = found if len(found) > 1 else found[0]
        raw = request.form.get("version", "")
        version = int(raw) if _INTEGER.match(raw.strip()) else None
        return cls(values=values, version=version, aliases=aliases)

    @classmethod
    def blank(cls, version: int | None = None, **values: Any) -> Form:
        return cls(values=dict(values), version=version)

    # -- what templates ask --------------------------------------------------------------------

    def value(self, name: str, default: Any = "") -> Any:
        found = self.values.get(name)
        return default if found is None else found

    def chosen(self, name: str) -> list[str]:
        found = self.values.get(name) or []
        return [found] if isinstance(found, str) else list(found)

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    @property
    def refused(self) -> bool:
        return bool(self.errors) or self.stale

    @property
    def status(self) -> int:
        """The answer's status when the form is shown again: as the API would have answered."""
        return 412 if self.stale else self.answered

    # -- reading and running -------------------------------------------------------------------

    def refuse(self, name: str, message: str) -> None:
        self.errors.setdefault(self.aliases.get(name, name), message)

    def validate(self, schema: type[BaseModel], **computed: Any) -> Any | None:
        """The body as the API's schema reads it, or None with the errors noted next to their fields."""
        data = shaped(schema, self.values)
        data.update({k: v for k, v in computed.items() if v is not None})
        try:
            return schema.model_validate(data)
        except ValidationError as error:
            for problem in error.errors():
                name = str(problem["loc"][0]) if problem["loc"] else WHOLE_FORM
                explain = _MESSAGES.get(problem["type"])
                self.refuse(name, explain(problem.get("ctx") or {}) if explain else problem["msg"])
            return None

    def run(self, command: Callable[[], Any], rules: dict[str, str] | None = None) -> Any | None:
        """Run a command of the Application; a refusal becomes a message on the form, a 403 page or a 404 page."""
        try:
            return command()
        except InvalidValue as error:
            self.refuse(error.field, error.message)
        except StaleVersion as error:
            self.stale = True
            self.version = error.actual
            self.errors[WHOLE_FORM] = _(
                "Someone else changed this while you were looking at it. Here is how it stands now: "
                "check it and send the form again."
            )
        except PermissionDenied as error:
            abort(403, error.detail)
        except NotFound as error:
            abort(404, error.detail)
        except StoreUnavailable:
            raise
        except DomainError as error:
            self.answered = STATUS_OF_KIND.get(error.kind, 409)
            self.errors[(rules or {}).get(error.code, WHOLE_FORM)] = error.detail
        return None


def _shape(annotation: Any) -> str:
    """``list``, ``int`` or ``str``: how a field's text is read from a form."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _shape(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        shapes = {_shape(a) for a in typing.get_args(annotation) if a is not type(None)}
        return shapes.pop() if len(shapes) == 1 else "str"
    if origin is list or annotation is list:
        return "list"
    if annotation is int:
        return "int"
    return "str"


def shaped(schema: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """Form text as the JSON the API would have been sent: only the schema's fields, typed by their shape."""
    data: dict[str, Any] = {}
    for name, info in schema.model_fields.items():
        key = info.alias or name
        if key not in values:
            continue
        raw, shape = values[key], _shape(info.annotation)
        if shape == "list":
            items = [raw] if isinstance(raw, str) else list(raw)
            data[key] = [item.strip() for item in items if item.strip()]
            continue
        text = (raw[0] if raw else "") if isinstance(raw, list) else raw
        if not text.strip():
            if info.is_required():
                data[key] = text.strip()
            continue
        data[key] = int(text.strip()) if shape == "int" and _INTEGER.match(text.strip()) else text
    return data


def local_instant(form: Form, name: str, zone_name: str) -> str | None:
    """A ``datetime-local`` control read in a time zone, as RFC 3339 (what the API's ``Instant`` takes).

    A wall-clock time that the zone skips (the spring change) or repeats (the autumn one) is refused
    by name: the person must say which instant they mean."""
    text = str(form.value(name)).strip()
    if not text:
        return None
    try:
        naive = datetime.fromisoformat(text)
        zone = ZoneInfo(zone_name)
    except (ValueError, KeyError):
        form.errors.setdefault(name, _("Give a date and a time."))
        return None
    if naive.tzinfo is not None:
        return naive.isoformat()
    early, late = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if early.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        form.errors.setdefault(
            name, _("This time does not exist in %(zone)s (clocks go forward): pick another.", zone=zone_name)
        )
        return None
    if early.utcoffset() != late.utcoffset():
        form.errors.setdefault(
            name, _("This time happens twice in %(zone)s (clocks go back): pick another.", zone=zone_name)
        )
        return None
    return early.isoformat()


def done(location: str, recorded: Any):
    """POST/redirect/GET: the next page waits for the command's log position (``?after=``), as API lists do."""
    position = getattr(recorded, "position", None)
    if position:
        parts = urlsplit(location)
        query = f"{parts.query}&" if parts.query else ""
        location = urlunsplit(parts._replace(query=query + urlencode({"after": position})))
    return redirect(location, code=303)
