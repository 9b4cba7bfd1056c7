"""Field types built from the domain's own rules: years, text and names as patterns, emails.

Each pattern is written with ``\\xHH``/``\\uHHHH`` classes only, so one text means the same in
ECMA-262 (clients), Python ``re`` (schemathesis) and Rust regex (pydantic, which enforces it here).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictStr

from domain.application.users import EMAIL_PATTERN
from domain.limits import MAX_EMAIL, MAX_LOCATION, MAX_NAME, MAX_TEXT, MAX_YEAR, MIN_YEAR
from domain.values import CONTROL_CHARACTERS, INVISIBLE_CHARACTERS, LINE_BREAKS, SPACE_CHARACTERS


def _numbers_between(low: int, high: int) -> str:
    """A regex alternation matching exactly the whole numbers low..high of one digit count (the years)."""
    blocks: list[tuple[str, int]] = []  # (fixed leading digits, count of free trailing digits)
    number = low
    while number <= high:
        free = 0
        while number % 10 ** (free + 1) == 0 and number + 10 ** (free + 1) - 1 <= high:
            free += 1
        blocks.append((str(number)[: len(str(number)) - free], free))
        number += 10**free
    parts: list[tuple[str, int, str]] = []
    for lead, free in blocks:  # 1900, 1901 … 1909 as 190[0-9]: neighbours differing in their last fixed digit
        if parts and parts[-1][1] == free and parts[-1][0][:-1] == lead[:-1] and lead[-1] == chr(ord(parts[-1][2]) + 1):
            parts[-1] = (parts[-1][0], free, lead[-1])
        else:
            parts.append((lead, free, lead[-1]))
    return "|".join(
        (lead if last == lead[-1] else f"{lead[:-1]}[{lead[-1]}-{last}]") + r"\d" * free for lead, free, last in parts
    )


YEARS = f"(?:{_numbers_between(MIN_YEAR, MAX_YEAR)})"
DATE_PATTERN = f"^{YEARS}-[0-9]{{2}}-[0-9]{{2}}$"
INSTANT_PATTERN = f"^{YEARS}-[0-9]{{2}}-[0-9]{{2}}[Tt ][0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}(\\.[0-9]{{1,9}})?([Zz]|[+-][0-9]{{2}}:[0-9]{{2}})$"
# Text as the domain takes it (domain.values.check_text / check_name), stated as patterns: no control
# characters; a required text has a visible character; a name is one line without invisible characters.
_TEXT_CHARACTER = f"[^{CONTROL_CHARACTERS}]"
_NAME_CHARACTER = f"[^{CONTROL_CHARACTERS}{LINE_BREAKS}{INVISIBLE_CHARACTERS}]"
_VISIBLE = f"[^{CONTROL_CHARACTERS}{SPACE_CHARACTERS}{INVISIBLE_CHARACTERS}]"
TEXT_PATTERN = f"^{_TEXT_CHARACTER}*$"
REQUIRED_TEXT_PATTERN = f"^{_TEXT_CHARACTER}*{_VISIBLE}{_TEXT_CHARACTER}*$"
NAME_PATTERN = f"^{_NAME_CHARACTER}*{_VISIBLE}{_NAME_CHARACTER}*$"
Text = Annotated[
    StrictStr, Field(max_length=MAX_TEXT, pattern=TEXT_PATTERN, description=f"text, at most {MAX_TEXT} characters")
]
RequiredText = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=MAX_TEXT,
        pattern=REQUIRED_TEXT_PATTERN,
        description=f"text that is not blank, at most {MAX_TEXT} characters",
    ),
]
Name = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=MAX_NAME,
        pattern=NAME_PATTERN,
        description=f"one line that is not blank, at most {MAX_NAME} characters",
    ),
]
Location = Annotated[StrictStr, Field(max_length=MAX_LOCATION, pattern=TEXT_PATTERN)]
Email = Annotated[
    StrictStr, Field(max_length=MAX_EMAIL, pattern=EMAIL_PATTERN, description="an email address, e.g. f@iuc.example")
]
