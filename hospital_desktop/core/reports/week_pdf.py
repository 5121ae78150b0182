"""A doctor's week on paper: one column per day, Monday to Sunday, landscape.

It prints what the calendar shows (``WeekLayout`` from ``build_week``), so the printed week
and the screen agree on every time-zone rule: times are the hospital's wall clock, and on a
day whose clocks change each time carries its zone abbreviation. The table has one row per
appointment slot of the day (the n-th appointment of each day side by side), so a long day
runs onto the next page between two appointments rather than overflowing.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from hospital_desktop.core.domain.values import WEEKDAYS, AppointmentStatus
from hospital_desktop.core.reports.fonts import FontBook
from hospital_desktop.core.reports.pdf import (
    HEAD_FILL,
    MUTED,
    RULE,
    PageDecor,
    Styles,
    build_pdf,
    local_time,
    make_styles,
    para,
)
from hospital_desktop.core.scheduling.week import DayColumn, ItemKind, WeekItem, WeekLayout

PAGE = landscape(A4)
MARGIN = 12 * mm
CLOSED_FILL = colors.HexColor("#edf0f3")
FAINT = colors.HexColor("#d9dee3")
_NOT_HAPPENING = frozenset(
    {AppointmentStatus.CANCELLED, AppointmentStatus.NOSHOW, AppointmentStatus.ENTERED_IN_ERROR}
)


def render_doctor_week(
    layout: WeekLayout,
    out: Path | BinaryIO,
    *,
    doctor_name: str,
    hospital_name: str,
    generated_by: str,
    generated_at: datetime,
    time_zone: str | None = None,
) -> None:
    """Write the doctor's week as a landscape PDF to a path or a binary file object.

    ``time_zone`` defaults to the layout's own (the hospital's); the layout's instants are
    UTC and are shown on that zone's wall clock.
    """
    zone_name = time_zone or layout.time_zone
    zone = ZoneInfo(zone_name)
    book = FontBook(_variable_texts(layout, doctor_name, hospital_name, generated_by))
    styles = make_styles(book, cell_size=7.5)
    width = PAGE[0] - 2 * MARGIN
    first, last = layout.days[0].day, layout.days[-1].day
    span = f"{first.isoformat()} to {last.isoformat()}"
    when = local_time(generated_at, zone_name)
    story: list[Flowable] = [
        para(book, doctor_name, styles.h1, bold=True),
        Paragraph(
            book.markup(f"Week {span}", bold=True)
            + book.markup(f" · {hospital_name} · times in {zone_name}"),
            styles.body,
        ),
        Spacer(1, 3 * mm),
        _week_table(layout, zone, book, styles, width),
    ]
    for note in layout.notes:
        story.append(para(book, note, styles.small))
    decor = PageDecor(
        header_left=hospital_name,
        header_right=f"{doctor_name} · week {span}",
        footer_left=f"Generated {when} by {generated_by}",
    )
    build_pdf(
        out,
        story,
        book,
        decor,
        pagesize=PAGE,
        margin=MARGIN,
        title=f"{doctor_name}: week {span}",
        author=generated_by,
        subject=hospital_name,
    )


def _variable_texts(
    layout: WeekLayout, doctor_name: str, hospital_name: str, generated_by: str
) -> list[str]:
    texts = [doctor_name, hospital_name, generated_by, layout.time_zone, *layout.notes]
    for day in layout.days:
        texts.append(day.closed_reason or "")
        for item in day.items:
            texts += [item.title, item.detail]
    return texts


def _clock(moment: datetime, day: DayColumn, zone: ZoneInfo) -> str:
    """A wall-clock reading; the day's end is 24:00, and a clock-change day names the zone."""
    if moment >= day.end:
        return "24:00"
    local = moment.astimezone(zone)
    if day.changes_clocks:
        return f"{local:%H:%M} {local.tzname()}"
    return f"{local:%H:%M}"


def _span(item: WeekItem, day: DayColumn, zone: ZoneInfo) -> str:
    return f"{_clock(item.start, day, zone)}–{_clock(item.end, day, zone)}"


def _day_head(day: DayColumn, book: FontBook, styles: Styles) -> Paragraph:
    return Paragraph(
        book.markup(WEEKDAYS[day.day.weekday()], bold=True) + "<br/>" + book.markup(_date(day.day)),
        styles.cell,
    )


def _date(day: date) -> str:
    return day.isoformat()


def _day_summary(day: DayColumn, zone: ZoneInfo, book: FontBook, styles: Styles) -> Paragraph:
    """The day's timetable hours, closure, absences and free slots."""
    parts: list[str] = []
    if day.closed_reason is not None:
        parts.append(book.markup("Closed: ", bold=True) + book.markup(day.closed_reason))
    opens = [_span(i, day, zone) for i in day.items if i.kind is ItemKind.OPEN]
    if opens:
        parts.append(book.markup("Hours: ", bold=True) + book.markup(", ".join(opens)))
    elif day.closed_reason is None:
        parts.append(book.markup("No timetabled hours"))
    for item in day.items:
        if item.kind is ItemKind.ABSENCE:
            text = f"{_span(item, day, zone)} {item.title}".strip()
            parts.append(book.markup("Away: ", bold=True) + book.markup(text))
    free = sum(1 for i in day.items if i.kind is ItemKind.FREE_SLOT)
    if free:
        parts.append(book.markup(f"{free} free slot{'' if free == 1 else 's'}"))
    if day.changes_clocks:
        parts.append(book.markup(f"Clocks change: a {day.hours:g}-hour day"))
    return Paragraph("<br/>".join(parts), styles.cell)


def _appointment(
    item: WeekItem, day: DayColumn, zone: ZoneInfo, book: FontBook, styles: Styles
) -> Paragraph:
    appointment = item.appointment
    status = appointment.status if appointment is not None else None
    name = appointment.patient_name if appointment is not None else item.title
    reason = appointment.reason if appointment is not None else item.detail
    lines = [book.markup(_span(item, day, zone), bold=True), book.markup(name)]
    if reason:
        lines.append(book.markup(reason))
    if status is not None:
        lines.append(book.markup(status.label))
    text = "<br/>".join(lines)
    if status in _NOT_HAPPENING:
        text = f'<font color="#{MUTED.hexval()[2:]}">{text}</font>'
    return Paragraph(text, styles.cell)


def _week_table(
    layout: WeekLayout, zone: ZoneInfo, book: FontBook, styles: Styles, width: float
) -> Table:
    days = layout.days
    appointments = [[i for i in d.items if i.kind is ItemKind.APPOINTMENT] for d in days]
    depth = max((len(a) for a in appointments), default=0)
    data: list[list[Any]] = [
        [_day_head(d, book, styles) for d in days],
        [_day_summary(d, zone, book, styles) for d in days],
    ]
    if depth == 0:
        data.append([para(book, "No appointments", styles.cell) for _ in days])
    for row in range(depth):
        cells: list[Any] = []
        for day, items in zip(days, appointments, strict=True):
            if row < len(items):
                cells.append(_appointment(items[row], day, zone, book, styles))
            elif row == 0:
                cells.append(para(book, "No appointments", styles.cell))
            else:
                cells.append("")
        data.append(cells)
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), book.font_name(), styles.cell.fontSize),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
        ("BOX", (0, 0), (-1, -1), 0.75, RULE),
        ("LINEAFTER", (0, 0), (-2, -1), 0.5, RULE),
        ("LINEBELOW", (0, 0), (-1, 0), 0.75, RULE),
        ("LINEBELOW", (0, 1), (-1, 1), 0.5, RULE),
        ("LINEBELOW", (0, 2), (-1, -2), 0.25, FAINT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for column, day in enumerate(days):
        if day.closed_reason is not None:
            commands.append(("BACKGROUND", (column, 1), (column, -1), CLOSED_FILL))
    table = Table(data, colWidths=[width / len(days)] * len(days), repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table
