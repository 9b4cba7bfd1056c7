"""Bar charts drawn on the server as SVG geometry: the template writes the <svg>, no script involved."""

from __future__ import annotations

from dataclasses import dataclass

LABEL_WIDTH = 190
BAR_AREA = 300
VALUE_WIDTH = 50
ROW = 26
BAR = 18
TOP = 6


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int  # top of the row
    length: int  # pixels; at least 1 for a non-zero value so that it can be seen


@dataclass(frozen=True)
class Chart:
    key: str  # unique within the page: the ids of its <title> and <desc>
    title: str
    description: str
    bars: list[Bar]
    width: int = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR

    @property
    def height(self) -> int:
        return TOP * 2 + ROW * max(1, len(self.bars))

    @property
    def total(self) -> int:
        return sum(b.value for b in self.bars)


def bar_chart(key: str, title: str, description: str, figures: list[tuple[str, int]]) -> Chart:
    """Horizontal bars scaled to the largest figure (a chart of zeros draws no bars)."""
    top = max((value for _, value in figures), default=0)
    bars = []
    for index, (label, value) in enumerate(figures):
        length = 0 if top == 0 else max(1 if value else 0, round(BAR_AREA * value / top))
        bars.append(Bar(label=label, value=int(value), y=TOP + index * ROW, length=length))
    return Chart(key=key, title=title, description=description, bars=bars)
