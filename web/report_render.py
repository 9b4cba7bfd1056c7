"""The funder's report as CSV rows and as a PDF (WeasyPrint, from an HTML template with inline SVG charts)."""

from __future__ import annotations

import csv
import io
import logging
import shutil
import subprocess
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from jinja2 import Environment, PackageLoader, select_autoescape

# Lists of records in the report: each record is a CSV row group, labelled by this field.
LABELS = {"indicators.items": "name", "regions": "region", "progress_review": "project", "clusters": "name"}
COLOURS = ("#1f6f8b", "#99a8b2", "#e6a400", "#c0392b", "#2e8b57", "#7d5ba6")
# DejaVu ships with the machine; a CJK font is used when one is installed (fc-list :lang=zh).
FONTS = '"DejaVu Sans", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif'

log = logging.getLogger(__name__)
_cjk: list[bool] = []


def cjk_font_installed() -> bool:
    """Whether fontconfig knows a font with Simplified Chinese glyphs (asked once per process).

    Without one, Chinese text would print as empty boxes, so the PDF leaves its Chinese
    title out rather than show them."""
    if not _cjk:
        found = False
        if shutil.which("fc-list"):
            listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=10)
            found = bool(listed.stdout.strip())
        if not found:
            log.warning(
                "no font with Chinese glyphs is installed (fc-list :lang=zh): the PDF report is in English only"
            )
        _cjk.append(found)
    return _cjk[0]


# The section titles in Simplified Chinese, shown beside the English ones when a Chinese font is installed.
ZH = {
    "Funder's report": "资助方报告",
    "Pairings by stage": "结对阶段",
    "Action plans (UCAPs)": "城市合作行动计划",
    "Actions on time": "按期完成的行动",
    "Indicators against targets": "指标与目标",
    "Sessions held and participants": "已举行的会议与参与人数",
    "Feedback outcomes": "反馈结果",
    "MoUs in force": "生效的谅解备忘录",
    "Pilot projects and milestones": "试点项目与里程碑",
    "Themes and SDGs covered": "涵盖的主题与可持续发展目标",
    "Per region": "按地区",
    "Per cluster": "按集群",
    "Progress review": "进展回顾",
}

_env = Environment(loader=PackageLoader("web", "templates"), autoescape=select_autoescape(["html"]))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return "; ".join(_text(v) for v in value)
    return str(value)


def _flatten(section: str, value: Any, prefix: str = "") -> list[tuple[str, str, str, str]]:
    """(section, item, metric, value) rows: nested figures get dotted metric names."""
    path = f"{section}.{prefix}".rstrip(".")
    if isinstance(value, dict):
        rows: list[tuple[str, str, str, str]] = []
        for key, inner in value.items():
            rows += _flatten(section, inner, f"{prefix}{key}.")
        return rows
    if isinstance(value, list) and value and isinstance(value[0], dict):
        label = LABELS.get(path, "id")
        rows = []
        for record in value:
            item = _text(record.get(label))
            for key, inner in record.items():
                if isinstance(inner, dict):
                    rows += [(section, item, f"{key}.{k}", _text(v)) for k, v in inner.items()]
                elif key != label:
                    rows.append((section, item, key, _text(inner)))
        return rows
    return [(section, "", prefix.rstrip("."), _text(value))]


def report_csv(report: dict[str, Any], sections: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(("section", "item", "metric", "value"))
    writer.writerow(("report", "", "as_of", _text(report["as_of"])))
    writer.writerow(("report", "", "programme_id", _text(report["programme_id"])))
    for section in sections:
        writer.writerows(_flatten(section, report[section]))
    return out.getvalue()


def bar_chart(title: str, bars: list[tuple[str, float]], unit: str = "") -> str:
    """A horizontal bar chart as SVG markup: one bar per (label, value), scaled to the largest."""
    width, left, row = 520, 170, 22
    height = 28 + row * max(1, len(bars))
    top = max([v for _, v in bars] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img"'
        f" aria-label={quoteattr(title)}>",
        f'<text x="0" y="14" font-size="12" font-weight="bold">{escape(title)}</text>',
    ]
    for n, (label, value) in enumerate(bars):
        y = 24 + n * row
        length = (width - left - 60) * (value / top)
        parts += [
            f'<text x="0" y="{y + 13}" font-size="10">{escape(label)}</text>',
            f'<rect x="{left}" y="{y}" width="{length:.1f}" height="16" fill="{COLOURS[n % len(COLOURS)]}"/>',
            f'<text x="{left + length + 4:.1f}" y="{y + 13}" font-size="10">{escape(_text(value))}{escape(unit)}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


def _charts(report: dict[str, Any]) -> dict[str, str]:
    stages = report["pairings"]["by_status"]
    actions = report["actions"]
    milestones = report["milestones"]
    indicators = report["indicators"]["items"]
    return {
        "pairings": bar_chart("Pairings by stage", [(k, v) for k, v in stages.items()]),
        "actions": bar_chart(
            "Actions as of the report date",
            [(k.replace("_", " "), actions[k]) for k in ("done_on_time", "done_late", "overdue", "open", "dropped")],
        ),
        "milestones": bar_chart(
            "Pilot project milestones",
            [(k.replace("_", " "), milestones[k]) for k in ("achieved_on_time", "achieved_late", "overdue", "planned")],
        ),
        "indicators": bar_chart(
            "Indicators: progress from baseline to target",
            [(i["name"], i["progress_percent"] or 0.0) for i in indicators],
            unit=" %",
        ),
    }


def report_html(report: dict[str, Any], chinese: bool | None = None) -> str:
    """The report as HTML; ``chinese``: add the Chinese titles (default: when a Chinese font is installed)."""
    chinese = cjk_font_installed() if chinese is None else chinese

    def title(english: str) -> str:
        return f"{english} · {ZH[english]}" if chinese else english

    return _env.get_template("funder_report.html").render(
        report=report, charts=_charts(report), text=_text, fonts=FONTS, chinese=chinese, zh=ZH, title=title
    )


def report_pdf(report: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported on first use: it loads pango and harfbuzz

    return HTML(string=report_html(report)).write_pdf()
