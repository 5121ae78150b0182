"""The week calendar: paints a core ``WeekLayout`` and turns clicks and keys into signals.

Every time-zone decision was made in ``core.scheduling.week``; this view only maps elapsed
real time to pixels. Each day column starts at its own local midnight and runs at a constant
number of pixels per hour, so a 25-hour day really is one hour taller than its neighbours and
a 23-hour day one hour shorter. Such a column draws its own hour labels ('01:00 BST', '01:00
GMT') inside itself, because the gutter's plain-day labels would be wrong for it.

Coordinates: ``item_at``, ``item_rect``, ``time_at`` and the other geometry methods work in
``viewport()`` coordinates, which is where the mouse events arrive.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QFrame, QSizePolicy, QToolTip, QWidget

from hospital_desktop.core.domain.clock import to_local
from hospital_desktop.core.domain.values import AppointmentStatus
from hospital_desktop.core.scheduling.local_time import transitions
from hospital_desktop.core.scheduling.week import DayColumn, ItemKind, WeekItem, WeekLayout

MIN_COLUMN_WIDTH = 96  # below this the week scrolls sideways instead of squeezing text away
DEFAULT_FIRST_HOUR = 8.0  # where a week without timetabled time opens
SCROLL_MARGIN_HOURS = 0.25  # a little time shown above the first open hour
EMPTY_TIME_STEP = timedelta(minutes=5)  # double-clicked empty time snaps down to this
KEYBOARD_MENU_DEDUPE_SECONDS = 0.4  # Menu key: some platforms send a key and a context event

ACTIONABLE_KINDS = frozenset({ItemKind.FREE_SLOT, ItemKind.APPOINTMENT})
BACKGROUND_KINDS = (ItemKind.CLOSED, ItemKind.OPEN, ItemKind.ABSENCE)  # in drawing order


class StatusColours(NamedTuple):
    """Fill, accent (bar and border) and text colour of an appointment block."""

    fill: QColor
    accent: QColor
    text: QColor


_BOOKED = StatusColours(QColor("#dce8ff"), QColor("#2f5fc4"), QColor("#13244a"))
_PRESENT = StatusColours(QColor("#ffe6bf"), QColor("#c46a00"), QColor("#482800"))
_FULFILLED = StatusColours(QColor("#dfe6ec"), QColor("#546e7a"), QColor("#1f2d33"))
_CANCELLED = StatusColours(QColor("#f3f3f3"), QColor("#9e9e9e"), QColor("#5c5c5c"))
_NOSHOW = StatusColours(QColor("#fbdada"), QColor("#c62828"), QColor("#561010"))
_OTHER = StatusColours(QColor("#ece3f7"), QColor("#6d4c9f"), QColor("#2d1c46"))

_STATUS_COLOURS: dict[AppointmentStatus, StatusColours] = {
    AppointmentStatus.BOOKED: _BOOKED,
    AppointmentStatus.ARRIVED: _PRESENT,
    AppointmentStatus.CHECKED_IN: _PRESENT,
    AppointmentStatus.FULFILLED: _FULFILLED,
    AppointmentStatus.CANCELLED: _CANCELLED,
    AppointmentStatus.ENTERED_IN_ERROR: _CANCELLED,
    AppointmentStatus.NOSHOW: _NOSHOW,
}

# Legend entries, in the order the front desk meets them during a day.
LEGEND: tuple[tuple[str, StatusColours], ...] = (
    ("Free slot", StatusColours(QColor("#ffffff"), QColor("#3d8b4f"), QColor("#1c5429"))),
    ("Booked", _BOOKED),
    ("Arrived / checked in", _PRESENT),
    ("Fulfilled", _FULFILLED),
    ("Cancelled", _CANCELLED),
    ("No-show", _NOSHOW),
    ("Other", _OTHER),
    ("Away / closed", StatusColours(QColor("#e2e2e2"), QColor("#9a9a9a"), QColor("#444444"))),
)

BASE_COLOUR = QColor("#ffffff")
TODAY_COLOUR = QColor("#fffbeb")
OPEN_COLOUR = QColor("#e6f3e9")
GREY_COLOUR = QColor("#e2e2e2")
HATCH_COLOUR = QColor("#b9b9b9")
NO_TIME_COLOUR = QColor("#c9ced4")
FREE_FILL = QColor("#ffffff")
FREE_HOVER_FILL = QColor("#eaf6ed")
FREE_BORDER = QColor("#3d8b4f")
FREE_TEXT = QColor("#1c5429")
HOUR_LINE = QColor("#d3d9df")
HALF_HOUR_LINE = QColor("#e9edf1")
CLOCK_CHANGE = QColor("#d98a00")
CLOCK_NOTE_TEXT = QColor("#7a4a00")
STRIP_COLOUR = QColor("#fbf3df")
NOW_COLOUR = QColor("#d32f2f")
FOCUS_COLOUR = QColor("#0b57d0")
SEPARATOR = QColor("#b8bec5")


def status_colours(status: AppointmentStatus) -> StatusColours:
    return _STATUS_COLOURS.get(status, _OTHER)


@dataclass(frozen=True, slots=True)
class HourLine:
    """An hour line as drawn: where (viewport y), its label, and whether the label is shown
    inside the column (the day's labels differ from a plain day's)."""

    y: int
    label: str
    in_column: bool
    repeated: bool


@dataclass(frozen=True, slots=True)
class _Placed:
    """An item with its vertical extent in hours since its day's local midnight and its lane
    (overlapping foreground items share the column side by side)."""

    item: WeekItem
    day_index: int
    start_hours: float
    end_hours: float
    lane: int = 0
    lanes: int = 1


@dataclass(frozen=True, slots=True)
class _ColumnInfo:
    """What a column needs beyond the layout: its own labels, its clock changes."""

    labels_inside: bool
    strip_width: int
    changes_hours: tuple[float, ...]
    note: str


class WeekView(QAbstractScrollArea):
    """Seven day columns over elapsed real time; free slots and appointments can be acted on
    with the mouse and with the keyboard (a focus cursor moves over them)."""

    slot_activated = Signal(object)  # a FREE_SLOT WeekItem
    appointment_activated = Signal(object)  # an APPOINTMENT WeekItem
    appointment_menu_requested = Signal(object, QPoint)  # the item, a global position
    empty_time_activated = Signal(object)  # a UTC datetime (snapped down to 5 minutes)
    focused_item_changed = Signal(object)  # the focused WeekItem, or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout: WeekLayout | None = None
        self._placed: dict[WeekItem, _Placed] = {}
        self._by_day: list[list[_Placed]] = []
        self._actionable: list[list[WeekItem]] = []
        self._columns: list[_ColumnInfo] = []
        self._content_hours = 24.0
        self._focused: WeekItem | None = None
        self._hovered: WeekItem | None = None
        self._pressed: WeekItem | None = None
        self._scroll_anchor_hours: float | None = None
        self._last_keyboard_menu = -math.inf
        self._pixels_per_hour: int | None = None  # None: follow the font
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.viewport().setMouseTracking(True)
        self.viewport().setAutoFillBackground(False)
        self.setAccessibleName("Week calendar")
        self.verticalScrollBar().valueChanged.connect(self._on_scroll_bar_value_changed)
        self.horizontalScrollBar().valueChanged.connect(self._on_scroll_bar_value_changed)
        self._update_metrics()
        self._update_accessible_description()

    # --- public API --------------------------------------------------------------------

    def set_layout(self, layout: WeekLayout) -> None:
        """Show ``layout``. A new week scrolls to its first open time; the same week again
        (a refresh) keeps the scroll position and the focused item where it can."""
        previous = self._layout
        same_week = (
            previous is not None
            and previous.monday == layout.monday
            and previous.time_zone == layout.time_zone
        )
        old_focus = self._focused
        self._layout = layout
        self._rebuild()
        self._hovered = None
        self._pressed = None
        self._focused = self._refound(old_focus) if same_week else None
        self._update_scroll_bars()
        if not same_week:
            self._scroll_anchor_hours = max(0.0, self._first_open_hours() - SCROLL_MARGIN_HOURS)
            self.horizontalScrollBar().setValue(0)
            self._apply_scroll_anchor()
        self._update_accessible_description()
        if self._focused != old_focus:
            self.focused_item_changed.emit(self._focused)
        self.viewport().update()

    def week_layout(self) -> WeekLayout | None:
        return self._layout

    def pixels_per_hour(self) -> int:
        return self._pph

    def set_pixels_per_hour(self, pixels: int | None) -> None:
        """A fixed scale, or None to follow the font (two text lines in half an hour)."""
        top_hours = self.verticalScrollBar().value() / self._pph  # keep this time at the top
        self._pixels_per_hour = None if pixels is None else max(12, int(pixels))
        self._update_metrics()
        self._rebuild()
        self._update_scroll_bars()
        self.verticalScrollBar().setValue(round(top_hours * self._pph))
        self.viewport().update()

    def item_at(self, point: QPoint) -> WeekItem | None:
        """The topmost item under ``point`` (viewport coordinates), background ones included."""
        placed = self._placed_at(point)
        return placed.item if placed else None

    def item_rect(self, item: WeekItem) -> QRect:
        """Where ``item`` is drawn (viewport coordinates; may lie outside the visible part)."""
        placed = self._placed.get(item)
        return self._rect_of(placed) if placed else QRect()

    def time_at(self, point: QPoint) -> datetime | None:
        """The UTC instant under ``point``, or None outside every day (header, gutter, the
        missing end of a short day)."""
        if self._layout is None or point.y() < self._header_height:
            return None
        index = self._column_at(point.x())
        if index is None:
            return None
        day = self._layout.days[index]
        hours = (point.y() - self._header_height + self.verticalScrollBar().value()) / self._pph
        if not 0 <= hours < day.hours:
            return None
        return day.start + timedelta(hours=hours)

    def column_rect(self, day: date) -> QRect:
        """The whole height of a day's column (viewport coordinates): 25 hours tall on a
        fall-back day."""
        index = self._day_index(day)
        if index is None or self._layout is None:
            return QRect()
        left, width = self._column_span(index)
        top = self._y(0.0)
        return QRect(left, top, width, self._y(self._layout.days[index].hours) - top)

    def hour_lines(self, day: date) -> list[HourLine]:
        """The hour lines a day's column draws, with the labels as the core gave them."""
        index = self._day_index(day)
        if index is None or self._layout is None:
            return []
        column = self._layout.days[index]
        inside = self._columns[index].labels_inside
        return [
            HourLine(self._y(self._hours_into(column, mark.at)), mark.label, inside, mark.repeated)
            for mark in column.hour_marks
        ]

    def gutter_labels(self) -> list[tuple[int, str]]:
        """The left gutter's labels (viewport y, text): those of a plain 24-hour day."""
        return [(self._y(float(hour)), f"{hour:02d}:00") for hour in range(24)]

    def now_line_rect(self) -> QRect | None:
        """Where the red now-line is drawn, or None when now is outside the week."""
        if self._layout is None:
            return None
        day = self._layout.day_of(self._layout.now)
        if day is None:
            return None
        index = self._layout.days.index(day)
        left, width = self._column_span(index)
        y = self._y(self._hours_into(day, self._layout.now))
        return QRect(left, y - 1, width, 2)

    def focused_item(self) -> WeekItem | None:
        return self._focused

    def set_focused_item(self, item: WeekItem | None) -> None:
        """Put the focus cursor on a free slot or an appointment, scrolled into view."""
        if item is not None and (item.kind not in ACTIONABLE_KINDS or item not in self._placed):
            raise ValueError("Only a free slot or an appointment of this week can be focused.")
        self._set_focus_cursor(item)

    def ensure_item_visible(self, item: WeekItem) -> None:
        """Scroll the least needed to show ``item`` (its top when it is taller than the view)."""
        rect = self.item_rect(item)
        if rect.isNull():
            return
        body_top, body_bottom = self._header_height, self.viewport().height()
        margin = min(8, max(0, (body_bottom - body_top - rect.height()) // 2))
        vertical = self.verticalScrollBar()
        if rect.top() - margin < body_top or rect.height() > body_bottom - body_top:
            vertical.setValue(vertical.value() + rect.top() - margin - body_top)
        elif rect.bottom() + margin > body_bottom:
            vertical.setValue(vertical.value() + rect.bottom() + margin - body_bottom)
        placed = self._placed[item]
        left, width = self._column_span(placed.day_index)
        horizontal = self.horizontalScrollBar()
        if left < self._gutter_width:
            horizontal.setValue(horizontal.value() - (self._gutter_width - left))
        elif left + width > self.viewport().width():
            horizontal.setValue(horizontal.value() + left + width - self.viewport().width())

    def describe(self, item: WeekItem) -> str:
        """The full text of an item: its tooltip and what a screen reader announces."""
        day = self._day_of_item(item)
        day_text = _day_long(day.day) if day else ""
        span = self._span(item.start, item.end)
        if item.kind is ItemKind.FREE_SLOT:
            if item.slot is not None:  # the whole slot, also past midnight
                span = self._span(item.slot.start, item.slot.end)
            return f"Free slot\n{day_text}, {span}\nClick or press Enter to book it."
        if item.kind is ItemKind.APPOINTMENT and item.appointment is not None:
            appointment = item.appointment
            real_span = self._span(appointment.start, appointment.end)
            lines = [appointment.patient_name, f"{day_text}, {real_span}"]
            if appointment.reason:
                lines.append(f"Reason: {appointment.reason}")
            lines.append(f"Status: {appointment.status.label}")
            return "\n".join(lines)
        if item.kind is ItemKind.ABSENCE:
            return f"Doctor away: {item.title}\n{day_text}, {span}"
        if item.kind is ItemKind.CLOSED:
            return f"{_closed_text(item.title)}\n{day_text}, all day"
        return f"Timetabled time\n{day_text}, {span}"

    def item_text_lines(self, item: WeekItem) -> list[str]:
        """The lines drawn inside ``item`` at its current size, already elided to fit."""
        placed = self._placed.get(item)
        if placed is None:
            return []
        return [text for text, _font in self._text_lines(placed, self._rect_of(placed))]

    # --- Qt overrides --------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        frame = 2 * self.frameWidth()
        width = self._gutter_width + 7 * 132 + self.verticalScrollBar().sizeHint().width()
        return QSize(width + frame, self._header_height + 10 * self._pph + frame)

    def minimumSizeHint(self) -> QSize:
        return QSize(self._gutter_width + 2 * MIN_COLUMN_WIDTH, self._header_height + 2 * self._pph)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._update_metrics()
            self._rebuild()
            self._update_scroll_bars()
            self.viewport().update()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_scroll_bars()
        self._apply_scroll_anchor()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._update_scroll_bars()
        self._apply_scroll_anchor()

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            self._show_tooltip(event)
            return True
        if event.type() == QEvent.Type.Leave:
            self._set_hovered(None)
        return super().viewportEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        try:
            self._paint(painter, event.rect())
        finally:
            painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        point = event.position().toPoint()
        item = self._actionable_at(point)
        if item is not None:
            self._set_focus_cursor(item, scroll=False)
        self._pressed = item if event.button() == Qt.MouseButton.LeftButton else None
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        pressed, self._pressed = self._pressed, None
        if event.button() != Qt.MouseButton.LeftButton or pressed is None:
            return
        released_on = self._actionable_at(event.position().toPoint())
        if released_on == pressed and pressed.kind is ItemKind.FREE_SLOT:
            self.slot_activated.emit(pressed)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        # Not passed on to mousePressEvent: a double-click on a free slot books it once.
        if event.button() != Qt.MouseButton.LeftButton:
            return
        point = event.position().toPoint()
        item = self._actionable_at(point)
        if item is not None:
            if item.kind is ItemKind.APPOINTMENT:
                self.appointment_activated.emit(item)
            return
        moment = self.time_at(point)
        if moment is not None and self._layout is not None:
            day = self._layout.day_of(moment)
            assert day is not None
            steps = (moment - day.start) // EMPTY_TIME_STEP
            self.empty_time_activated.emit(day.start + steps * EMPTY_TIME_STEP)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._set_hovered(self._actionable_at(event.position().toPoint()))

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if event.reason() == QContextMenuEvent.Reason.Keyboard:
            self._request_menu_from_keyboard()
            event.accept()
            return
        item = self._actionable_at(event.pos())
        if item is None or item.kind is not ItemKind.APPOINTMENT:
            event.ignore()  # the tab may offer its own menu for empty time
            return
        self._set_focus_cursor(item, scroll=False)
        self.appointment_menu_requested.emit(item, event.globalPos())
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        shift = Qt.KeyboardModifier.ShiftModifier
        if key == Qt.Key.Key_Menu or (key == Qt.Key.Key_F10 and modifiers == shift):
            self._request_menu_from_keyboard()
            event.accept()
            return
        if modifiers == Qt.KeyboardModifier.NoModifier:
            moves = {
                Qt.Key.Key_Up: lambda: self._step_in_day(-1),
                Qt.Key.Key_Down: lambda: self._step_in_day(1),
                Qt.Key.Key_Home: lambda: self._edge_of_day(first=True),
                Qt.Key.Key_End: lambda: self._edge_of_day(first=False),
                Qt.Key.Key_Left: lambda: self._step_day(-1),
                Qt.Key.Key_Right: lambda: self._step_day(1),
            }
            if key in moves:
                if self._focused is None:
                    self._set_focus_cursor(self._first_visible_actionable())
                else:
                    self._set_focus_cursor(moves[key]())
                event.accept()
                return
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
                self._activate_focused()
                event.accept()
                return
        super().keyPressEvent(event)  # PageUp / PageDown scroll

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        keyboard = (
            Qt.FocusReason.TabFocusReason,
            Qt.FocusReason.BacktabFocusReason,
            Qt.FocusReason.ShortcutFocusReason,
        )
        if self._focused is None and event.reason() in keyboard:
            self._set_focus_cursor(self._first_visible_actionable(), scroll=False)
        self.viewport().update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.viewport().update()

    # --- handlers ------------------------------------------------------------------------

    def _on_scroll_bar_value_changed(self, _value: int) -> None:
        if self.isVisible():
            self._scroll_anchor_hours = None
        self.viewport().update()

    # --- building ------------------------------------------------------------------------

    def _update_metrics(self) -> None:
        """Sizes follow the font, so the view stays readable at any font size."""
        self._font = QFont(self.font())
        self._bold = QFont(self._font)
        self._bold.setBold(True)
        self._small = QFont(self._font)
        if self._font.pointSizeF() > 0:
            self._small.setPointSizeF(max(6.0, self._font.pointSizeF() * 0.85))
        else:
            self._small.setPixelSize(max(8, round(self._font.pixelSize() * 0.85)))
        self._small_bold = QFont(self._small)
        self._small_bold.setBold(True)
        metrics = QFontMetrics(self._font)
        small = QFontMetrics(self._small)
        self._line = metrics.lineSpacing()
        self._small_line = small.lineSpacing()
        self._header_height = self._line + self._small_line + 12
        self._gutter_width = small.horizontalAdvance("00:00") + 16
        if self._pixels_per_hour is not None:
            self._pph = self._pixels_per_hour
        else:  # a half-hour block holds two lines of text
            self._pph = max(40, 2 * (2 * self._line + 6))

    def _rebuild(self) -> None:
        """Place every item once per layout: lanes, hours since midnight, column labels."""
        self._placed, self._by_day, self._actionable, self._columns = {}, [], [], []
        layout = self._layout
        if layout is None:
            self._content_hours = 24.0
            return
        self._content_hours = max(24.0, *(day.hours for day in layout.days))
        small = QFontMetrics(self._small)
        zone = ZoneInfo(layout.time_zone)
        for index, day in enumerate(layout.days):
            placed = self._place_day(index, day)
            self._by_day.append(placed)
            for entry in placed:
                self._placed[entry.item] = entry
            self._actionable.append(
                [
                    entry.item
                    for entry in sorted(placed, key=lambda p: (p.start_hours, p.lane))
                    if entry.item.kind in ACTIONABLE_KINDS
                ]
            )
            inside = _labels_differ_from_plain_day(day)
            strip = (
                max(
                    small.horizontalAdvance(part)
                    for mark in day.hour_marks
                    for part in self._strip_label_parts(mark.label)
                )
                + 10
                if inside and day.hour_marks
                else 0
            )
            changes = tuple(
                self._hours_into(day, moment) for moment in transitions(zone, day.start, day.end)
            )
            self._columns.append(_ColumnInfo(inside, strip, changes, _clock_note(day)))

    def _place_day(self, index: int, day: DayColumn) -> list[_Placed]:
        """Background items first, then free slots and appointments in lanes."""

        def hours(item: WeekItem) -> tuple[float, float]:
            start = max(item.start, day.start)
            end = min(item.end, day.end)  # a slot running past midnight is cut at it
            return self._hours_into(day, start), self._hours_into(day, end)

        background = [
            _Placed(item, index, *hours(item))
            for kind in BACKGROUND_KINDS
            for item in day.items
            if item.kind is kind
        ]
        foreground = sorted(
            (item for item in day.items if item.kind in ACTIONABLE_KINDS),
            key=lambda item: (item.start, item.end, item.kind is ItemKind.APPOINTMENT),
        )
        return background + _lanes(index, [(item, *hours(item)) for item in foreground])

    def _refound(self, item: WeekItem | None) -> WeekItem | None:
        """The same item in the new layout, else the nearest one the same day."""
        if item is None or self._layout is None:
            return None
        wanted = _identity(item)
        for items in self._actionable:
            for candidate in items:
                if _identity(candidate) == wanted:
                    return candidate
        index = next(
            (i for i, day in enumerate(self._layout.days) if day.start <= item.start < day.end),
            None,
        )
        if index is None or not self._actionable[index]:
            return None
        return min(self._actionable[index], key=lambda c: abs(c.start - item.start))

    def _first_open_hours(self) -> float:
        assert self._layout is not None
        opens = [
            entry.start_hours
            for placed in self._by_day
            for entry in placed
            if entry.item.kind is ItemKind.OPEN
        ]
        return min(opens, default=DEFAULT_FIRST_HOUR)

    # --- geometry ------------------------------------------------------------------------

    def _update_scroll_bars(self) -> None:
        viewport = self.viewport()
        body = max(0, viewport.height() - self._header_height)
        content = math.ceil(self._content_hours * self._pph)
        vertical = self.verticalScrollBar()
        vertical.setRange(0, max(0, content - body))
        vertical.setPageStep(max(1, body))
        vertical.setSingleStep(max(1, self._pph // 4))
        available = max(0, viewport.width() - self._gutter_width)
        columns = math.ceil(7 * self._column_width())
        horizontal = self.horizontalScrollBar()
        horizontal.setRange(0, max(0, columns - available))
        horizontal.setPageStep(max(1, available))
        horizontal.setSingleStep(max(1, MIN_COLUMN_WIDTH // 4))

    def _apply_scroll_anchor(self) -> None:
        """Scroll to the anchor; keep it until the view has been shown, since the scroll
        range is only right once the view has its real size."""
        if self._scroll_anchor_hours is None:
            return
        visible = self.isVisible()
        self.verticalScrollBar().setValue(round(self._scroll_anchor_hours * self._pph))
        if visible:
            self._scroll_anchor_hours = None

    def _column_width(self) -> float:
        available = self.viewport().width() - self._gutter_width
        return max(float(MIN_COLUMN_WIDTH), available / 7)

    def _column_span(self, index: int) -> tuple[int, int]:
        width = self._column_width()
        shift = self._gutter_width - self.horizontalScrollBar().value()
        left = shift + round(index * width)
        return left, shift + round((index + 1) * width) - left

    def _column_at(self, x: int) -> int | None:
        if self._layout is None or x < self._gutter_width:
            return None
        for index in range(len(self._layout.days)):
            left, width = self._column_span(index)
            if left <= x < left + width:
                return index
        return None

    def _y(self, hours: float) -> int:
        return self._header_height + round(hours * self._pph) - self.verticalScrollBar().value()

    @staticmethod
    def _hours_into(day: DayColumn, moment: datetime) -> float:
        return (moment - day.start).total_seconds() / 3600

    def _rect_of(self, placed: _Placed) -> QRect:
        left, width = self._column_span(placed.day_index)
        strip = self._columns[placed.day_index].strip_width
        top, bottom = self._y(placed.start_hours), self._y(placed.end_hours)
        if placed.item.kind not in ACTIONABLE_KINDS:
            return QRect(left + strip, top, width - strip, bottom - top)
        area_left, area_right = left + strip + 3, left + width - 4
        lane_width = (area_right - area_left) / placed.lanes
        x0 = area_left + round(placed.lane * lane_width)
        x1 = area_left + round((placed.lane + 1) * lane_width) - (2 if placed.lanes > 1 else 0)
        height = max(4, bottom - top - 1)  # one pixel apart from the next block
        return QRect(x0, top + 1 if bottom - top > 5 else top, max(4, x1 - x0), height)

    def _placed_at(self, point: QPoint) -> _Placed | None:
        if point.y() < self._header_height:
            return None
        index = self._column_at(point.x())
        if index is None:
            return None
        for placed in reversed(self._by_day[index]):  # topmost first
            if self._rect_of(placed).contains(point):
                return placed
        return None

    def _actionable_at(self, point: QPoint) -> WeekItem | None:
        placed = self._placed_at(point)
        if placed is None or placed.item.kind not in ACTIONABLE_KINDS:
            return None
        return placed.item

    def _day_index(self, day: date) -> int | None:
        if self._layout is None:
            return None
        return next((i for i, d in enumerate(self._layout.days) if d.day == day), None)

    def _day_of_item(self, item: WeekItem) -> DayColumn | None:
        placed = self._placed.get(item)
        if placed is None or self._layout is None:
            return None
        return self._layout.days[placed.day_index]

    # --- keyboard ------------------------------------------------------------------------

    def _position_of_focus(self) -> tuple[int, int]:
        assert self._focused is not None
        day_index = self._placed[self._focused].day_index
        return day_index, self._actionable[day_index].index(self._focused)

    def _step_in_day(self, step: int) -> WeekItem | None:
        day_index, position = self._position_of_focus()
        items = self._actionable[day_index]
        return items[max(0, min(len(items) - 1, position + step))]

    def _edge_of_day(self, *, first: bool) -> WeekItem | None:
        day_index, _position = self._position_of_focus()
        items = self._actionable[day_index]
        return items[0] if first else items[-1]

    def _step_day(self, step: int) -> WeekItem | None:
        """The nearest item in time of day (elapsed since midnight) on the next day that has
        something to act on; the focused item when no such day follows."""
        day_index, _position = self._position_of_focus()
        assert self._focused is not None
        wanted = self._placed[self._focused].start_hours
        index = day_index + step
        while 0 <= index < len(self._actionable):
            if self._actionable[index]:
                return min(
                    self._actionable[index],
                    key=lambda item: (abs(self._placed[item].start_hours - wanted), item.start),
                )
            index += step
        return self._focused

    def _first_visible_actionable(self) -> WeekItem | None:
        """Where the cursor starts: the earliest visible item of the leftmost day with one,
        else the first of the week."""
        body = QRect(0, self._header_height, self.viewport().width(), self.viewport().height())
        for items in self._actionable:
            for item in items:
                if body.intersects(self.item_rect(item)):
                    return item
        return next((items[0] for items in self._actionable if items), None)

    def _set_focus_cursor(self, item: WeekItem | None, *, scroll: bool = True) -> None:
        changed = item != self._focused
        self._focused = item
        if item is not None and scroll:
            self.ensure_item_visible(item)
        self._update_accessible_description()
        self.viewport().update()
        if changed:
            self.focused_item_changed.emit(item)

    def _activate_focused(self) -> None:
        item = self._focused
        if item is None:
            return
        if item.kind is ItemKind.FREE_SLOT:
            self.slot_activated.emit(item)
        elif item.kind is ItemKind.APPOINTMENT:
            self.appointment_activated.emit(item)

    def _request_menu_from_keyboard(self) -> None:
        """Menu key or Shift+F10 on the focused appointment. Some platforms deliver both a
        key press and a keyboard context-menu event for one press: only the first counts."""
        now = time.monotonic()
        if now - self._last_keyboard_menu < KEYBOARD_MENU_DEDUPE_SECONDS:
            return
        item = self._focused
        if item is None or item.kind is not ItemKind.APPOINTMENT:
            return
        self._last_keyboard_menu = now
        self.ensure_item_visible(item)
        rect = self.item_rect(item)
        body = QRect(0, self._header_height, self.viewport().width(), self.viewport().height())
        visible = rect.intersected(body) if rect.intersects(body) else rect
        anchor = QPoint(visible.left() + 8, visible.top() + min(visible.height(), 2 * self._line))
        self.appointment_menu_requested.emit(item, self.viewport().mapToGlobal(anchor))

    def _update_accessible_description(self) -> None:
        if self._focused is not None:
            self.setAccessibleDescription(self.describe(self._focused))
        elif self._layout is None:
            self.setAccessibleDescription("No week is shown.")
        else:
            self.setAccessibleDescription(
                f"Week of {_day_long(self._layout.monday)} ({self._layout.time_zone}). "
                "Arrow keys move between free slots and appointments; Enter books or opens."
            )

    def _set_hovered(self, item: WeekItem | None) -> None:
        if item == self._hovered:
            return
        for old in (self._hovered, item):
            if old is not None:
                self.viewport().update(self.item_rect(old).adjusted(-2, -2, 2, 2))
        self._hovered = item
        cursor = Qt.CursorShape.PointingHandCursor if item else Qt.CursorShape.ArrowCursor
        self.viewport().setCursor(cursor)

    # --- tooltips ------------------------------------------------------------------------

    def _show_tooltip(self, event: QHelpEvent) -> None:
        point = event.pos()
        text, area = "", QRect()
        if self._layout is not None and point.y() < self._header_height:
            index = self._column_at(point.x())
            if index is not None:
                text = self._day_tooltip(self._layout.days[index])
                left, width = self._column_span(index)
                area = QRect(left, 0, width, self._header_height)
            elif point.x() < self._gutter_width:
                text = _legend_text()
                area = QRect(0, 0, self._gutter_width, self._header_height)
        else:
            placed = self._placed_at(point)
            if placed is not None:
                text, area = self.describe(placed.item), self._rect_of(placed)
        if text:
            QToolTip.showText(event.globalPos(), text, self.viewport(), area)
        else:
            QToolTip.hideText()
            event.ignore()

    def _day_tooltip(self, day: DayColumn) -> str:
        assert self._layout is not None
        lines = [_day_long(day.day, with_year=True)]
        if self._is_today(day):
            lines.append("Today")
        if day.changes_clocks:
            lines.append(
                f"The {_clock_note(day)}: this day has {_hours_text(day.hours)}. "
                "Hour labels inside the column show that day's clock."
            )
        if day.closed_reason:
            lines.append(_closed_text(day.closed_reason))
        lines.append(f"Times in {self._layout.time_zone}.")
        return "\n".join(lines)

    # --- text ----------------------------------------------------------------------------

    def _clock(self, moment: datetime, day: DayColumn) -> str:
        """'09:00', or '01:00 GMT' on a day the clocks change."""
        assert self._layout is not None
        local = to_local(moment, self._layout.time_zone)
        return local.strftime("%H:%M %Z" if day.changes_clocks else "%H:%M")

    def _span(self, start: datetime, end: datetime) -> str:
        """'09:00–09:30 GMT', or '01:30 BST–01:30 GMT' across a change."""
        assert self._layout is not None
        first = to_local(start, self._layout.time_zone)
        last = to_local(end, self._layout.time_zone)
        if first.tzname() == last.tzname():
            return f"{first:%H:%M}–{last:%H:%M} {first.tzname()}"
        return f"{first:%H:%M %Z}–{last:%H:%M %Z}"

    def _text_lines(self, placed: _Placed, rect: QRect) -> list[tuple[str, QFont]]:
        """What fits in the block, each line elided to its width; nothing is drawn outside."""
        item = placed.item
        assert self._layout is not None
        day = self._layout.days[placed.day_index]
        inner = _text_area(item, rect)
        if inner.width() < 8 or inner.height() < QFontMetrics(self._small).height() - 2:
            return []
        width = inner.width()
        wanted: list[tuple[str, QFont]]
        if item.kind is ItemKind.FREE_SLOT:
            clock = self._clock(item.start, day)
            # The cell's look already says "free": keep the time whole before the word.
            text = _first_fitting([f"Free {clock}", clock], QFontMetrics(self._bold), width)
            wanted = [(text, self._bold)]
        elif item.kind is ItemKind.APPOINTMENT and item.appointment is not None:
            appointment = item.appointment
            name_font = QFont(self._bold)
            name_font.setStrikeOut(appointment.status is AppointmentStatus.CANCELLED)
            status_font = QFont(self._small)
            status_font.setItalic(True)
            clock = self._clock(item.start, day)
            name = appointment.patient_name
            metrics = QFontMetrics(name_font)
            if _fits(f"{clock} {name[:4]}…", metrics, width):
                wanted = [(f"{clock} {name}", name_font)]
            else:  # narrow: the time on its own line rather than cut
                wanted = [(clock, name_font), (name, name_font)]
            if appointment.reason:
                wanted.append((appointment.reason, self._font))
            wanted.append((appointment.status.label, status_font))
        elif item.kind is ItemKind.ABSENCE:
            wanted = [(f"Away: {item.title}", self._small_bold), (self._span_of(item), self._small)]
        else:
            return []
        if inner.height() < QFontMetrics(wanted[0][1]).height():  # a short block: one small line
            small = QFont(self._small_bold)
            small.setStrikeOut(wanted[0][1].strikeOut())
            wanted = [(wanted[0][0], small)]
        lines: list[tuple[str, QFont]] = []
        used = 0
        for text, font in wanted:
            metrics = QFontMetrics(font)
            if lines and used + metrics.height() > inner.height():
                break
            elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
            lines.append((elided, font))
            used += metrics.lineSpacing()
        return lines

    def _span_of(self, item: WeekItem) -> str:
        return self._span(item.start, item.end)

    def _is_today(self, day: DayColumn) -> bool:
        assert self._layout is not None
        return to_local(self._layout.now, self._layout.time_zone).date() == day.day

    # --- painting ------------------------------------------------------------------------

    def _paint(self, painter: QPainter, dirty: QRect) -> None:
        viewport = self.viewport().rect()
        painter.fillRect(dirty, self.palette().base())
        layout = self._layout
        if layout is None:
            painter.setPen(self.palette().color(self.palette().ColorRole.PlaceholderText))
            painter.drawText(viewport, Qt.AlignmentFlag.AlignCenter, "No week to show")
            return
        body = QRect(0, self._header_height, viewport.width(), viewport.height())
        painter.setBrushOrigin(0, self._y(0.0))  # hatching scrolls with the content
        for index, day in enumerate(layout.days):
            left, width = self._column_span(index)
            column = QRect(left, self._header_height, width, viewport.height())
            if column.right() < self._gutter_width or not column.intersects(dirty):
                continue
            painter.save()
            painter.setClipRect(column.intersected(body).intersected(dirty))
            self._paint_column(painter, index, day, left, width, dirty)
            painter.restore()
        self._paint_gutter(painter, viewport, dirty)
        self._paint_header(painter, viewport, dirty)

    def _paint_column(
        self, painter: QPainter, index: int, day: DayColumn, left: int, width: int, dirty: QRect
    ) -> None:
        info = self._columns[index]
        top, end = self._y(0.0), self._y(day.hours)
        bottom = self._y(self._content_hours)
        painter.fillRect(
            QRect(left, top, width, end - top), TODAY_COLOUR if self._is_today(day) else BASE_COLOUR
        )
        if info.strip_width:
            painter.fillRect(QRect(left, top, info.strip_width, end - top), STRIP_COLOUR)
        if end < bottom:  # a short day: the hours it does not have
            self._hatch(painter, QRect(left, end, width, bottom - end), NO_TIME_COLOUR)
            self._draw_note(painter, QRect(left, end, width, bottom - end), "End of day")
        placed = [p for p in self._by_day[index] if self._rect_of(p).intersects(dirty)]
        for entry in placed:
            if entry.item.kind is ItemKind.OPEN:
                painter.fillRect(self._rect_of(entry), OPEN_COLOUR)
            elif entry.item.kind in (ItemKind.ABSENCE, ItemKind.CLOSED):
                self._hatch(painter, self._rect_of(entry), GREY_COLOUR)
        self._paint_hour_lines(painter, index, day, left, width)
        for entry in placed:
            if entry.item.kind is ItemKind.ABSENCE:
                self._paint_text(painter, entry, QColor("#3d3d3d"))
        if day.closed_reason is not None:
            visible_top = max(top, self._header_height) + 6
            note = QRect(left + info.strip_width, visible_top, width - info.strip_width, 0)
            self._draw_note(painter, note, _closed_text(day.closed_reason), sticky=True)
        for entry in placed:
            if entry.item.kind is ItemKind.FREE_SLOT:
                self._paint_free_slot(painter, entry)
            elif entry.item.kind is ItemKind.APPOINTMENT:
                self._paint_appointment(painter, entry)
        self._paint_now_line(painter, day)
        if self._focused is not None and self._placed[self._focused].day_index == index:
            self._paint_focus(painter, self.item_rect(self._focused))
        painter.setPen(QPen(SEPARATOR, 1))
        painter.drawLine(left + width - 1, top, left + width - 1, bottom)

    def _paint_hour_lines(
        self, painter: QPainter, index: int, day: DayColumn, left: int, width: int
    ) -> None:
        info = self._columns[index]
        right = left + width - 1
        marks = day.hour_marks
        elapsed = [self._hours_into(day, mark.at) for mark in marks]
        half_pen = QPen(HALF_HOUR_LINE, 1, Qt.PenStyle.DotLine)
        for position, hours in enumerate(elapsed):
            following = elapsed[position + 1] if position + 1 < len(elapsed) else day.hours
            if math.isclose(following - hours, 1.0):
                painter.setPen(half_pen)
                y = self._y(hours + 0.5)
                painter.drawLine(left + info.strip_width, y, right, y)
        # Lines stop short of the strip's labels (a tick remains) so none is struck through.
        line_left = left + max(0, info.strip_width - 4)
        for position, mark in enumerate(marks):
            y = self._y(elapsed[position])
            if mark.repeated:
                painter.setPen(QPen(CLOCK_CHANGE, 1, Qt.PenStyle.DashLine))
            else:
                painter.setPen(QPen(HOUR_LINE, 1))
            painter.drawLine(line_left, y, right, y)
        for hours in info.changes_hours:  # the instant the clocks move
            y = self._y(hours)
            painter.setPen(QPen(CLOCK_CHANGE, 2))
            painter.drawLine(line_left, y, right, y)
        if not info.labels_inside:
            return
        painter.setFont(self._small)
        painter.setPen(CLOCK_NOTE_TEXT)
        column_top = self._y(0.0)
        for position, mark in enumerate(marks):
            y = self._y(elapsed[position])
            label_top = max(column_top + 1, y - self._small_line // 2)
            for part in self._strip_label_parts(mark.label):
                box = QRect(left + 4, label_top, info.strip_width - 6, self._small_line)
                painter.drawText(
                    box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, part
                )
                label_top += self._small_line

    def _strip_label_parts(self, label: str) -> list[str]:
        """'01:00 GMT' as two short lines when an hour has room, so the strip stays narrow."""
        if self._pph >= 2 * self._small_line + 8:
            return label.split(" ", 1)
        return [label]

    def _paint_free_slot(self, painter: QPainter, placed: _Placed) -> None:
        rect = self._rect_of(placed)
        fill = FREE_HOVER_FILL if placed.item == self._hovered else FREE_FILL
        painter.fillRect(rect, fill)
        painter.setPen(QPen(FREE_BORDER, 1))
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
        self._paint_text(painter, placed, FREE_TEXT)

    def _paint_appointment(self, painter: QPainter, placed: _Placed) -> None:
        appointment = placed.item.appointment
        assert appointment is not None
        colours = status_colours(appointment.status)
        rect = self._rect_of(placed)
        painter.fillRect(rect, colours.fill)
        painter.fillRect(
            QRect(rect.left(), rect.top(), min(4, rect.width()), rect.height()), colours.accent
        )
        style = (
            Qt.PenStyle.DashLine
            if appointment.status is AppointmentStatus.CANCELLED
            else Qt.PenStyle.SolidLine
        )
        painter.setPen(QPen(colours.accent, 1, style))
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
        self._paint_text(painter, placed, colours.text)

    def _paint_text(self, painter: QPainter, placed: _Placed, colour: QColor) -> None:
        rect = self._rect_of(placed)
        inner = _text_area(placed.item, rect)
        painter.save()
        painter.setClipRect(inner, Qt.ClipOperation.IntersectClip)
        painter.setPen(colour)
        y = inner.top()
        for text, font in self._text_lines(placed, rect):
            painter.setFont(font)
            height = min(QFontMetrics(font).lineSpacing(), inner.bottom() + 1 - y)
            painter.drawText(
                QRect(inner.left(), y, inner.width(), height),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                text,
            )
            y += height
        painter.restore()

    def _paint_now_line(self, painter: QPainter, day: DayColumn) -> None:
        assert self._layout is not None
        if not day.start <= self._layout.now < day.end:
            return
        line = self.now_line_rect()
        assert line is not None
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(line, NOW_COLOUR)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(NOW_COLOUR)
        painter.drawEllipse(QPoint(line.left() + 4, line.center().y()), 4, 4)
        painter.restore()

    def _paint_focus(self, painter: QPainter, rect: QRect) -> None:
        """A thick frame with a white inner edge, readable on every status colour; dashed
        while the view does not have the keyboard focus, so the selection stays visible."""
        painter.save()
        painter.setBrush(Qt.BrushStyle.NoBrush)
        outer = rect.adjusted(-1, -1, 0, 0)
        if self.hasFocus():
            painter.setPen(
                QPen(
                    FOCUS_COLOUR,
                    3,
                    Qt.PenStyle.SolidLine,
                    Qt.PenCapStyle.SquareCap,
                    Qt.PenJoinStyle.MiterJoin,
                )
            )
            painter.drawRect(outer)
            painter.setPen(QPen(QColor("#ffffff"), 1))
            painter.drawRect(outer.adjusted(2, 2, -2, -2))
        else:
            painter.setPen(QPen(FOCUS_COLOUR, 2, Qt.PenStyle.DashLine))
            painter.drawRect(outer)
        painter.restore()

    def _paint_gutter(self, painter: QPainter, viewport: QRect, dirty: QRect) -> None:
        gutter = QRect(0, self._header_height, self._gutter_width, viewport.height())
        if not gutter.intersects(dirty):
            return
        painter.save()
        painter.setClipRect(gutter)
        painter.fillRect(gutter, self.palette().window())
        painter.setFont(self._small)
        painter.setPen(self.palette().color(self.palette().ColorRole.WindowText))
        top = self._y(0.0)
        for y, label in self.gutter_labels():
            label_top = max(top + 1, y - self._small_line // 2)
            box = QRect(2, label_top, self._gutter_width - 8, self._small_line)
            painter.drawText(
                box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label
            )
        painter.setPen(QPen(SEPARATOR, 1))
        painter.drawLine(
            self._gutter_width - 1, gutter.top(), self._gutter_width - 1, gutter.bottom()
        )
        painter.restore()

    def _paint_header(self, painter: QPainter, viewport: QRect, dirty: QRect) -> None:
        assert self._layout is not None
        header = QRect(0, 0, viewport.width(), self._header_height)
        if not header.intersects(dirty):
            return
        painter.save()
        painter.setClipRect(header)
        painter.fillRect(header, self.palette().window())
        text_colour = self.palette().color(self.palette().ColorRole.WindowText)
        for index, day in enumerate(self._layout.days):
            left, width = self._column_span(index)
            if left + width < self._gutter_width:
                continue
            cell = QRect(left, 0, width, self._header_height)
            painter.save()
            painter.setClipRect(
                cell.intersected(
                    QRect(self._gutter_width, 0, viewport.width(), self._header_height)
                )
            )
            today = self._is_today(day)
            if today:
                painter.fillRect(cell, QColor("#dbe6fb"))
                painter.fillRect(QRect(left, self._header_height - 3, width, 3), FOCUS_COLOUR)
            inner = cell.adjusted(4, 4, -4, -4)
            painter.setFont(self._bold)
            painter.setPen(FOCUS_COLOUR if today else text_colour)
            title = QFontMetrics(self._bold).elidedText(
                _day_short(day.day), Qt.TextElideMode.ElideRight, inner.width()
            )
            painter.drawText(
                QRect(inner.left(), inner.top(), inner.width(), self._line),
                Qt.AlignmentFlag.AlignCenter,
                title,
            )
            notes = [note for note in (self._columns[index].note, "Today" if today else "") if note]
            if day.closed_reason is not None:
                notes.append("Closed")
            if notes:
                painter.setFont(self._small)
                painter.setPen(CLOCK_NOTE_TEXT if day.changes_clocks else text_colour)
                note = QFontMetrics(self._small).elidedText(
                    " · ".join(notes), Qt.TextElideMode.ElideRight, inner.width()
                )
                painter.drawText(
                    QRect(inner.left(), inner.top() + self._line, inner.width(), self._small_line),
                    Qt.AlignmentFlag.AlignCenter,
                    note,
                )
            painter.restore()
            painter.setPen(QPen(SEPARATOR, 1))
            painter.drawLine(left + width - 1, 0, left + width - 1, self._header_height)
        corner = QRect(0, 0, self._gutter_width, self._header_height)
        painter.fillRect(corner, self.palette().window())
        painter.setPen(QPen(SEPARATOR, 1))
        painter.drawLine(0, self._header_height - 1, viewport.width(), self._header_height - 1)
        painter.drawLine(self._gutter_width - 1, 0, self._gutter_width - 1, self._header_height)
        painter.restore()

    def _hatch(self, painter: QPainter, rect: QRect, colour: QColor) -> None:
        painter.fillRect(rect, colour)
        painter.fillRect(rect, QBrush(HATCH_COLOUR, Qt.BrushStyle.BDiagPattern))

    def _draw_note(
        self, painter: QPainter, area: QRect, text: str, *, sticky: bool = False
    ) -> None:
        """A small label on a light box: the reason a day is closed, the end of a short day."""
        metrics = QFontMetrics(self._small_bold)
        width = min(area.width() - 8, metrics.horizontalAdvance(text) + 14)
        if width < 16 or (not sticky and area.height() < metrics.height() + 4):
            return
        elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width - 8)
        box = QRect(
            area.left() + (area.width() - width) // 2, area.top() + 2, width, metrics.height() + 4
        )
        painter.save()
        painter.setFont(self._small_bold)
        painter.fillRect(box, QColor(255, 255, 255, 225))
        painter.setPen(QColor("#3d3d3d"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, elided)
        painter.restore()


class WeekLegend(QWidget):
    """The colour key of the calendar, one swatch per status, wrapping onto more rows when
    the window is narrow."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip(_legend_text())
        self.setAccessibleName("Calendar colour key")
        self.setAccessibleDescription(", ".join(label for label, _colours in LEGEND))
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def sizeHint(self) -> QSize:
        entries = self._entries(10_000)
        return QSize(max(rect.right() for _l, _c, rect in entries) + 4, self._row_height() + 4)

    def minimumSizeHint(self) -> QSize:
        widest = max(self._entry_width(label) for label, _colours in LEGEND)
        return QSize(widest + 8, self._row_height() + 4)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return max(rect.bottom() for _l, _c, rect in self._entries(width)) + 3

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            size = self.fontMetrics().height() - 2
            painter.setPen(self.palette().color(self.palette().ColorRole.WindowText))
            for label, colours, rect in self._entries(self.width()):
                top = rect.top() + (rect.height() - size) // 2
                swatch = QRect(rect.left(), top, size, size)
                painter.fillRect(swatch, colours.fill)
                if label.startswith("Away"):
                    painter.fillRect(swatch, QBrush(HATCH_COLOUR, Qt.BrushStyle.BDiagPattern))
                else:
                    painter.fillRect(QRect(swatch.left(), top, 3, size), colours.accent)
                painter.save()
                painter.setPen(QPen(colours.accent, 1))
                painter.drawRect(swatch.adjusted(0, 0, -1, -1))
                painter.restore()
                text = rect.adjusted(size + 6, 0, 0, 0)
                painter.drawText(text, Qt.AlignmentFlag.AlignVCenter, label)
        finally:
            painter.end()

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 4

    def _entry_width(self, label: str) -> int:
        metrics = self.fontMetrics()
        return metrics.height() + 4 + metrics.horizontalAdvance(label) + 2

    def _entries(self, width: int) -> list[tuple[str, StatusColours, QRect]]:
        """Each entry's box, flowing left to right and wrapping at ``width``."""
        placed: list[tuple[str, StatusColours, QRect]] = []
        x, y, row = 4, 2, self._row_height()
        for label, colours in LEGEND:
            entry = self._entry_width(label)
            if x > 4 and x + entry > width:
                x, y = 4, y + row
            placed.append((label, colours, QRect(x, y, entry, row)))
            x += entry + 14
        return placed


# --- pure helpers ----------------------------------------------------------------------------


def _lanes(index: int, entries: Sequence[tuple[WeekItem, float, float]]) -> list[_Placed]:
    """Side-by-side lanes for overlapping blocks (a cancelled visit and its rebooking, a
    walk-in over a slot): each cluster of overlaps shares the column width."""
    placed: list[_Placed] = []
    cluster: list[tuple[WeekItem, float, float, int]] = []
    lane_ends: list[float] = []
    cluster_end = -math.inf

    def close_cluster() -> None:
        for item, start, end, lane in cluster:
            placed.append(_Placed(item, index, start, end, lane, len(lane_ends)))

    for item, start, end in entries:
        if cluster and start >= cluster_end:
            close_cluster()
            cluster, lane_ends = [], []
        lane = next((i for i, lane_end in enumerate(lane_ends) if lane_end <= start), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(end)
        else:
            lane_ends[lane] = end
        cluster.append((item, start, end, lane))
        cluster_end = max(cluster_end, end) if len(cluster) > 1 else end
    if cluster:
        close_cluster()
    return placed


def _first_fitting(candidates: Sequence[str], metrics: QFontMetrics, width: int) -> str:
    """The first text that fits whole, else the last one (to be elided)."""
    return next((text for text in candidates if _fits(text, metrics, width)), candidates[-1])


def _fits(text: str, metrics: QFontMetrics, width: int) -> bool:
    """Asked the way the text will be drawn (elidedText's own measure, not a sum of advances)."""
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width) == text


def _labels_differ_from_plain_day(day: DayColumn) -> bool:
    """True when the gutter's '00:00'..'23:00' would misread this column."""
    plain = [f"{hour:02d}:00" for hour in range(24)]
    marks = [((mark.at - day.start).total_seconds() / 3600, mark.label) for mark in day.hour_marks]
    return marks != [(float(hour), label) for hour, label in enumerate(plain)]


def _identity(item: WeekItem) -> tuple[object, ...]:
    """What stays the same across a refresh: the appointment id, or the slot's start."""
    if item.appointment is not None:
        return ("appointment", item.appointment.id)
    if item.slot is not None:
        return ("slot", item.slot.start, item.slot.rule_id)
    return (item.kind.value, item.start)


def _text_area(item: WeekItem, rect: QRect) -> QRect:
    pad = 2 if rect.height() >= 20 else 1
    if item.kind is ItemKind.APPOINTMENT:
        return rect.adjusted(8, pad, -4, -pad)  # clear of the status bar
    return rect.adjusted(5, pad, -4, -pad)


def _clock_note(day: DayColumn) -> str:
    """'clocks go back 1 h' on a 25-hour day, '' on a plain one."""
    difference = day.hours - 24
    if math.isclose(difference, 0.0) or not day.changes_clocks:
        return ""
    direction = "back" if difference > 0 else "forward"
    return f"clocks go {direction} {_hours_text(abs(difference))}"


def _hours_text(hours: float) -> str:
    minutes = round(hours * 60)
    whole, rest = divmod(minutes, 60)
    if whole and rest:
        return f"{whole} h {rest} min"
    if whole:
        return f"{whole} h"
    return f"{rest} min"


def _closed_text(reason: str) -> str:
    return "Closed" if reason.strip().lower() == "closed" else f"Closed: {reason}"


def _day_short(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _day_long(day: date, *, with_year: bool = False) -> str:
    return f"{day:%A} {day.day} {day:%B}" + (f" {day.year}" if with_year else "")


def _legend_text(entries: Iterable[tuple[str, StatusColours]] = LEGEND) -> str:
    return "Colours: " + ", ".join(label for label, _colours in entries) + "."
