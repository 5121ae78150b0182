"""The Reports tab: a manager's figures for a hospital or one doctor over a period.

The figures come whole from ``services.reports`` (the database counts them; see
``core/reports/figures.py`` for what each one means), computed on the worker thread. The
tab only lays them out: summary cards, charts and tables whose total rows are the report's
own totals, never sums made here. Exports (PDF, CSV, print) write a temporary file first,
have the service check the export permission and record it in the audit trail, and only
then put the file where the user asked: nothing leaves the application unrecorded.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSize,
    QStandardPaths,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QDesktopServices,
    QFont,
    QPageLayout,
    QPainter,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.domain.clock import format_local
from hospital_desktop.core.domain.errors import DomainError, ValidationError
from hospital_desktop.core.domain.security import Permission, UserRecord
from hospital_desktop.core.reports import figures as figures_module
from hospital_desktop.core.reports.figures import Figures, Period, Statistics
from hospital_desktop.core.services.changes import Change, Entity
from hospital_desktop.core.services.reports import ReportService, report_detail, report_subject
from hospital_desktop.gui.charts import OUTCOMES, MonthChart, StatusChart, outcome_of
from hospital_desktop.gui.errors import message_for
from hospital_desktop.gui.files import ask_save_path
from hospital_desktop.gui.tabs.pickers import doctor_picker, hospital_picker
from hospital_desktop.gui.tasks import TaskRunner
from hospital_desktop.gui.widgets.field_messages import ERROR_STYLE, HINT_STYLE
from hospital_desktop.gui.widgets.record_picker import RecordPicker

log = logging.getLogger(__name__)
AnyIndex = QModelIndex | QPersistentModelIndex

HOSPITAL, DOCTOR = "hospital", "doctor"
NONE_TEXT = "—"
NO_APPOINTMENTS = "No appointments in this period"
CHOOSE_FIRST = {HOSPITAL: "Choose a hospital first.", DOCTOR: "Choose a doctor first."}
NOTHING_SHOWN = "Choose a hospital or a doctor and a period, then press Show to see the figures."
PDF_MISSING = (
    "PDF reports are not available in this installation (the PDF renderer is missing). "
    "Export a CSV file instead, or ask your administrator."
)
# Changes that alter figures already on screen.
AFFECTING = (Entity.APPOINTMENT, Entity.TIMETABLE, Entity.HOSPITAL, Entity.DOCTOR)
RECOMPUTE_DELAY_MS = 400
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SHOWN_BUSIEST = 3
CARD_COLUMNS = ((1200, 6), (820, 4), (0, 3))  # (least tab width, cards a row)
CHARTS_SIDE_BY_SIDE_FROM = 1000  # tab width
PRINT_DPI = 200  # pages are drawn as images: enough for text, not a printer's 1200 dpi
UNSAFE_IN_FILE_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]')

# --- the quick periods ------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def this_month(today: date) -> tuple[date, date]:
    """The whole calendar month, so booked appointments still to come count too."""
    return month_start(today), month_end(today)


def last_month(today: date) -> tuple[date, date]:
    end = month_start(today) - timedelta(days=1)
    return month_start(end), end


def this_year(today: date) -> tuple[date, date]:
    return date(today.year, 1, 1), date(today.year, 12, 31)


def last_12_months(today: date) -> tuple[date, date]:
    """The twelve whole months before this one: twelve comparable bars."""
    end = month_start(today) - timedelta(days=1)
    start = month_start(end)
    for _ in range(11):
        start = month_start(start - timedelta(days=1))
    return start, end


QUICK_PERIODS: dict[str, Callable[[date], tuple[date, date]]] = {
    "This month": this_month,
    "Last month": last_month,
    "This year": this_year,
    "Last 12 months": last_12_months,
}
CUSTOM_PERIOD = "Custom period"


# --- how values read --------------------------------------------------------------------


def count_text(value: int) -> str:
    return f"{value:,}"


def money_text(cents: int) -> str:
    """Integer cents as '1,234.56' (no float on the way)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{part:02d}"


def money_plain(cents: int) -> str:
    """'1234.56': what a spreadsheet reads as a number in any locale's CSV import."""
    return str(Decimal(cents).scaleb(-2).quantize(Decimal("0.01")))


def rate_text(rate: float | None) -> str:
    return NONE_TEXT if rate is None else f"{rate * 100:.1f}%"


def score_text(score: float | None) -> str:
    return NONE_TEXT if score is None else f"{score:.1f}"


def minutes_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours:,} h" if not rest else f"{hours:,} h {rest} min"


@dataclass(frozen=True, slots=True)
class Money:
    cents: int


@dataclass(frozen=True, slots=True)
class Rate:
    value: float | None


@dataclass(frozen=True, slots=True)
class Score:
    value: float | None


Cell = str | int | Money | Rate | Score | None


def shown(cell: Cell) -> str:
    """How a cell reads on screen."""
    if cell is None:
        return NONE_TEXT
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, int):
        return count_text(cell)
    if isinstance(cell, Money):
        return money_text(cell.cents)
    if isinstance(cell, Rate):
        return rate_text(cell.value)
    if isinstance(cell, Score):
        return score_text(cell.value)
    return cell


def exported(cell: Cell) -> str:
    """How a cell reads in the CSV file: plain numbers, and empty when there is no value."""
    if cell is None:
        return ""
    if isinstance(cell, int) and not isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, Money):
        return money_plain(cell.cents)
    if isinstance(cell, Rate):
        return "" if cell.value is None else f"{cell.value * 100:.1f}%"
    if isinstance(cell, Score):
        return "" if cell.value is None else f"{cell.value:.2f}"
    return str(cell)


def is_numeric(cell: Cell) -> bool:
    return isinstance(cell, int | Money | Rate | Score) and not isinstance(cell, bool)


# --- the definitions, from the figures module's docstring --------------------------------


def definitions() -> list[str]:
    """The bullet points of ``figures.py``'s docstring, as sentences: the one place that
    says how each figure is counted, so the screen cannot drift from it."""
    items: list[str] = []
    for line in (figures_module.__doc__ or "").splitlines():
        stripped = line.strip()
        if stripped.startswith("- "):
            items.append(stripped[2:])
        elif stripped and items and line.startswith("  "):
            items[-1] += " " + stripped
        elif not stripped and items and items[-1]:
            items.append("")
    return [item.replace("``", "").replace("*", "") for item in items if item]


def definition_of(phrase: str, fallback: str = "") -> str:
    """The definition that mentions ``phrase`` (its sentence only, where it has several)."""
    for item in definitions():
        if phrase.lower() in item.lower():
            sentences = re.split(r"(?<=\.)\s+(?=[A-Z])", item)
            chosen = [s for s in sentences if phrase.lower() in s.lower()]
            return " ".join(chosen) if chosen else item
    return fallback


SATISFACTION_HELP = (
    "The average of the 1 (poor) to 5 (excellent) scores patients gave after a fulfilled "
    "appointment; the count says how many scores it is made of."
)
BUSIEST_HELP = (
    "Counted appointments by {what} of their start, on the hospital's clock; the busiest "
    "first, days or hours with none left out."
)


# --- the figures as rows ----------------------------------------------------------------


@dataclass(frozen=True)
class SummaryItem:
    key: str
    title: str
    value: Cell
    detail: str
    help: str


def _of(part: int, whole: int, noun: str) -> str:
    return f"{part:,} of {whole:,} {noun}"


def summary_items(stats: Statistics) -> list[SummaryItem]:
    """The cards above the tables, in reading order."""
    total = stats.total
    due = total.fulfilled + total.no_shows
    busiest_days = stats.busiest_days[:SHOWN_BUSIEST]
    busiest_hours = stats.busiest_hours[:SHOWN_BUSIEST]
    timetable = total.timetable_minutes or 0
    return [
        SummaryItem(
            "appointments",
            "Appointments",
            total.appointments,
            "counted in the period",
            definition_of("Counted:"),
        ),
        SummaryItem(
            "fulfilled",
            "Fulfilled",
            total.fulfilled,
            _of(total.fulfilled, total.appointments, "appointments"),
            definition_of("Served:"),
        ),
        SummaryItem(
            "patients_served",
            "Patients served",
            total.patients_served,
            "each patient counted once",
            definition_of("Served:"),
        ),
        SummaryItem(
            "new_patients",
            "New patients",
            stats.new_patients,
            "first time served here" if stats.doctor_id is None else "first time with this doctor",
            definition_of("New patients"),
        ),
        SummaryItem(
            "no_show_rate",
            "No-show rate",
            Rate(total.no_show_rate),
            f"{_of(total.no_shows, due, 'due')}\n(fulfilled + no-shows)",
            definition_of("No-show rate"),
        ),
        SummaryItem(
            "cancellation_rate",
            "Cancellation rate",
            Rate(total.cancellation_rate),
            _of(total.cancelled, total.appointments, "appointments"),
            definition_of("Cancellation rate"),
        ),
        SummaryItem(
            "late_cancellations",
            "Late cancellations",
            total.late_cancellations,
            f"of {total.cancelled:,} cancellations",
            definition_of("Late cancellation"),
        ),
        SummaryItem(
            "utilisation",
            "Utilisation",
            Rate(total.utilisation),
            (
                f"{minutes_text(total.booked_minutes)} booked\n"
                f"of {minutes_text(timetable)} timetabled"
                if timetable
                else "no timetable in the period"
            ),
            definition_of("Utilisation"),
        ),
        SummaryItem(
            "satisfaction",
            "Average satisfaction",
            Score(total.average_satisfaction),
            (
                f"out of 5, from {total.ratings:,} rating{'s' if total.ratings != 1 else ''}"
                if total.ratings
                else "no ratings given"
            ),
            SATISFACTION_HELP,
        ),
        SummaryItem(
            "fees_billed",
            "Fees billed",
            Money(total.fees_billed_cents),
            f"payer {money_text(total.payer_coverage_cents)}\n"
            f"patient {money_text(total.patient_share_cents)}",
            definition_of("Fees billed"),
        ),
        SummaryItem(
            "busiest_days",
            "Busiest days",
            ", ".join(WEEKDAYS[d] for d in busiest_days) or None,
            " · ".join(f"{stats.by_weekday[d]:,}" for d in busiest_days) + " appointments"
            if busiest_days
            else "no appointments",
            BUSIEST_HELP.format(what="weekday"),
        ),
        SummaryItem(
            "busiest_hours",
            "Busiest hours",
            ", ".join(f"{h:02d}:00" for h in busiest_hours) or None,
            " · ".join(f"{stats.by_hour[h]:,}" for h in busiest_hours) + " appointments"
            if busiest_hours
            else "no appointments",
            BUSIEST_HELP.format(what="hour"),
        ),
    ]


@dataclass(frozen=True)
class ReportTable:
    """A table as the screen and the CSV show it; ``total`` is the report's own total."""

    name: str
    title: str
    headers: tuple[str, ...]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    total: tuple[Cell, ...] | None = None
    tooltips: tuple[str, ...] = ()


SERVICE_HEADERS = (
    "Service",
    "Appointments",
    "Fulfilled",
    "No-shows",
    "Cancelled",
    "Patients served",
    "Fees billed",
    "Payer coverage",
    "Patient share",
)
DOCTOR_HEADERS = (
    "Doctor",
    "Appointments",
    "Fulfilled",
    "No-shows",
    "Cancelled",
    "Patients served",
    "Utilisation",
    "Satisfaction",
    "Ratings",
)


def _service_row(row: Figures) -> tuple[Cell, ...]:
    return (
        row.label,
        row.appointments,
        row.fulfilled,
        row.no_shows,
        row.cancelled,
        row.patients_served,
        Money(row.fees_billed_cents),
        Money(row.payer_coverage_cents),
        Money(row.patient_share_cents),
    )


def _doctor_row(row: Figures) -> tuple[Cell, ...]:
    return (
        row.label,
        row.appointments,
        row.fulfilled,
        row.no_shows,
        row.cancelled,
        row.patients_served,
        Rate(row.utilisation),
        Score(row.average_satisfaction),
        row.ratings,
    )


def service_table(stats: Statistics) -> ReportTable:
    money_help = definition_of("Fees billed")
    return ReportTable(
        "by_service",
        "By service",
        SERVICE_HEADERS,
        [_service_row(row) for row in stats.by_service],
        _service_row(stats.total),
        (
            "The service booked",
            definition_of("Counted:"),
            "Appointments that took place",
            "The patient did not come",
            "Cancelled (not those moved to another time)",
            definition_of("Served:"),
            money_help,
            money_help,
            money_help,
        ),
    )


def doctor_table(stats: Statistics) -> ReportTable:
    return ReportTable(
        "by_doctor",
        "By doctor",
        DOCTOR_HEADERS,
        [_doctor_row(row) for row in stats.by_doctor],
        _doctor_row(stats.total),
        (
            "Doctors with appointments or a timetable in the period",
            definition_of("Counted:"),
            "Appointments that took place",
            "The patient did not come",
            "Cancelled (not those moved to another time)",
            definition_of("Served:"),
            definition_of("Utilisation"),
            SATISFACTION_HELP,
            "How many scores the average is made of",
        ),
    )


def status_table(stats: Statistics) -> ReportTable:
    total = stats.total.appointments
    rows = sorted(stats.by_status.items(), key=lambda item: (-item[1], item[0]))
    return ReportTable(
        "by_status",
        "By status",
        ("Status", "Appointments", "Share"),
        [(status.label, count, Rate(count / total if total else None)) for status, count in rows],
        ("Total", total, Rate(1.0 if total else None)),
        ("The appointment's status now", definition_of("Counted:"), "Of the counted appointments"),
    )


def month_table(stats: Statistics) -> ReportTable:
    """Per local month (per year for long periods), by the charts' outcomes (for the CSV;
    the screen draws it)."""
    total = stats.total
    other = total.appointments - total.fulfilled - total.cancelled - total.no_shows
    rows: list[tuple[Cell, ...]] = []
    for month in stats.by_month:
        counts = dict.fromkeys(OUTCOMES, 0)
        for status, count in month.by_status.items():
            counts[outcome_of(status)] += count
        rows.append((month.month, *(counts[o] for o in OUTCOMES), month.total))
    unit = stats.chart_unit  # "month", "year" or "decade": what one row stands for
    return ReportTable(
        "by_month",
        f"By {unit}",
        (unit.capitalize(), *OUTCOMES, "Appointments"),
        rows,
        ("Total", total.fulfilled, total.cancelled, total.no_shows, other, total.appointments),
    )


def report_title(stats: Statistics) -> str:
    if stats.doctor_id is None:
        return stats.subject
    return f"{stats.subject} at {stats.hospital_name}"


def report_csv_rows(stats: Statistics) -> list[list[str]]:
    """The whole report as one CSV: a heading block, then each section under its title,
    separated by an empty row (what a spreadsheet shows as one readable sheet)."""
    rows: list[list[str]] = [
        ["Report", report_title(stats)],
        ["Hospital", stats.hospital_name],
        ["Period", stats.period.first.isoformat(), stats.period.last.isoformat()],
        ["Time zone", stats.time_zone],
        ["Generated", format_local(stats.generated_at, "UTC"), stats.generated_by],
        [],
        ["Summary"],
        ["Figure", "Value", "Detail"],
    ]
    rows += [
        [item.title, exported(item.value), item.detail.replace("\n", " ")]
        for item in summary_items(stats)
    ]
    for table in (status_table(stats), service_table(stats), doctor_table(stats)):
        rows += [[], [table.title], list(table.headers)]
        rows += [[exported(cell) for cell in row] for row in table.rows]
        if table.total is not None:
            rows.append([exported(cell) for cell in table.total])
    months = month_table(stats)
    rows += [[], [months.title], list(months.headers)]
    rows += [[exported(cell) for cell in row] for row in months.rows]
    if months.total is not None:
        rows.append([exported(cell) for cell in months.total])
    return rows


def render_pdf(stats: Statistics, path: Path) -> None:
    """The PDF renderer, imported when first asked for (it loads fonts and ReportLab)."""
    try:
        from hospital_desktop.core.reports.pdf import render_hospital_report
    except ModuleNotFoundError as error:
        if error.name and error.name.startswith("hospital_desktop"):
            raise DomainError(PDF_MISSING) from error
        raise
    render_hospital_report(stats, path)


def suggested_name(stats: Statistics, suffix: str) -> str:
    """'Report St Mary's 2026-01-01 to 2026-03-31.pdf', safe on every file system."""
    name = f"Report {stats.subject} {stats.period.describe()}"
    name = UNSAFE_IN_FILE_NAMES.sub("-", name).strip(" .")
    return f"{name}.{suffix}"


def render_for_print(services: AppServices, stats: Statistics) -> Path:
    """On the worker: the PDF in a private temporary folder, to be drawn onto the printer.

    The export permission is asked first (a refusal is recorded): the print itself is
    recorded only once it happens, as the preview may be cancelled."""
    services.accounts.require(services.actor, Permission.EXPORT, "export-print")
    folder = Path(tempfile.mkdtemp(prefix="hospital-report-"))
    path = folder / "report.pdf"
    try:
        render_pdf(stats, path)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return path


def record_print(services: AppServices, stats: Statistics) -> None:
    entity, record_id = report_subject(stats)
    services.reports.record_export("print", entity, record_id, report_detail(stats))


def paint_pdf(document: Any, printer: QPrinter) -> int:
    """Draw each page of a loaded ``QPdfDocument`` onto ``printer``, scaled to fit the paper
    and centred; returns how many pages were drawn."""
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    drawn = 0
    try:
        for page in range(document.pageCount()):
            if page:
                printer.newPage()
            points = document.pagePointSize(page)
            if points.isEmpty():
                continue
            area = painter.viewport()
            scale = min(area.width() / points.width(), area.height() / points.height())
            width, height = points.width() * scale, points.height() * scale
            image = document.render(
                page,
                QSize(
                    round(points.width() / 72 * PRINT_DPI), round(points.height() / 72 * PRINT_DPI)
                ),
            )
            left = area.x() + (area.width() - width) / 2
            top = area.y() + (area.height() - height) / 2
            painter.drawImage(QRectF(left, top, width, height), image, image.rect().toRectF())
            drawn += 1
    finally:
        painter.end()
    return drawn


# --- the table model --------------------------------------------------------------------


class ReportTableModel(QAbstractTableModel):
    """A read-only table of one ``ReportTable``; the total row is last, in bold."""

    def __init__(self, table: ReportTable, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._table = table
        self._bold = QFont()
        self._bold.setBold(True)

    @property
    def table(self) -> ReportTable:
        return self._table

    def set_table(self, table: ReportTable) -> None:
        self.beginResetModel()
        self._table = table
        self.endResetModel()

    def _rows(self) -> list[tuple[Cell, ...]]:
        rows = list(self._table.rows)
        return [*rows, self._table.total] if self._table.total is not None else rows

    def is_total(self, row: int) -> bool:
        return self._table.total is not None and row == len(self._table.rows)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(self._table.rows) + (1 if self._table.total is not None else 0)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._table.headers)

    def cell(self, row: int, column: int) -> Cell:
        return self._rows()[row][column]

    def texts(self, row: int) -> list[str]:
        return [shown(cell) for cell in self._rows()[row]]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (
            0 <= index.row() < self.rowCount() and 0 <= index.column() < self.columnCount()
        ):
            return None
        cell = self.cell(index.row(), index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return shown(cell)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight if is_numeric(cell) else Qt.AlignmentFlag.AlignLeft
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and self.is_total(index.row()):
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            if self.is_total(index.row()):
                return "The report's total, counted by the database over the same appointments."
            return shown(cell)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._table.headers[section]
        if role == Qt.ItemDataRole.ToolTipRole and section < len(self._table.tooltips):
            return self._table.tooltips[section] or None
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


# --- the widgets ------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRequest:
    """What the user asked for: kept while figures refresh after a change."""

    kind: str  # HOSPITAL or DOCTOR
    record_id: int
    label: str
    first: date
    last: date


CARD_STYLE = (
    "QFrame#figureCard { border: 1px solid palette(mid); border-radius: 6px;"
    " background: palette(base); }"
)


class FigureCard(QFrame):
    """One headline figure: a title, the value large, and what it is out of."""

    def __init__(self, key: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.setObjectName("figureCard")
        self.setStyleSheet(CARD_STYLE)
        self.title = QLabel(title)
        self.title.setStyleSheet(HINT_STYLE)
        self.value = QLabel(NONE_TEXT)
        self.value.setObjectName(f"card_{key}")
        font = QFont(self.value.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.value.setFont(font)
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail = QLabel()  # at most two lines, broken where the text says (no wrapping:
        # a wrapped label makes the scroll area reserve height for the narrowest layout)
        self.detail.setStyleSheet(HINT_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(1)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)
        layout.addStretch(1)
        # Preferred: a card grows to the tallest of its row, so the rows line up.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def set_item(self, item: SummaryItem) -> None:
        self.value.setText(shown(item.value))
        self.detail.setText(item.detail)
        self.setToolTip(item.help)


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(f"{name}Error")
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def _with_error(widget: QWidget, error: QLabel) -> QWidget:
    cell = QWidget()
    column = QVBoxLayout(cell)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(widget)
    column.addWidget(error)
    return cell


class ReportsTab(QWidget):
    """Figures of a hospital or a doctor for a period, with PDF, CSV and print exports.

    ``user`` None: every action is offered (set-up mode), unless ``services.actor`` is set,
    whose permissions are then looked up on the worker. ``figures_shown(Statistics)`` and
    ``exported(what, path)`` say when work finished (the window and tests listen).
    """

    status_message = Signal(str)
    figures_shown = Signal(object)
    exported = Signal(str, object)
    failed = Signal(object)

    def __init__(
        self,
        services: AppServices,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        user: UserRecord | None = None,
    ) -> None:
        super().__init__(parent)
        self.services, self.tasks = services, tasks
        self.statistics: Statistics | None = None
        self.request: ReportRequest | None = None
        self._may_export: bool | None = None
        if user is not None:
            self._may_export = Permission.EXPORT in user.permissions
        elif services.actor is None:
            self._may_export = True
        self._looks_up_permissions = self._may_export is None
        self._asked = 0  # numbers computations, so a late answer to an old one is dropped
        self._computing = False
        self._exporting = False
        self._stale = False
        self._choice_changed = False
        self._folder = ""
        self._zones: dict[int, str] = {}
        self._setting_period = False
        self.print_preview: QPrintPreviewDialog | None = None
        self._print_document: Any = None
        self._printer: QPrinter | None = None
        self._print_file: Path | None = None
        self._printed_stats: Statistics | None = None

        self._build_controls()
        self._build_figures()
        self._build_layout()
        self._recompute_timer = QTimer(self)
        self._recompute_timer.setSingleShot(True)
        self._recompute_timer.setInterval(RECOMPUTE_DELAY_MS)
        self._recompute_timer.timeout.connect(self._recompute)
        self.choose_quick_period("This month")
        self._update_buttons()

    # --- building ---------------------------------------------------------------------

    def _build_controls(self) -> None:
        self.hospital_radio = QRadioButton("Hospita&l")
        self.doctor_radio = QRadioButton("Do&ctor")
        self.hospital_radio.setChecked(True)
        self.kind_group = QButtonGroup(self)
        self.kind_group.addButton(self.hospital_radio)
        self.kind_group.addButton(self.doctor_radio)
        self.hospital_radio.toggled.connect(self._on_kind_toggled)
        self.hospital_picker = hospital_picker(self.services, self.tasks)
        self.hospital_picker.setObjectName("reportHospital")
        self.doctor_picker = doctor_picker(self.services, self.tasks, self._zones)
        self.doctor_picker.setObjectName("reportDoctor")
        self.picker_stack = QStackedWidget()
        self.picker_stack.addWidget(self.hospital_picker)
        self.picker_stack.addWidget(self.doctor_picker)
        self.picker_stack.setMinimumWidth(360)
        self.picker_stack.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        for picker in (self.hospital_picker, self.doctor_picker):
            picker.choice_changed.connect(self._on_choice_changed)
            picker.returnPressed.connect(self.show_figures)

        self.from_date = self._date_edit("reportFrom", "The first day of the period (included)")
        self.to_date = self._date_edit("reportTo", "The last day of the period (included)")
        self.quick_box = QComboBox()
        self.quick_box.setObjectName("reportQuickPeriod")
        self.quick_box.addItem(CUSTOM_PERIOD)
        self.quick_box.addItems(list(QUICK_PERIODS))
        self.quick_box.setToolTip(
            "This month and this year run to their last day, so booked appointments still "
            "to come count; last month and the last 12 months are whole months before this one."
        )
        self.quick_box.activated.connect(self._on_quick_chosen)
        # Mnemonics avoid the window's menus (F, E, V, H) and tabs (H, D, P, A, T, S, I).
        self.show_button = QPushButton("Sho&w")
        self.show_button.setObjectName("reportShow")
        self.show_button.setDefault(True)
        self.show_button.clicked.connect(self.show_figures)
        self.export_pdf_button = QPushButton("E&xport PDF…")
        self.export_pdf_button.clicked.connect(self.export_pdf)
        self.export_csv_button = QPushButton("Exp&ort CSV…")
        self.export_csv_button.setToolTip(
            "Every table of the report in one file (UTF-8), one section under the other"
        )
        self.export_csv_button.clicked.connect(self.export_csv)
        self.print_button = QPushButton("Pri&nt…")
        self.print_button.clicked.connect(self.print_report)
        self.help_button = QToolButton()
        self.help_button.setText("How these are counted")
        self.help_button.setCheckable(True)
        self.help_button.toggled.connect(self._on_help_toggled)

        self.errors = {
            "record": _error_label("reportRecord"),
            "first": _error_label("reportFrom"),
            "last": _error_label("reportTo"),
        }
        self.message = QLabel()
        self.message.setObjectName("reportMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setVisible(False)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setMaximumHeight(14)
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)
        self.busy_label = QLabel()
        self.busy_label.setStyleSheet(HINT_STYLE)
        self.saved_bar = QFrame()
        self.saved_bar.setObjectName("reportSaved")
        self.saved_bar.setStyleSheet(
            "QFrame#reportSaved { background: #e6f4ea; border-radius: 4px; }"
        )
        self.saved_label = QLabel()
        self.saved_label.setWordWrap(True)
        self.open_button = QPushButton("Open")
        self.open_button.clicked.connect(self.open_saved)
        self.folder_button = QPushButton("Show in folder")
        self.folder_button.clicked.connect(self.open_saved_folder)
        dismiss = QToolButton()
        dismiss.setText("✕")
        dismiss.setToolTip("Hide this message")
        dismiss.setAutoRaise(True)
        dismiss.clicked.connect(lambda: self.saved_bar.setVisible(False))
        saved = QHBoxLayout(self.saved_bar)
        saved.setContentsMargins(8, 4, 4, 4)
        saved.addWidget(self.saved_label, 1)
        saved.addWidget(self.open_button)
        saved.addWidget(self.folder_button)
        saved.addWidget(dismiss)
        self.saved_bar.setVisible(False)
        self.saved_path: Path | None = None

    def _date_edit(self, name: str, tooltip: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setDateRange(QDate(1900, 1, 1), QDate(2200, 12, 31))
        edit.setToolTip(tooltip)
        edit.dateChanged.connect(self._on_date_edited)
        return edit

    def _build_figures(self) -> None:
        self.title_label = QLabel()
        self.title_label.setObjectName("reportTitle")
        title_font = QFont(self.title_label.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.3)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        # No wrapping (a wrapped label makes the scroll area take the preferred height, not
        # the room there is); a long name is cut, and the tooltip has it whole.
        self.title_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.generated_label = QLabel()
        self.generated_label.setStyleSheet(HINT_STYLE)
        self.help_label = QLabel()
        self.help_label.setObjectName("reportHelp")
        self.help_label.setWordWrap(True)
        self.help_label.setTextFormat(Qt.TextFormat.RichText)
        self.help_label.setText(
            "<b>How these are counted</b><ul style='margin-left: -20px'>"
            + "".join(f"<li>{_html(item)}</li>" for item in definitions())
            + f"<li>{_html(SATISFACTION_HELP)}</li></ul>"
        )
        self.help_label.setStyleSheet(
            "QLabel#reportHelp { background: palette(alternate-base); padding: 6px;"
            " border-radius: 4px; }"
        )
        self.help_label.setVisible(False)

        self.cards: dict[str, FigureCard] = {}
        self.cards_grid = cards = QGridLayout()
        cards.setSpacing(8)
        self._card_columns = 0
        placeholder = empty_statistics()
        for item in summary_items(placeholder):
            card = FigureCard(item.key, item.title)
            card.setToolTip(item.help)
            self.cards[item.key] = card
        self._arrange_cards(CARD_COLUMNS[0][1])
        self.cards_box = QWidget()
        self.cards_box.setLayout(cards)
        self.cards_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

        self.month_chart = MonthChart()
        self.status_chart = StatusChart()
        charts = QWidget()
        self.charts_row = QBoxLayout(QBoxLayout.Direction.LeftToRight, charts)
        self.charts_row.setContentsMargins(0, 0, 0, 0)
        self.charts_row.addWidget(self.month_chart, 3)
        self.charts_row.addWidget(self.status_chart, 2)
        self.empty_label = QLabel(NO_APPOINTMENTS)
        self.empty_label.setObjectName("reportEmpty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty_font = QFont(self.empty_label.font())
        empty_font.setPointSizeF(empty_font.pointSizeF() * 1.3)
        self.empty_label.setFont(empty_font)
        self.empty_label.setStyleSheet(HINT_STYLE)
        self.charts_stack = QStackedWidget()
        self.charts_stack.addWidget(charts)
        self.charts_stack.addWidget(self.empty_label)
        self.empty_label.setMinimumHeight(240)  # the charts hold their own minimum

        self.models: dict[str, ReportTableModel] = {}
        self.views: dict[str, QTableView] = {}
        self.table_tabs = QTabWidget()
        self.table_tabs.setObjectName("reportTables")
        for make in (doctor_table, service_table, status_table):
            table = make(placeholder)
            model = ReportTableModel(table, self)
            view = QTableView()
            view.setObjectName(f"report_{table.name}")
            view.setModel(model)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            view.setAlternatingRowColors(True)
            view.setWordWrap(False)
            view.verticalHeader().setVisible(False)
            view.verticalHeader().setDefaultSectionSize(24)
            header = view.horizontalHeader()
            header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            header.setMinimumSectionSize(70)
            self.models[table.name] = model
            self.views[table.name] = view
            self.table_tabs.addTab(view, table.title)
        self.table_tabs.setMinimumHeight(200)

        figures = QWidget()
        column = QVBoxLayout(figures)
        column.setContentsMargins(0, 0, 0, 0)
        heading = QHBoxLayout()
        heading.addWidget(self.title_label, 1)
        # With the figures they export (the period row above must fit 800 pixels).
        for button in (self.export_pdf_button, self.export_csv_button, self.print_button):
            heading.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(heading)
        column.addWidget(self.generated_label, 0, Qt.AlignmentFlag.AlignRight)
        column.addWidget(self.cards_box)
        column.addWidget(self.charts_stack, 3)
        column.addWidget(self.table_tabs, 2)
        self.figures_widget = figures
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(figures)
        self.nothing_label = QLabel(NOTHING_SHOWN)
        self.nothing_label.setObjectName("reportNothing")
        self.nothing_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.nothing_label.setWordWrap(True)
        self.nothing_label.setStyleSheet(HINT_STYLE)
        self.body = QStackedWidget()
        self.body.addWidget(self.nothing_label)
        self.body.addWidget(self.scroll)

    def _build_layout(self) -> None:
        """Two rows of controls (what, then when), their messages under the fields."""
        line = self.from_date.sizeHint().height()  # labels centred on the fields' first line
        top_aligned = Qt.AlignmentFlag.AlignTop

        def caption(text: str, buddy: QWidget | None = None) -> QLabel:
            label = QLabel(text)
            label.setMinimumHeight(line)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            if buddy is not None:
                label.setBuddy(buddy)
            return label

        what = QHBoxLayout()
        what.setSpacing(8)
        for radio in (self.hospital_radio, self.doctor_radio):
            radio.setMinimumHeight(line)
            what.addWidget(radio, 0, top_aligned)
        what.addWidget(_with_error(self.picker_stack, self.errors["record"]), 1, top_aligned)
        what.addWidget(self.help_button, 0, top_aligned)

        self.busy.setMinimumHeight(8)
        busy = QHBoxLayout()
        busy.setContentsMargins(4, 0, 0, 0)
        busy.addWidget(self.busy)
        busy.addWidget(self.busy_label)
        busy_box = QWidget()
        busy_box.setLayout(busy)
        busy_box.setMinimumHeight(line)
        # A grid, so that a message under a date field may run on under the fields beside
        # it (it would otherwise widen the date field to its own length).
        when = QGridLayout()
        when.setHorizontalSpacing(6)
        when.setVerticalSpacing(2)
        when.addWidget(self.from_date, 0, 0)
        when.addWidget(caption("To:", self.to_date), 0, 1)
        when.addWidget(self.to_date, 0, 2)
        when.addWidget(self.quick_box, 0, 3)
        when.addWidget(self.show_button, 0, 4)
        when.addWidget(busy_box, 0, 5)
        when.setColumnStretch(6, 1)
        when.addWidget(self.errors["first"], 1, 0, 1, 7)
        when.addWidget(self.errors["last"], 2, 2, 1, 5)

        top = QGridLayout()
        top.setHorizontalSpacing(8)
        top.setVerticalSpacing(6)
        top.addWidget(caption("Report on:"), 0, 0, top_aligned)
        top.addLayout(what, 0, 1)
        top.addWidget(caption("Fro&m:", self.from_date), 1, 0, top_aligned)
        top.addLayout(when, 1, 1)
        top.setColumnStretch(1, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.saved_bar)
        layout.addWidget(self.help_label)
        layout.addWidget(self.body, 1)

    # --- what the window calls --------------------------------------------------------

    def refresh(self) -> None:
        """Compute the shown report again, as the user chose it (kind, record, period)."""
        self._load_permissions()
        if self.request is not None:
            self._compute(self.request)

    def on_change(self, change: Change) -> None:
        """Figures on screen go stale when appointments (or timetables, names) change:
        recomputed shortly when seen, else when next shown. A change of accounts may have
        taken the export permission: looked up again where it was looked up at all."""
        if change.touches(Entity.USER) and self._looks_up_permissions:
            self._may_export = None
            self._update_buttons()
            self._load_permissions()
        if self.request is None or not any(change.touches(e) for e in AFFECTING):
            return
        self._stale = True
        if self.isVisible():
            self._recompute_timer.start()

    def show_report(self, kind: str, record_id: int, label: str, first: date, last: date) -> None:
        """Choose a report as the user would, and show it."""
        self.set_kind(kind)
        self._picker(kind).set_choice(record_id, label)
        self.set_period(first, last)
        self.show_figures()

    def set_kind(self, kind: str) -> None:
        (self.hospital_radio if kind == HOSPITAL else self.doctor_radio).setChecked(True)

    def set_period(self, first: date, last: date) -> None:
        self._setting_period = True
        try:
            self.from_date.setDate(QDate(first))
            self.to_date.setDate(QDate(last))
        finally:
            self._setting_period = False
        self.quick_box.setCurrentIndex(0)

    def choose_quick_period(self, name: str) -> None:
        first, last = QUICK_PERIODS[name](self.today())
        self.set_period(first, last)
        self.quick_box.setCurrentText(name)

    def today(self) -> date:
        return date.today()

    @property
    def kind(self) -> str:
        return HOSPITAL if self.hospital_radio.isChecked() else DOCTOR

    @property
    def may_export(self) -> bool | None:
        """Whether exports are offered (None: not known yet, looked up on the worker)."""
        return self._may_export

    @property
    def is_computing(self) -> bool:
        return self._computing

    def card_text(self, key: str) -> str:
        return self.cards[key].value.text()

    def card_detail(self, key: str) -> str:
        return self.cards[key].detail.text()

    def field_error(self, name: str) -> str:
        label = self.errors[name]
        return label.text() if not label.isHidden() else ""

    def show_figures(self) -> None:
        """Compute the report the controls describe (on the worker)."""
        request = self._read_request()
        if request is not None:
            self._compute(request)

    # --- exports (file dialogs are methods, so tests can answer them) -------------------

    def ask_save_path(self, suggested: str, filter: str) -> str | None:
        folder = self._folder or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        # The suffix is added by the export, which knows which one it writes.
        return ask_save_path(self, "Save the report", suggested, filter, "", folder)

    def export_pdf(self) -> None:
        self._export(
            "pdf",
            "PDF documents (*.pdf)",
            lambda reports, stats, target: reports.export_pdf(stats, target, render_pdf),
        )

    def export_csv(self) -> None:
        self._export(
            "csv",
            "CSV files (*.csv)",
            lambda reports, stats, target: reports.export_report_csv(
                stats, target, report_csv_rows(stats)
            ),
        )

    def _export(
        self,
        what: str,
        file_filter: str,
        write: Callable[[ReportService, Statistics, Path], None],
    ) -> None:
        stats = self.statistics
        if stats is None or self._exporting:
            return
        answer = self.ask_save_path(suggested_name(stats, what), file_filter)
        if not answer:
            return
        target = Path(answer)
        if target.suffix.lower() != f".{what}":
            target = target.with_name(f"{target.name}.{what}")
        self._folder = str(target.parent)
        self._exporting = True
        self._update_buttons()
        self._set_busy_text(f"Writing {target.name}…")
        reports = self.services.reports
        self.tasks.run(
            lambda: write(reports, stats, target),
            lambda _none: self._on_exported(what, target),
            self._on_export_failed,
        )

    def _on_exported(self, what: str, path: Path) -> None:
        self._exporting = False
        self._set_busy_text("")
        self._update_buttons()
        self.saved_path = path
        self.message.setVisible(False)  # an earlier failure no longer applies
        self.saved_label.setText(f"Saved {path.name} in {path.parent}.")
        self.saved_bar.setVisible(True)
        self.status_message.emit(f"The report was saved as {path}.")
        self.exported.emit(what, path)

    def _on_export_failed(self, error: BaseException) -> None:
        self._exporting = False
        self._set_busy_text("")
        self._update_buttons()
        self.saved_bar.setVisible(False)  # it spoke of an earlier export, not of this one
        self._show_message(error)

    def open_saved(self) -> None:
        if self.saved_path is not None:
            self._open(self.saved_path, "PDF files")

    def open_saved_folder(self) -> None:
        if self.saved_path is not None:
            self._open(self.saved_path.parent, "folders")

    def _open(self, path: Path, what: str) -> None:
        """Open with the computer's own program, or say where the file is."""
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.message.setText(
                f"This computer has no program set up to open {what}. The file is at {path}."
            )
            self.message.setVisible(True)

    def print_report(self) -> None:
        """Render the PDF on the worker, then preview it; printing it is recorded."""
        stats = self.statistics
        if stats is None or self._exporting:
            return
        self._exporting = True
        self._update_buttons()
        self._set_busy_text("Preparing the pages…")
        services = self.services
        self.tasks.run(
            lambda: render_for_print(services, stats),
            lambda path: self._open_preview(stats, path),
            self._on_export_failed,
        )

    def _open_preview(self, stats: Statistics, path: Path) -> None:
        from PySide6.QtPdf import QPdfDocument

        self._exporting = False
        self._set_busy_text("")
        self._update_buttons()
        document = QPdfDocument(self)
        document.load(str(path))
        if document.status() != QPdfDocument.Status.Ready:
            document.deleteLater()
            _remove_print_file(path)
            self._show_message(DomainError("The report's pages could not be prepared."))
            return
        self._print_document, self._print_file, self._printed_stats = document, path, stats
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self._printer = printer  # the dialog only borrows it: it must outlive the dialog
        first_page = document.pagePointSize(0)
        if first_page.width() > first_page.height():
            printer.setPageOrientation(QPageLayout.Orientation.Landscape)
        printer.setDocName(suggested_name(stats, "pdf").removesuffix(".pdf"))
        preview = QPrintPreviewDialog(printer, self)
        preview.setWindowTitle(f"Print — {report_title(stats)}")
        preview.paintRequested.connect(self.paint_pages)
        preview.finished.connect(self._on_preview_finished)
        self.print_preview = preview
        preview.resize(900, 700)
        preview.open()

    def paint_pages(self, printer: QPrinter) -> int:
        """Draw the prepared report onto ``printer`` (the preview and the real print)."""
        if self._print_document is None:
            return 0
        return paint_pdf(self._print_document, printer)

    def _on_preview_finished(self, result: int) -> None:
        stats = self._printed_stats
        if self._print_document is not None:
            self._print_document.close()
            self._print_document.deleteLater()
        if self._print_file is not None:
            _remove_print_file(self._print_file)
        self._print_document = self._print_file = self._printed_stats = None
        if self.print_preview is not None:
            self.print_preview.deleteLater()
            self.print_preview = None
        if result != QDialog.DialogCode.Accepted or stats is None:
            return
        services = self.services
        self.tasks.run(
            lambda: record_print(services, stats),
            lambda _none: self._on_printed(),
            self._show_message,
        )

    def _on_printed(self) -> None:
        self.status_message.emit("The report was sent to the printer.")
        self.exported.emit("print", None)

    # --- computing --------------------------------------------------------------------

    def _picker(self, kind: str) -> RecordPicker:
        return self.hospital_picker if kind == HOSPITAL else self.doctor_picker

    def _read_request(self) -> ReportRequest | None:
        self._clear_errors()
        kind = self.kind
        picker = self._picker(kind)
        record_id = picker.value()
        if record_id is None:
            self._field_error("record", CHOOSE_FIRST[kind])
            picker.setFocus(Qt.FocusReason.OtherFocusReason)
            return None
        first: date = self.from_date.date().toPython()  # type: ignore[assignment]
        last: date = self.to_date.date().toPython()  # type: ignore[assignment]
        return ReportRequest(kind, record_id, picker.label(), first, last)

    def _compute(self, request: ReportRequest) -> None:
        self._asked += 1
        number = self._asked
        self._computing = True
        self._recompute_timer.stop()
        self._set_busy_text("Computing the figures…")
        reports = self.services.reports
        if request.kind == HOSPITAL:
            work = partial(
                reports.hospital_statistics, request.record_id, request.first, request.last
            )
        else:
            work = partial(reports.doctor_metrics, request.record_id, request.first, request.last)
        self.tasks.run(
            work,
            lambda stats: self._on_computed(number, request, stats),
            lambda error: self._on_compute_failed(number, error),
        )

    def _recompute(self) -> None:
        if self.request is not None and self._stale:
            self._compute(self.request)

    def _on_computed(self, number: int, request: ReportRequest, stats: Statistics) -> None:
        if number != self._asked:
            return
        self._computing = False
        self._stale = False
        self._set_busy_text("")
        self.message.setVisible(False)
        self.request, self.statistics = request, stats
        self._choice_changed = False
        self._fill(stats)
        self._update_buttons()
        self.figures_shown.emit(stats)

    def _on_compute_failed(self, number: int, error: BaseException) -> None:
        if number != self._asked:
            return
        self._computing = False
        self._set_busy_text("")
        if isinstance(error, ValidationError):
            unplaced = []
            for name, text in error.field_errors.items():
                if name in self.errors:
                    self._field_error(name, text)
                else:
                    unplaced.append(text)
            if unplaced:
                self._show_message(DomainError("\n".join(unplaced)))
            (self.to_date if "last" in error.field_errors else self.from_date).setFocus()
            self.failed.emit(error)
            return
        self._show_message(error)

    def _fill(self, stats: Statistics) -> None:
        self.body.setCurrentWidget(self.scroll)
        period = f"{stats.period.describe()} ({stats.time_zone})"
        self.title_label.setText(f"{report_title(stats)} · {period}")
        self.title_label.setToolTip(self.title_label.text())
        self.generated_label.setText(
            f"Computed {format_local(stats.generated_at, 'UTC')} by {stats.generated_by}"
        )
        for item in summary_items(stats):
            self.cards[item.key].set_item(item)
        for make in (doctor_table, service_table, status_table):
            table = make(stats)
            self.models[table.name].set_table(table)
        if stats.total.appointments:
            self.month_chart.show_statistics(stats)
            self.status_chart.show_statistics(stats)
            self.charts_stack.setCurrentIndex(0)
        else:
            self.charts_stack.setCurrentWidget(self.empty_label)

    # --- state ------------------------------------------------------------------------

    def _load_permissions(self) -> None:
        if self._may_export is not None or self.services.actor is None:
            return
        accounts, actor = self.services.accounts, self.services.actor
        self.tasks.run(
            lambda: Permission.EXPORT in accounts.current(actor).permissions,
            self._on_permissions,
            lambda _error: self._on_permissions(False),
        )

    def _on_permissions(self, may_export: bool) -> None:
        self._may_export = may_export
        self._update_buttons()

    def _update_buttons(self) -> None:
        visible = bool(self._may_export)
        # Exports are of the figures shown: not while the choice above says something else.
        enabled = self.statistics is not None and not self._exporting and not self._choice_changed
        for button in (self.export_pdf_button, self.export_csv_button, self.print_button):
            button.setVisible(visible)
            button.setEnabled(enabled)

    def _set_busy_text(self, text: str) -> None:
        self.busy.setVisible(bool(text))
        self.busy_label.setText(text)

    def _clear_errors(self) -> None:
        for label in self.errors.values():
            label.clear()
            label.setVisible(False)
        self.message.setVisible(False)

    def _field_error(self, name: str, text: str) -> None:
        self.errors[name].setText(text)
        self.errors[name].setVisible(True)

    def _show_message(self, error: BaseException) -> None:
        if not isinstance(error, DomainError):
            log.error("reports: unexpected error", exc_info=error)
        text = message_for(error)
        self.message.setText(text)
        self.message.setVisible(True)
        self.status_message.emit(text)
        self.failed.emit(error)

    # --- Qt events and signals --------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        width = event.size().width()
        self._arrange_cards(next(n for least, n in CARD_COLUMNS if width >= least))
        # Side by side on a wide window; one above the other when the ring's labels
        # would no longer fit beside it.
        self.charts_row.setDirection(
            QBoxLayout.Direction.LeftToRight
            if width >= CHARTS_SIDE_BY_SIDE_FROM
            else QBoxLayout.Direction.TopToBottom
        )

    def _arrange_cards(self, columns: int) -> None:
        """Six cards a row on a wide window, fewer on a narrow one (no sideways scrolling)."""
        if columns == self._card_columns:
            return
        self._card_columns = columns
        grid = self.cards_grid
        for card in self.cards.values():
            grid.removeWidget(card)
        for number, card in enumerate(self.cards.values()):
            grid.addWidget(card, number // columns, number % columns)
        for column in range(max(CARD_COLUMNS[0][1], grid.columnCount())):
            grid.setColumnStretch(column, 1 if column < columns else 0)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._load_permissions()
        if self._stale and self.request is not None:
            self._compute(self.request)

    def _on_kind_toggled(self, _checked: bool) -> None:
        self.picker_stack.setCurrentWidget(self._picker(self.kind))
        self.errors["record"].setVisible(False)
        self._choice_edited()

    def _on_choice_changed(self, _record_id: object) -> None:
        self.errors["record"].setVisible(False)
        self._choice_edited()

    def _choice_edited(self) -> None:
        """The hospital, doctor or period was changed after figures were shown: say that
        they are not of it yet, and keep exports (of the shown figures) out of reach."""
        if self.statistics is None or self._choice_changed:
            return
        self._choice_changed = True
        self._update_buttons()
        self.status_message.emit("Press Show to see the figures of the new choice.")

    def _on_date_edited(self, _day: QDate) -> None:
        for name in ("first", "last"):
            self.errors[name].setVisible(False)
        self._choice_edited()
        if not self._setting_period:
            self.quick_box.setCurrentIndex(0)

    def _on_quick_chosen(self, index: int) -> None:
        name = self.quick_box.itemText(index)
        if name in QUICK_PERIODS:
            self.choose_quick_period(name)

    def _on_help_toggled(self, checked: bool) -> None:
        self.help_label.setVisible(checked)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _remove_print_file(path: Path) -> None:
    shutil.rmtree(path.parent, ignore_errors=True)


def empty_statistics() -> Statistics:
    """An empty report, to lay the cards and tables out before the first one."""
    today = date.today()
    return Statistics("", 0, "", "UTC", Period(today, today), datetime.now(UTC), "")
