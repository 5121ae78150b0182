"""The hospital report as a PDF: the figures of ``Statistics`` on printable pages.

Every text goes through a ``FontBook`` (see ``fonts``), so names in any script print with
embedded fonts. Tables hold Paragraphs in columns that add up to the page width, so long
names wrap inside their cells. Totals come from ``Statistics.total``, never re-added here, so
the PDF says what the screen and the CSV say. The page machinery (header, "Page N of M"
footer) is shared with the doctor's printable week (``week_pdf``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from hospital_desktop.core.domain.values import WEEKDAYS, AppointmentStatus
from hospital_desktop.core.reports import figures
from hospital_desktop.core.reports.figures import Figures, Statistics
from hospital_desktop.core.reports.fonts import FontBook

NONE = "—"  # what a figure that cannot be computed shows
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
RULE = colors.HexColor("#9aa5b1")
HEAD_FILL = colors.HexColor("#e4e7eb")
STRIPE = colors.HexColor("#f5f7fa")

STATUS_COLOURS = {
    AppointmentStatus.FULFILLED: colors.HexColor("#2f855a"),
    AppointmentStatus.CANCELLED: colors.HexColor("#dd6b20"),
    AppointmentStatus.NOSHOW: colors.HexColor("#c53030"),
    AppointmentStatus.BOOKED: colors.HexColor("#3182ce"),
    AppointmentStatus.ARRIVED: colors.HexColor("#805ad5"),
    AppointmentStatus.CHECKED_IN: colors.HexColor("#6b46c1"),
    AppointmentStatus.PROPOSED: colors.HexColor("#a0aec0"),
    AppointmentStatus.PENDING: colors.HexColor("#718096"),
    AppointmentStatus.WAITLIST: colors.HexColor("#b7791f"),
    AppointmentStatus.ENTERED_IN_ERROR: colors.HexColor("#4a5568"),
}
OTHER_COLOUR = colors.HexColor("#a0aec0")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

MARGIN = 18 * mm
HEADER_SPACE = 12 * mm
FOOTER_SPACE = 12 * mm

_FALLBACK_DEFINITIONS = (
    "The period is a range of local dates in the hospital's zone, both ends included.",
    "Counted: every appointment of the period except those entered in error and those "
    "rescheduled away.",
    "Served: fulfilled appointments only; a patient seen twice counts once.",
    "No-show rate: no-shows / (fulfilled + no-shows). Cancellation rate: cancellations / "
    "counted appointments.",
    "Late cancellation: cancelled less than 24 hours before the appointment's start.",
    "Fees billed, payer coverage and patient share: of fulfilled appointments.",
    "Utilisation: booked minutes over the minutes of the doctors' timetables in the period.",
)


# --- formatting ------------------------------------------------------------------------------


def money(cents: int) -> str:
    """Integer cents as '1,234.56' (no currency sign: the app keeps no currency)."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    return f"{sign}{units:,}.{rest:02d}"


def percent(rate: float | None) -> str:
    return NONE if rate is None else f"{rate * 100:.1f}%"


def count(value: int) -> str:
    return f"{value:,}"


def satisfaction(figures_: Figures, with_word: bool = True) -> str:
    if figures_.average_satisfaction is None:
        return NONE
    ratings = f"{figures_.ratings:,} rating{'' if figures_.ratings == 1 else 's'}"
    if not with_word:
        ratings = f"{figures_.ratings:,}"
    return f"{figures_.average_satisfaction:.1f} ({ratings})"


def local_time(moment: datetime, time_zone: str) -> str:
    """A timestamp as the hospital's wall clock reads it, with the zone's abbreviation."""
    if moment.tzinfo is not None:
        with suppress(ZoneInfoNotFoundError, ValueError):  # an unknown zone: print as is
            moment = moment.astimezone(ZoneInfo(time_zone))
    zone = moment.tzname() or ""
    return f"{moment:%Y-%m-%d %H:%M} {zone}".strip()


def month_label(month: str) -> str:
    """'2026-03' as 'Mar 2026' (fixed English, whatever the machine's locale)."""
    try:
        year, number = month.split("-")
        return f"{_MONTHS[int(number) - 1]} {year}"
    except (ValueError, IndexError):
        return month


# --- styles and the page machinery (shared with week_pdf) -------------------------------------


@dataclass(frozen=True, slots=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    bullet: ParagraphStyle


def make_styles(book: FontBook, cell_size: float = 8.5) -> Styles:
    regular, bold = book.font_name(), book.font_name(bold=True)

    def style(name: str, size: float, font: str = regular, **extra: Any) -> ParagraphStyle:
        extra.setdefault("leading", size * 1.3)
        extra.setdefault("textColor", INK)
        # Soft hyphens in labels ("Appoint\u00adments") are where a narrow header may break.
        extra.setdefault("embeddedHyphenation", 1)
        return ParagraphStyle(name, fontName=font, fontSize=size, bulletFontName=regular, **extra)

    return Styles(
        body=style("body", 9.5, spaceAfter=4),
        small=style("small", 8, textColor=MUTED),
        title=style("title", 26, bold, leading=32, spaceAfter=10),
        subtitle=style("subtitle", 16, regular, leading=21, spaceAfter=6),
        # keepWithNext would carry a whole table over to the next page; a CondPageBreak
        # before each heading keeps it from being left alone at the bottom instead.
        h1=style("h1", 15, bold, spaceBefore=10, spaceAfter=8),
        h2=style("h2", 11.5, bold, spaceBefore=10, spaceAfter=5),
        cell=style("cell", cell_size, alignment=TA_LEFT),
        cell_right=style("cell_right", cell_size, alignment=TA_RIGHT),
        bullet=style("bullet", 9, leftIndent=12, bulletIndent=2, spaceAfter=3),
    )


def para(book: FontBook, text: str, style: ParagraphStyle, bold: bool = False) -> Paragraph:
    """Plain text (any script) as a Paragraph."""
    return Paragraph(book.markup(text, bold), style)


@dataclass(frozen=True, slots=True)
class PageDecor:
    """What every page carries: a header from ``header_from_page`` on, and the footer."""

    header_left: str
    header_right: str
    footer_left: str
    header_from_page: int = 2


class NumberedCanvas(Canvas):
    """Holds pages back until the end, so each footer can say 'Page N of M'."""

    def __init__(self, *args: Any, decorate: Callable[[Canvas, int, int], None], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._held_pages: list[dict[str, Any]] = []
        self._decorate = decorate

    def showPage(self) -> None:
        self._held_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held_pages)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            self._decorate(self, number, total)
            Canvas.showPage(self)
        Canvas.save(self)


def _decorator(
    book: FontBook, decor: PageDecor, pagesize: tuple[float, float], margin: float
) -> Callable[[Canvas, int, int], None]:
    width, height = pagesize
    inner = width - 2 * margin

    def decorate(canvas: Canvas, number: int, total: int) -> None:
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.setFillColor(MUTED)
        if number >= decor.header_from_page:
            y = height - margin + 4 * mm
            right = book.fit(decor.header_right, inner * 0.45, 8.5)
            left_room = inner - book.width(right, 8.5) - 8 * mm
            book.draw(
                canvas, margin, y, book.fit(decor.header_left, left_room, 8.5, True), 8.5, True
            )
            book.draw(canvas, width - margin, y, right, 8.5, align="right")
            canvas.line(margin, y - 2.5 * mm, width - margin, y - 2.5 * mm)
        y = margin - 8 * mm
        canvas.line(margin, y + 4 * mm, width - margin, y + 4 * mm)
        page = f"Page {number} of {total}"
        book.draw(canvas, width - margin, y, page, 8, align="right")
        room = inner - book.width(page, 8) - 8 * mm
        book.draw(canvas, margin, y, book.fit(decor.footer_left, room, 8), 8)
        canvas.restoreState()

    return decorate


def build_pdf(
    out: Path | BinaryIO,
    story: list[Flowable],
    book: FontBook,
    decor: PageDecor,
    *,
    pagesize: tuple[float, float] = A4,
    margin: float = MARGIN,
    title: str = "",
    author: str = "",
    subject: str = "",
) -> None:
    """Lay the story out on pages with the header and footer, and write the PDF."""
    target: str | BinaryIO = str(out) if isinstance(out, Path) else out
    width, height = pagesize
    doc = BaseDocTemplate(
        target,
        pagesize=pagesize,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin + HEADER_SPACE - 6 * mm,
        bottomMargin=margin + FOOTER_SPACE - 6 * mm,
        title=title,
        author=author,
        subject=subject,
        creator="Hospital Desktop",
        initialFontName=book.font_name(),  # else the canvas starts in (unembedded) Helvetica
    )
    frame = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        width - doc.leftMargin - doc.rightMargin,
        height - doc.topMargin - doc.bottomMargin,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    decorate = _decorator(book, decor, pagesize, margin)

    def canvasmaker(*args: Any, **kwargs: Any) -> NumberedCanvas:
        return NumberedCanvas(*args, decorate=decorate, **kwargs)

    doc.build(story, canvasmaker=canvasmaker)


def data_table(
    book: FontBook,
    styles: Styles,
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    widths: Sequence[float],
    *,
    total: Sequence[str] | None = None,
    numeric_from: int = 1,
) -> Table:
    """A table of Paragraphs: text columns wrap, numbers align right, the total is bold."""

    def cell(text: str, column: int, bold: bool = False) -> Paragraph:
        style = styles.cell_right if column >= numeric_from else styles.cell
        return para(book, text, style, bold)

    data = [[cell(text, i, True) for i, text in enumerate(header)]]
    data += [[cell(text, i) for i, text in enumerate(row)] for row in rows]
    if total is not None:
        data.append([cell(text, i, True) for i, text in enumerate(total)])
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), book.font_name(), styles.cell.fontSize),  # not Helvetica
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
        ("LINEBELOW", (0, 0), (-1, 0), 0.75, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    last_body = -2 if total is not None else -1
    if len(data) > (2 if total is not None else 1):
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, last_body), [colors.white, STRIPE]))
    if total is not None:
        commands.append(("LINEABOVE", (0, -1), (-1, -1), 0.75, RULE))
    table = Table(data, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table


def message(book: FontBook, styles: Styles, text: str) -> Paragraph:
    return para(book, text, styles.small)


def nice_scale(top: int) -> tuple[int, int]:
    """A whole-number tick step and axis maximum for values up to ``top``."""
    raw = max(top / 5, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return int(step), int(max(step, math.ceil(top / step) * step))


# --- the report ------------------------------------------------------------------------------


def render_hospital_report(stats: Statistics, out: Path | BinaryIO) -> None:
    """Write the report of ``stats`` as a PDF to a path or a binary file object."""
    book = FontBook(_variable_texts(stats))
    styles = make_styles(book)
    width = A4[0] - 2 * MARGIN
    when = local_time(stats.generated_at, stats.time_zone)
    story: list[Flowable] = []
    story += _title_page(stats, book, styles, when)
    story += _summary(stats, book, styles, width)
    story += _status_table(stats, book, styles, width)
    story += _financials(stats, book, styles, width)
    story += _services(stats, book, styles, width)
    story += _doctors(stats, book, styles, width)
    story += _charts(stats, book, styles, width)
    story += _definitions(book, styles)
    decor = PageDecor(
        header_left=stats.hospital_name,
        header_right=stats.period.describe(),
        footer_left=f"Generated {when} by {stats.generated_by}",
    )
    build_pdf(
        out,
        story,
        book,
        decor,
        title=f"{_kind(stats)}: {stats.subject}, {stats.period.describe()}",
        author=stats.generated_by,
        subject=stats.hospital_name,
    )


def _variable_texts(stats: Statistics) -> list[str]:
    """Every text of the report that is not a fixed English label: one subset per face."""
    texts = [stats.hospital_name, stats.subject, stats.generated_by, stats.time_zone]
    texts += [row.label for row in stats.by_service + stats.by_doctor]
    return texts


def _kind(stats: Statistics) -> str:
    return "Doctor report" if stats.doctor_id is not None else "Hospital report"


def _title_page(stats: Statistics, book: FontBook, styles: Styles, when: str) -> list[Flowable]:
    story: list[Flowable] = [Spacer(1, 50 * mm)]
    story.append(para(book, stats.hospital_name, styles.title, bold=True))
    story.append(para(book, _kind(stats), styles.subtitle))
    if stats.doctor_id is not None or stats.subject != stats.hospital_name:
        story.append(para(book, stats.subject, styles.subtitle))
    story.append(Spacer(1, 10 * mm))
    lines = (
        ("Period", stats.period.describe()),
        ("Time zone", stats.time_zone),
        ("Generated", f"{when} by {stats.generated_by}"),
    )
    for label, value in lines:
        story.append(
            Paragraph(book.markup(f"{label}: ", bold=True) + book.markup(value), styles.body)
        )
    story.append(Spacer(1, 6 * mm))
    story.append(
        message(
            book,
            styles,
            "Times are the hospital's local time. Amounts are in the hospital's currency. "
            "How each figure is counted is explained at the end of the report.",
        )
    )
    story.append(PageBreak())
    return story


def _summary(stats: Statistics, book: FontBook, styles: Styles, width: float) -> list[Flowable]:
    total = stats.total
    due = total.fulfilled + total.no_shows
    days = ", ".join(f"{WEEKDAYS[d]} ({stats.by_weekday[d]:,})" for d in stats.busiest_days[:3])
    hours = ", ".join(
        f"{h:02d}:00–{(h + 1) % 24:02d}:00 ({stats.by_hour[h]:,})" for h in stats.busiest_hours[:3]
    )
    if total.timetable_minutes:
        booked = (
            f"{total.booked_minutes / 60:,.1f} h booked of {total.timetable_minutes / 60:,.1f} h "
            "in the doctors' timetables"
        )
    else:
        booked = "no timetabled hours in the period"
    rows = [
        ("Appointments", count(total.appointments), "counted appointments of the period"),
        ("Fulfilled", count(total.fulfilled), "appointments that took place"),
        ("Patients served", count(total.patients_served), "each patient once"),
        ("New patients", count(stats.new_patients), "first appointment falls in the period"),
        ("No-shows", count(total.no_shows), ""),
        (
            "No-show rate",
            percent(total.no_show_rate),
            f"of appointments due: fulfilled + no-shows ({due:,})",
        ),
        ("Cancellations", count(total.cancelled), ""),
        (
            "Cancellation rate",
            percent(total.cancellation_rate),
            f"of counted appointments ({total.appointments:,})",
        ),
        (
            "Late cancellations",
            count(total.late_cancellations),
            f"cancelled under {figures.LATE_CANCELLATION_HOURS} h before the start",
        ),
        ("Utilisation", percent(total.utilisation), booked),
        ("Average satisfaction", satisfaction(total), ""),
        ("Busiest days", days or NONE, "appointments per weekday, busiest first"),
        ("Busiest hours", hours or NONE, "by local start time, busiest first"),
    ]
    table = data_table(
        book,
        styles,
        ("Figure", "Value", "How it is counted"),
        rows,
        (0.27 * width, 0.33 * width, 0.40 * width),
        numeric_from=99,
    )
    story: list[Flowable] = [para(book, "Summary", styles.h1, bold=True)]
    if not total.appointments:
        story.append(message(book, styles, "No appointments in this period."))
        story.append(Spacer(1, 3 * mm))
    story.append(table)
    return story


def _status_table(
    stats: Statistics, book: FontBook, styles: Styles, width: float
) -> list[Flowable]:
    story: list[Flowable] = [
        CondPageBreak(35 * mm),
        para(book, "Appointments by status", styles.h2, bold=True),
    ]
    appointments = stats.total.appointments
    counts = sorted(
        ((s, n) for s in AppointmentStatus if (n := stats.by_status.get(s, 0))),
        key=lambda item: -item[1],
    )
    rows = [
        (status.label, count(n), percent(n / appointments if appointments else None))
        for status, n in counts
    ]
    if not rows:
        story.append(message(book, styles, "No appointments in this period."))
        return story
    story.append(
        data_table(
            book,
            styles,
            ("Status", "Appointments", "Share"),
            rows,
            (0.5 * width, 0.25 * width, 0.25 * width),
            total=("Total", count(appointments), ""),
        )
    )
    return story


def _money_columns(row: Figures) -> tuple[str, str, str, str]:
    return (
        count(row.fulfilled),
        money(row.fees_billed_cents),
        money(row.payer_coverage_cents),
        money(row.patient_share_cents),
    )


def _financials(stats: Statistics, book: FontBook, styles: Styles, width: float) -> list[Flowable]:
    story: list[Flowable] = [
        CondPageBreak(60 * mm),
        para(book, "Financials", styles.h1, bold=True),
        message(
            book,
            styles,
            "Amounts are in the hospital's currency, of fulfilled appointments. The patient's "
            "share is the fee less what the payer covers.",
        ),
    ]
    widths = (0.34 * width, 0.12 * width, 0.18 * width, 0.18 * width, 0.18 * width)
    for heading, rows, first in (
        ("By service", stats.by_service, "Service"),
        ("By doctor", stats.by_doctor, "Doctor"),
    ):
        story.append(CondPageBreak(35 * mm))
        story.append(para(book, heading, styles.h2, bold=True))
        if not rows:
            story.append(message(book, styles, "No appointments in this period."))
            continue
        story.append(
            data_table(
                book,
                styles,
                (first, "Fulfilled", "Fees billed", "Payer coverage", "Patient share"),
                [(row.label, *_money_columns(row)) for row in rows],
                widths,
                total=("Total", *_money_columns(stats.total)),
            )
        )
    return story


COUNT_HEADERS = ("Appoint­ments", "Fulfilled", "No-shows", "Cancelled", "Patients served")


def _counts(row: Figures) -> tuple[str, ...]:
    return (
        count(row.appointments),
        count(row.fulfilled),
        count(row.no_shows),
        count(row.cancelled),
        count(row.patients_served),
    )


def _count_table(
    stats: Statistics,
    book: FontBook,
    styles: Styles,
    title: str,
    first: str,
    rows: list[Figures],
    widths: tuple[float, ...],
    extra: tuple[tuple[str, Callable[[Figures], str]], ...] = (),
) -> list[Flowable]:
    """A section with a row of counts per service or doctor (and ``extra`` columns), its
    total row from ``stats.total``."""
    story: list[Flowable] = [CondPageBreak(50 * mm), para(book, title, styles.h1, bold=True)]
    if not rows:
        story.append(message(book, styles, "No appointments in this period."))
        return story

    def columns(row: Figures) -> tuple[str, ...]:
        return (*_counts(row), *(value(row) for _, value in extra))

    story.append(
        data_table(
            book,
            styles,
            (first, *COUNT_HEADERS, *(name for name, _ in extra)),
            [(row.label, *columns(row)) for row in rows],
            widths,
            total=("Total", *columns(stats.total)),
        )
    )
    return story


def _services(stats: Statistics, book: FontBook, styles: Styles, width: float) -> list[Flowable]:
    widths = (0.35 * width, *(0.13 * width,) * 5)
    return _count_table(
        stats, book, styles, "Services provided", "Service", stats.by_service, widths
    )


def _doctors(stats: Statistics, book: FontBook, styles: Styles, width: float) -> list[Flowable]:
    return _count_table(
        stats,
        book,
        styles,
        "Doctors",
        "Doctor",
        stats.by_doctor,
        (0.23 * width, *(0.105 * width,) * 6, 0.14 * width),
        (
            ("Utilis­ation", lambda row: percent(row.utilisation)),
            ("Satisfaction (ratings)", lambda row: satisfaction(row, with_word=False)),
        ),
    )


# --- charts ----------------------------------------------------------------------------------


def _charts(stats: Statistics, book: FontBook, styles: Styles, width: float) -> list[Flowable]:
    has_data = any(m.total for m in stats.by_month) or any(stats.by_status.values())
    # Both charts on one page when there is something to draw.
    story: list[Flowable] = [
        CondPageBreak(150 * mm if has_data else 40 * mm),
        para(book, "Charts", styles.h1, bold=True),
    ]
    story.append(
        KeepTogether(
            [
                para(book, f"Appointments by {stats.chart_unit}", styles.h2, bold=True),
                _month_chart(stats, book, styles, width),
            ]
        )
    )
    story.append(
        KeepTogether(
            [
                para(book, "Appointments by status", styles.h2, bold=True),
                _status_chart(stats, book, styles, width),
            ]
        )
    )
    return story


def _month_chart(stats: Statistics, book: FontBook, styles: Styles, width: float) -> Flowable:
    months = stats.by_month
    if not months or not any(m.total for m in months):
        return message(book, styles, "No appointments in this period.")
    shown = (AppointmentStatus.FULFILLED, AppointmentStatus.CANCELLED, AppointmentStatus.NOSHOW)
    series = [[m.by_status.get(s, 0) for m in months] for s in shown]
    series.append([m.total - sum(m.by_status.get(s, 0) for s in shown) for m in months])
    names = ["Fulfilled", "Cancelled", "No-show", "Other (booked, arrived, …)"]
    fills = [STATUS_COLOURS[s] for s in shown] + [OTHER_COLOUR]
    font = book.font_name()
    slanted = len(months) > 8
    height = 78 * mm
    drawing = _drawing(width, height, font)
    chart = VerticalBarChart()
    chart.x, chart.y = 14 * mm, (26 if slanted else 20) * mm
    chart.width, chart.height = width - 18 * mm, height - chart.y - 4 * mm
    chart.data = series
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = [month_label(m.month) for m in months]
    labels = chart.categoryAxis.labels
    labels.fontName, labels.fontSize, labels.fillColor = font, 7.5, INK
    if slanted:
        labels.angle, labels.boxAnchor, labels.dx, labels.dy = 45, "ne", 3, -2
    step, top = nice_scale(max(m.total for m in months))
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e4e7eb")
    chart.barSpacing = 0
    chart.groupSpacing = 6 if len(months) < 13 else 3
    for i, fill in enumerate(fills):
        chart.bars[i].fillColor = fill
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    drawing.add(_legend(list(zip(fills, names, strict=True)), font, width / 2, 2 * mm))
    return drawing


def _drawing(width: float, height: float, font: str) -> Drawing:
    drawing = Drawing(width, height)
    drawing.initialFontName = font  # the renderer's default is (unembedded) Helvetica
    drawing.initialFontSize = 8
    return drawing


def _legend(pairs: list[tuple[Any, str]], font: str, x: float, y: float) -> Legend:
    legend = Legend()
    legend.colorNamePairs = pairs
    legend.fontName, legend.fontSize = font, 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.variColumn = 1  # each column as wide as its own name
    legend.dxTextSpace, legend.deltax = 4, 10
    legend.boxAnchor = "s"
    legend.x, legend.y = x, y
    legend.strokeColor = None
    return legend


def _status_chart(stats: Statistics, book: FontBook, styles: Styles, width: float) -> Flowable:
    items = sorted(
        ((s, n) for s in AppointmentStatus if (n := stats.by_status.get(s, 0))),
        key=lambda item: -item[1],
    )
    if not items:
        return message(book, styles, "No appointments in this period.")
    items.reverse()  # the first status is drawn at the top
    font = book.font_name()
    bar = 7 * mm
    height = bar * len(items) + 16 * mm
    drawing = _drawing(width, height, font)
    chart = HorizontalBarChart()
    chart.x, chart.y = 32 * mm, 10 * mm
    chart.width, chart.height = width - 50 * mm, bar * len(items)
    chart.data = [[n for _, n in items]]
    chart.categoryAxis.categoryNames = [s.label for s, _ in items]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8.5
    chart.categoryAxis.labels.fillColor = INK
    step, top = nice_scale(max(n for _, n in items))
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.labelTextFormat = lambda v: f"{v:,.0f}"
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e4e7eb")
    chart.barWidth = bar * 0.7
    chart.barLabelFormat = lambda v: f"{v:,.0f}"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 8
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.bars.strokeColor = None
    for i, (status, _) in enumerate(items):
        chart.bars[(0, i)].fillColor = STATUS_COLOURS.get(status, OTHER_COLOUR)
    drawing.add(chart)
    return drawing


# --- definitions -----------------------------------------------------------------------------


def definitions() -> list[str]:
    """The definitions of ``figures``' docstring, one string per item (the one source)."""
    doc = figures.__doc__ or ""
    _, found, rest = doc.partition("Definitions")
    body = rest.split("\n", 1)[1] if found and "\n" in rest else ""
    items = re.split(r"\n- ", "\n" + body.strip())
    cleaned = [
        " ".join(item.replace("``", "").replace("*", "").replace("_", " ").split())
        for item in items
    ]
    return [item for item in cleaned if item] or list(_FALLBACK_DEFINITIONS)


def _definitions(book: FontBook, styles: Styles) -> list[Flowable]:
    story: list[Flowable] = [
        CondPageBreak(70 * mm),
        para(book, "How the figures are counted", styles.h1, bold=True),
    ]
    for item in definitions():
        story.append(Paragraph(book.markup(item), styles.bullet, bulletText="•"))
    return story
