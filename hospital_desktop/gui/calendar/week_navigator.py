"""The bar above the week calendar: previous / this / next week and which week is shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStyle, QToolButton, QWidget

from hospital_desktop.core.domain.clock import to_local, utc_now
from hospital_desktop.core.scheduling.week import monday_of


class WeekNavigator(QWidget):
    """Emits ``week_changed(monday)`` when the user moves; ``set_week`` does not emit, so a
    tab can follow the calendar without a signal loop.

    Shortcuts (window-wide while the bar is visible): Alt+Left previous week, Alt+Home this
    week, Alt+Right next week. PageUp/PageDown are left to the calendar, which scrolls.
    """

    week_changed = Signal(object)  # the Monday (a datetime.date) now shown

    def __init__(
        self,
        time_zone: str = "UTC",
        today: Callable[[str], date] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._time_zone = time_zone
        self._today = today or _today_in
        self._monday = monday_of(self._today(time_zone))
        style = self.style()
        self.previous_action = self._action(
            "Previous",
            "Previous week (Alt+Left)",
            "Alt+Left",
            style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack),
            self._on_previous_triggered,
        )
        self.today_action = self._action(
            "Today",
            "The week with today in it (Alt+Home)",
            "Alt+Home",
            None,
            self._on_today_triggered,
        )
        self.next_action = self._action(
            "Next",
            "Next week (Alt+Right)",
            "Alt+Right",
            style.standardIcon(QStyle.StandardPixmap.SP_ArrowForward),
            self._on_next_triggered,
        )
        self._label = QLabel()
        self._label.setObjectName("weekNavigatorLabel")
        font = self._label.font()
        font.setBold(True)
        self._label.setFont(font)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for action in (self.previous_action, self.today_action, self.next_action):
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setAutoRaise(False)
            row.addWidget(button)
        row.addSpacing(12)
        row.addWidget(self._label, 1)
        self._show_label()

    # --- public API --------------------------------------------------------------------

    def week(self) -> date:
        return self._monday

    def set_week(self, monday: date) -> None:
        """Show the week holding ``monday`` (any day of it will do); no signal."""
        self._monday = monday_of(monday)
        self._show_label()

    def set_time_zone(self, time_zone: str) -> None:
        """The hospital's zone: it names the week and decides which day is today."""
        self._time_zone = time_zone
        self._show_label()

    def label_text(self) -> str:
        return self._label.text()

    # --- handlers ------------------------------------------------------------------------

    def _on_previous_triggered(self) -> None:
        self._move_to(self._monday - timedelta(days=7))

    def _on_today_triggered(self) -> None:
        self._move_to(monday_of(self._today(self._time_zone)))

    def _on_next_triggered(self) -> None:
        self._move_to(self._monday + timedelta(days=7))

    # --- helpers ---------------------------------------------------------------------------

    def _action(
        self,
        text: str,
        tooltip: str,
        shortcut: str,
        icon: QIcon | None,
        handler: Callable[[], None],
    ) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tooltip)
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if icon is not None:
            action.setIcon(icon)
        action.triggered.connect(handler)
        self.addAction(action)
        return action

    def _move_to(self, monday: date) -> None:
        self.set_week(monday)
        self.week_changed.emit(self._monday)

    def _show_label(self) -> None:
        monday = self._monday
        self._label.setText(f"Week of {monday.day} {monday:%b %Y} ({self._time_zone})")
        self._label.setAccessibleName(self._label.text())


def _today_in(time_zone: str) -> date:
    return to_local(utc_now(), time_zone).date()
