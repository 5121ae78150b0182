"""Pick one record (a patient, a doctor, a hospital) by typing part of its name.

Suggestions come from the database through the task runner as the user types, so the
picker works the same with ten patients or a million.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from hospital_desktop.gui.tasks import TaskRunner

Choice = tuple[int, str]
SUGGESTIONS = 20
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class RecordPicker(QLineEdit):
    """``choice_changed(id or None)`` fires when a suggestion is taken or the text is edited."""

    choice_changed = Signal(object)

    def __init__(
        self,
        search: Callable[[str, int], list[Choice]],
        tasks: TaskRunner,
        placeholder: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._search = search
        self._tasks = tasks
        self._choice: Choice | None = None
        self._asked = ""
        self.setPlaceholderText(placeholder)
        self.setClearButtonEnabled(True)
        self._suggestions = QStandardItemModel(self)
        completer = QCompleter(self._suggestions, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(12)
        completer.activated[QModelIndex].connect(self._on_suggestion_activated)
        self.setCompleter(completer)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._ask)
        self.textEdited.connect(self._on_text_edited)

    def value(self) -> int | None:
        return self._choice[0] if self._choice else None

    def label(self) -> str:
        return self._choice[1] if self._choice else ""

    def set_choice(self, record_id: int | None, label: str = "") -> None:
        self._choice = (record_id, label) if record_id is not None else None
        self.setText(label if record_id is not None else "")
        self.setCursorPosition(0)  # show the start of a long label, not its end
        self.choice_changed.emit(self.value())

    def suggestion_count(self) -> int:
        return self._suggestions.rowCount()

    def choose_suggestion(self, row: int) -> None:
        """Take the suggestion in ``row`` as if it had been clicked."""
        self._on_suggestion_activated(self._suggestions.index(row, 0))

    def _on_text_edited(self, _text: str) -> None:
        if self._choice is not None:
            self._choice = None
            self.choice_changed.emit(None)
        self._timer.start()

    def _ask(self) -> None:
        text = self.text().strip()
        self._asked = text
        self._tasks.run(
            lambda: self._search(text, SUGGESTIONS), lambda found: self._show(text, found)
        )

    def _show(self, asked: str, found: list[Choice]) -> None:
        if asked != self._asked:
            return
        self._suggestions.clear()
        for record_id, label in found:
            item = QStandardItem(label)
            item.setData(record_id, ID_ROLE)
            self._suggestions.appendRow(item)
        if found and self.hasFocus():
            self.completer().complete()

    def _on_suggestion_activated(self, index: QModelIndex) -> None:
        record_id = index.data(ID_ROLE)
        if record_id is None:
            return
        self.set_choice(int(record_id), str(index.data(Qt.ItemDataRole.DisplayRole)))
