"""The oversight figures as an A4 PDF (ReportLab), for a meeting.

The first page names the tenant and the period, with the totals, the monthly trend
chart and the follow-up and finish rates per regency/city; then the regencies and
cities (keaktifan), the agencies' ranking, the channels, the topics, the months, and
what each figure means. Every page says "Halaman N dari M" (page N of M).

Text is set in Bitstream Vera, the TrueType family ReportLab ships (so no system font
is needed), embedded in the file: Indonesian text, and any Latin-1 name, renders and
can be copied or searched. ReportLab is imported when a PDF is made, not when the
gateway starts.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from io import BytesIO
from typing import Any

from gateway.oversight.figures import Oversight
from gateway.oversight.report_tables import (
    COUNT_FIELDS,
    RATE_FIELDS,
    TIME_FIELDS,
    Lang,
    Table,
    breakdowns,
    definitions,
    heading,
    label,
    local_now,
    month_label,
    number,
    period_label,
    summary,
    summary_kinds,
)

MEDIA_TYPE = "application/pdf"
FONT = "GatewayVera"
BOLD = "GatewayVera-Bold"
#: the trend chart's series and the rates chart's, by figure
COLOURS = {
    "received": "#4472C4",
    "followed_up": "#ED7D31",
    "finished": "#70AD47",
    "follow_up_rate": "#ED7D31",
    "finish_rate": "#70AD47",
}


@cache
def _fonts() -> None:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    # found on ReportLab's own font path (reportlab/fonts)
    pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, "VeraBd.ttf"))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, BOLD)
    addMapping(FONT, 0, 1, FONT)
    addMapping(FONT, 1, 1, BOLD)


def pdf_bytes(o: Oversight, lang: Lang = "id", now: datetime | None = None) -> bytes:
    """The report, as the bytes of a PDF file: A4, the first and last pages portrait, the
    breakdowns' wide tables on landscape pages."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        NextPageTemplate,
        PageBreak,
        PageTemplate,
        Spacer,
    )

    _fonts()
    now = now or local_now(o.zone)
    styles = _styles()
    out = BytesIO()
    title = f"{label(lang, 'title')}: {o.tenant_name}, {period_label(o, lang)}"
    margin, foot = 14 * mm, 16 * mm
    doc = BaseDocTemplate(
        out,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=foot,
        title=title,
        author=o.tenant_name,
        subject=label(lang, "title"),
        lang="id-ID" if lang == "id" else "en",
    )
    templates = []
    for name, size in (("portrait", A4), ("landscape", landscape(A4))):
        frame = Frame(margin, foot, size[0] - 2 * margin, size[1] - margin - foot, id=name)
        templates.append(PageTemplate(id=name, frames=[frame], pagesize=size))
    doc.addPageTemplates(templates)
    width = A4[0] - 2 * margin
    wide = A4[1] - 2 * margin
    story: list[Any] = [
        _para(label(lang, "title"), styles["title"]),
        _para(o.tenant_name, styles["tenant"]),
        _para(f"{label(lang, 'period')}: {period_label(o, lang)}", styles["subtitle"]),
        Spacer(1, 2 * mm),
        _pairs(heading(o, lang, now), width, styles),
        Spacer(1, 4 * mm),
        _para(label(lang, "summary"), styles["h2"]),
        _totals(o, lang, width, styles),
        Spacer(1, 4 * mm),
        _para(label(lang, "trend_chart"), styles["h2"]),
        _trend_chart(o, lang, width),
    ]
    if o.by_region:
        story += [
            Spacer(1, 3 * mm),
            _para(label(lang, "rates_chart"), styles["h2"]),
            _rates_chart(o, lang, width),
        ]
    story.append(NextPageTemplate("landscape"))
    for table in breakdowns(o, lang):
        story += [PageBreak(), _para(table.title, styles["h2"])]
        story.append(_grid(table, (*COUNT_FIELDS, *RATE_FIELDS, "active"), lang, wide, styles))
        story += [
            Spacer(1, 4 * mm),
            _para(f"{table.title}: {label(lang, 'timing')}", styles["h3"]),
            _grid(table, TIME_FIELDS, lang, wide, styles),
        ]
    terms = definitions(o, lang)
    story += [NextPageTemplate("portrait"), PageBreak(), _para(terms.title, styles["h2"])]
    story += [
        _para(f"<b>{_escape(str(term))}</b>: {_escape(str(text))}", styles["body"])
        for term, text in terms.rows
    ]
    doc.build(story, canvasmaker=_numbered(lang, title))
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _para(text: str, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(text if "<b>" in text else _escape(text), style)


def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=11.5)
    return {
        "body": ParagraphStyle("body", base, spaceAfter=4),
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=16, leading=20),
        "tenant": ParagraphStyle("tenant", base, fontName=BOLD, fontSize=13, leading=17),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=11, leading=14),
        "h2": ParagraphStyle("h2", base, fontName=BOLD, fontSize=11, leading=14, spaceAfter=4),
        "h3": ParagraphStyle("h3", base, fontName=BOLD, fontSize=9.5, leading=12, spaceAfter=3),
        "cell": ParagraphStyle("cell", base, fontSize=7, leading=8.5),
        "head": ParagraphStyle("head", base, fontName=BOLD, fontSize=6.5, leading=8),
    }


def _style(header_rows: int = 1) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import TableStyle

    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("FONTSIZE", (0, 0), (-1, -1), 7.5),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#A6A6A6")),
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#DCE6F1")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("ROWBACKGROUNDS", (0, header_rows), (-1, -1), [colors.white, "#F5F7FA"]),
        ]
    )


def _pairs(pairs: list[tuple[str, str]], width: float, styles: dict[str, Any]) -> Any:
    from reportlab.platypus import Table as Grid

    rows = [[_para(k, styles["head"]), _para(v, styles["cell"])] for k, v in pairs]
    grid = Grid(rows, colWidths=[width * 0.3, width * 0.7])
    grid.setStyle(_style(0))
    return grid


def _totals(o: Oversight, lang: Lang, width: float, styles: dict[str, Any]) -> Any:
    """The totals two figures a line, to keep them on the first page."""
    from reportlab.platypus import Table as Grid

    totals = summary(o, lang)
    cells = [
        (str(name), number(value, kind, lang))
        for (name, value), kind in zip(totals.rows, summary_kinds(), strict=True)
    ]
    rows = []
    for i in range(0, len(cells), 2):
        line: list[Any] = []
        for name, value in cells[i : i + 2]:
            line += [_para(name, styles["cell"]), value]
        rows.append(line + [""] * (4 - len(line)))
    grid = Grid(rows, colWidths=[width * 0.34, width * 0.16] * 2)
    style = _style(0)
    style.add("ALIGN", (1, 0), (1, -1), "RIGHT")
    style.add("ALIGN", (3, 0), (3, -1), "RIGHT")
    style.add("FONTNAME", (1, 0), (1, -1), BOLD)
    style.add("FONTNAME", (3, 0), (3, -1), BOLD)
    grid.setStyle(style)
    return grid


def _grid(
    table: Table, fields: tuple[str, ...], lang: Lang, width: float, styles: dict[str, Any]
) -> Any:
    """``table``'s leading columns (rank, name, code) and those of ``fields``."""
    from reportlab.platypus import Table as Grid

    lead = [i for i, c in enumerate(table.columns) if c.key in ("rank", "name", "month")]
    shown = lead + [i for i, c in enumerate(table.columns) if c.key in fields]
    head = [_para(table.columns[i].label, styles["head"]) for i in shown]
    body = [
        [
            _para(str(line[i]), styles["cell"])
            if table.columns[i].kind == "text"
            else number(line[i], table.columns[i].kind, lang)
            for i in shown
        ]
        for line in table.rows
    ]
    rank = 1 if table.columns[0].key == "rank" else 0
    rank_width = 44.0  # "Peringkat" in the header
    name_width = width * (0.34 if len(shown) - rank <= 7 else 0.2)
    rest = (width - name_width - rank * rank_width) / (len(shown) - 1 - rank)
    widths = [rank_width] * rank + [name_width] + [rest] * (len(shown) - 1 - rank)
    grid = Grid([head, *body], colWidths=widths, repeatRows=1)
    style = _style()
    style.add("ALIGN", (rank + 1, 1), (-1, -1), "RIGHT")
    grid.setStyle(style)
    return grid


def _trend_chart(o: Oversight, lang: Lang, width: float) -> Any:
    """Received, followed up and finished per month (bars)."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    height = 190.0
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 36, 42
    chart.width, chart.height = width - 50, height - 62
    keys = ("received", "followed_up", "finished")
    months = list(o.monthly)
    chart.data = [[getattr(m.counts, k) for m in months] or [0] for k in keys]
    chart.categoryAxis.categoryNames = [month_label(m.key, m.label, lang) for m in months] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    top = max((max(series) for series in chart.data), default=0)
    chart.valueAxis.valueMax = max(top * 1.1, 1)
    chart.valueAxis.labelTextFormat = lambda v: number(int(v), "int", lang)
    chart.groupSpacing = 6
    for i, key in enumerate(keys):
        chart.bars[i].fillColor = colors.HexColor(COLOURS[key])
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 40, height - 6
    legend.fontName, legend.fontSize = FONT, 7.5
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.dx = legend.dy = 7
    legend.deltax = 95
    legend.colorNamePairs = [(colors.HexColor(COLOURS[k]), label(lang, k)) for k in keys]
    drawing.add(legend)
    return drawing


def _rates_chart(o: Oversight, lang: Lang, width: float) -> Any:
    """The follow-up and the finish rate of each regency and city (horizontal bars, %)."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    rows = list(o.by_region)
    # a province of 35 regencies and cities (Jawa Tengah) still fits on one page
    row_height = min(22.0, 640.0 / max(len(rows), 1))
    height = 40 + row_height * len(rows)
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = width * 0.38, 18
    chart.width, chart.height = width * 0.58, height - 40
    keys = ("follow_up_rate", "finish_rate")
    # the first row on top: the category axis runs bottom-up
    ordered = list(reversed(rows))
    chart.data = [[_hundred(getattr(r.counts, k)) for r in ordered] for k in keys]
    chart.categoryAxis.categoryNames = [_short(r.name, 48) for r in ordered]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.barLabelFormat = lambda v: percent_label(v, lang)
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 6
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    for i, key in enumerate(keys):
        chart.bars[i].fillColor = colors.HexColor(COLOURS[key])
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width * 0.38, height - 4
    legend.fontName, legend.fontSize = FONT, 7.5
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.dx = legend.dy = 7
    legend.deltax = 130
    legend.colorNamePairs = [(colors.HexColor(COLOURS[k]), label(lang, k)) for k in keys]
    drawing.add(legend)
    return drawing


def _hundred(rate: float | None) -> float | None:
    return None if rate is None else 100 * rate


def percent_label(value: float | None, lang: Lang) -> str:
    if value is None:
        return label(lang, "none")
    text = f"{value:.1f}"
    return f"{text.replace('.', ',')} %" if lang == "id" else f"{text}%"


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _numbered(lang: Lang, title: str) -> Any:
    """A canvas that writes "Halaman N dari M" and the report's title at each page's foot
    (it keeps the pages until the last, to know M)."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    class Numbered(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # ReportLab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(FONT, 7.5)
                self.setFillGray(0.35)
                page = label(lang, "page").format(page=self._pageNumber, pages=total)
                self.drawRightString(self._pagesize[0] - 14 * mm, 8 * mm, page)
                self.drawString(14 * mm, 8 * mm, _short(title, 95))
                super().showPage()
            super().save()

    return Numbered
