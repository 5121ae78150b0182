"""A search field that waits for a pause in typing before it asks the database."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QWidget

DEBOUNCE_MS = 300


class SearchBox(QLineEdit):
    """Emits ``search_changed(text)`` once typing pauses, or at once on Enter."""

    search_changed = Signal(str)

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._last = ""
        self._timer.timeout.connect(self._emit)
        self.textEdited.connect(self._timer.start)
        self.textChanged.connect(self._on_text_changed)
        self.returnPressed.connect(self._emit)

    def _on_text_changed(self, text: str) -> None:
        if not text:  # the clear button: no need to wait
            self._emit()

    def _emit(self) -> None:
        self._timer.stop()
        text = self.text().strip()
        if text != self._last:
            self._last = text
            self.search_changed.emit(text)
