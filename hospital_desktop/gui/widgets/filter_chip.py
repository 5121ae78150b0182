"""Shows the relationship a list is narrowed to ('Doctors of St Mary's') with a clear button."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget


class FilterChip(QWidget):
    cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        self._label = QLabel()
        self._label.setObjectName("filterChipLabel")
        self._clear = QToolButton()
        self._clear.setText("Show all")
        self._clear.setToolTip("Remove this filter and show every record")
        self._clear.clicked.connect(self._on_clear_clicked)
        layout.addWidget(self._label)
        layout.addWidget(self._clear)
        self.setVisible(False)

    @property
    def text(self) -> str:
        return self._label.text() if self.isVisibleTo(self.parentWidget()) else ""

    def show_filter(self, text: str) -> None:
        self._label.setText(text)
        self.setVisible(True)

    def hide_filter(self) -> None:
        self._label.clear()
        self.setVisible(False)

    def _on_clear_clicked(self) -> None:
        self.hide_filter()
        self.cleared.emit()
