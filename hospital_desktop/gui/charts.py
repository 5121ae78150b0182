"""Charts of a report (QtCharts): appointments per month by outcome, and the status breakdown.

They draw what ``Statistics`` holds. Nothing is counted here; the only arithmetic is
grouping months into quarters when a period is too long for a bar per month to be readable
(a bar then holds the sum of its months, each of which the database counted). Longer
periods come from the report by year already.
"""

from __future__ import annotations

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QPieSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QCursor, QFont, QPainter, QResizeEvent
from PySide6.QtWidgets import QToolTip, QWidget

from hospital_desktop.core.domain.values import AppointmentStatus
from hospital_desktop.core.reports.figures import MonthCounts, Statistics

FULFILLED, CANCELLED, NO_SHOW, OTHER = "Fulfilled", "Cancelled", "No-show", "Other"
OUTCOMES = (FULFILLED, CANCELLED, NO_SHOW, OTHER)
OUTCOME_HELP = {
    FULFILLED: "Appointments that took place.",
    CANCELLED: "Cancelled by the patient or the hospital (not those moved to another time).",
    NO_SHOW: "The patient did not come.",
    OTHER: "Still booked, arrived or checked in: not yet over.",
}
OUTCOME_COLOURS = {
    FULFILLED: "#2e7d32",
    CANCELLED: "#ef6c00",
    NO_SHOW: "#c62828",
    OTHER: "#1565c0",
}
STATUS_COLOURS = {
    AppointmentStatus.FULFILLED: OUTCOME_COLOURS[FULFILLED],
    AppointmentStatus.CANCELLED: OUTCOME_COLOURS[CANCELLED],
    AppointmentStatus.NOSHOW: OUTCOME_COLOURS[NO_SHOW],
    AppointmentStatus.BOOKED: OUTCOME_COLOURS[OTHER],
    AppointmentStatus.ARRIVED: "#00838f",
    AppointmentStatus.CHECKED_IN: "#6a1b9a",
    AppointmentStatus.PROPOSED: "#9e9e9e",
    AppointmentStatus.PENDING: "#757575",
    AppointmentStatus.WAITLIST: "#8d6e63",
    AppointmentStatus.ENTERED_IN_ERROR: "#bdbdbd",
}
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHLY_UP_TO = 24  # months; longer periods (that the report still gives by month) by quarter
ROTATE_LABELS_OVER = 12  # categories
LEGEND_BESIDE_FROM = 440  # pixels of chart width


def outcome_of(status: AppointmentStatus) -> str:
    if status is AppointmentStatus.FULFILLED:
        return FULFILLED
    if status is AppointmentStatus.CANCELLED:
        return CANCELLED
    if status is AppointmentStatus.NOSHOW:
        return NO_SHOW
    return OTHER


def _month_label(month: str) -> str:
    year, number = month.split("-")
    return f"{MONTH_NAMES[int(number) - 1]} {year}"


def buckets(months: list[MonthCounts]) -> tuple[str, list[tuple[str, dict[str, int]]]]:
    """(unit, [(label, counts by outcome)]): a bar per month, quarter or year. The report
    itself gives years ("2026") for long periods and months ("2026-03") otherwise."""
    if any(month.month.endswith("s") for month in months):
        unit = "decade"
    elif any(len(month.month) == 4 for month in months):
        unit = "year"
    elif len(months) <= MONTHLY_UP_TO:
        unit = "month"
    else:
        unit = "quarter"
    grouped: dict[str, dict[str, int]] = {}
    for month in months:
        year, _, number = month.month.partition("-")
        if unit in ("year", "decade") or not number:
            label = year
        elif unit == "month":
            label = _month_label(month.month)
        else:
            label = f"{year} Q{(int(number) - 1) // 3 + 1}"
        counts = grouped.setdefault(label, dict.fromkeys(OUTCOMES, 0))
        for status, count in month.by_status.items():
            counts[outcome_of(status)] += count
    return unit, list(grouped.items())


def integer_axis(maximum: int) -> tuple[int, int]:
    """(top, tick count) of a count axis with whole-number ticks (1, 2 or 5 times a power
    of ten apart), so a small count never reads as 0.5 of an appointment."""
    if maximum <= 0:
        return 1, 2
    rough = maximum / 5
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if step >= rough:
                top = -(-maximum // step) * step
                return top, top // step + 1
        magnitude *= 10


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    font = QFont(chart.titleFont())
    font.setBold(True)
    chart.setTitleFont(font)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setBackgroundRoundness(4)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    return chart


class _ChartView(QChartView):
    """A chart view whose chart is replaced whole on each report (and the old one freed)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(240)

    def _replace(self, chart: QChart) -> None:
        old = self.chart()
        self.setChart(chart)
        if old is not None:
            old.deleteLater()


class MonthChart(_ChartView):
    """Stacked bars: each month's (quarter's, year's) appointments by outcome."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monthChart")
        self.unit = "month"
        self.categories: list[str] = []
        self.values: dict[str, list[int]] = {}
        self.setToolTip("Counted appointments by local month of their start, by outcome.")

    def show_statistics(self, stats: Statistics) -> None:
        self.unit, rows = buckets(stats.by_month)
        self.categories = [label for label, _ in rows]
        self.values = {outcome: [counts[outcome] for _, counts in rows] for outcome in OUTCOMES}
        chart = _chart(f"Appointments per {self.unit}")
        series = QStackedBarSeries()
        for outcome in OUTCOMES:
            bar_set = QBarSet(outcome)
            bar_set.append([float(value) for value in self.values[outcome]])
            bar_set.setColor(QColor(OUTCOME_COLOURS[outcome]))
            bar_set.setBorderColor(QColor(OUTCOME_COLOURS[outcome]))
            series.append(bar_set)
        series.setBarWidth(0.7)
        series.hovered.connect(self._on_hovered)
        chart.addSeries(series)
        axis_x = QBarCategoryAxis()
        axis_x.append(self.categories)
        if len(self.categories) > ROTATE_LABELS_OVER:
            axis_x.setLabelsAngle(-90)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_x)
        tallest = max(
            (sum(self.values[o][i] for o in OUTCOMES) for i in range(len(rows))), default=0
        )
        top, ticks = integer_axis(tallest)
        axis_y = QValueAxis()
        axis_y.setRange(0, top)
        axis_y.setTickCount(ticks)
        axis_y.setLabelFormat("%d")
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_y)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self._replace(chart)

    def _on_hovered(self, inside: bool, index: int, bar_set: QBarSet) -> None:
        if not inside or not 0 <= index < len(self.categories):
            QToolTip.hideText()
            return
        outcome = bar_set.label()
        value = self.values.get(outcome, [])[index]
        QToolTip.showText(
            QCursor.pos(),
            f"{self.categories[index]}: {value:,} {outcome.lower()}\n{OUTCOME_HELP[outcome]}",
            self,
        )


class StatusChart(_ChartView):
    """A ring of the period's counted appointments by status."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusChart")
        self.slices: dict[AppointmentStatus, int] = {}
        self.setToolTip("Counted appointments by their status now.")

    def show_statistics(self, stats: Statistics) -> None:
        total = stats.total.appointments
        self.slices = dict(sorted(stats.by_status.items(), key=lambda item: (-item[1], item[0])))
        chart = _chart("Appointments by status")
        series = QPieSeries()
        series.setHoleSize(0.4)
        for status, count in self.slices.items():
            share = f"{count / total * 100:.1f}%" if total else "—"
            piece = series.append(f"{status.label}: {count:,} ({share})", float(count))
            piece.setColor(QColor(STATUS_COLOURS.get(status, "#9e9e9e")))
            piece.setBorderColor(QColor("white"))
        chart.addSeries(series)
        self._replace(chart)
        self._place_legend()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_legend()

    def _place_legend(self) -> None:
        """Beside the ring when there is room for its labels, else under it."""
        wide = self.width() >= LEGEND_BESIDE_FROM
        wanted = Qt.AlignmentFlag.AlignRight if wide else Qt.AlignmentFlag.AlignBottom
        legend = self.chart().legend()
        if legend.alignment() != wanted:
            legend.setAlignment(wanted)
