"""What a benchmark answers: a markdown table of its own and lines for the summary table.

Every figure is a ratio against a baseline measured in the same run, or a median of
several runs, because these machines are shared and noisy. Nothing here is asserted
in a test: the summary says whether a target is met, it does not fail.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class Figure:
    """One line of the summary table."""

    figure: str
    measured: str
    target: str
    met: bool | None  # None: not judged (e.g. skipped, or informational)


@dataclass
class Section:
    """One benchmark's table (markdown lines) and its figures."""

    title: str
    lines: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[object]], align: str | None = None) -> None:
        self.lines.append("| " + " | ".join(header) + " |")
        self.lines.append(
            "|"
            + "|".join("---" if (align or "l" * len(header))[i] == "l" else "---:" for i in range(len(header)))
            + "|"
        )
        for row in rows:
            self.lines.append("| " + " | ".join(str(cell) for cell in row) + " |")

    def render(self) -> str:
        parts = [f"### {self.title}", "", *self.lines]
        if self.notes:
            parts += ["", *self.notes]
        return "\n".join(parts) + "\n"


def quick() -> bool:
    """``BENCH_QUICK=1``: everything tiny (a smoke run; the figures mean nothing)."""
    return os.environ.get("BENCH_QUICK", "").strip().lower() not in ("", "0", "no", "false", "off")


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def interleaved(
    first: Callable[[], float], second: Callable[[], float], rounds: int
) -> tuple[list[float], list[float]]:
    """Run ``first`` and ``second`` alternately ``rounds`` times each (so slow spells hit both)."""
    a, b = [], []
    for number in range(rounds):
        if number % 2 == 0:
            a.append(first())
            b.append(second())
        else:
            b.append(second())
            a.append(first())
    return a, b


def rate(value: float) -> str:
    return f"{value:,.0f}"


def yes_no(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "–"}[met]


def summary(sections: Sequence[Section]) -> str:
    lines = ["### Summary", "", "| figure | measured | target | met? |", "|---|---:|---|---|"]
    for section in sections:
        for f in section.figures:
            lines.append(f"| {f.figure} | {f.measured} | {f.target} | {yes_no(f.met)} |")
    return "\n".join(lines) + "\n"
