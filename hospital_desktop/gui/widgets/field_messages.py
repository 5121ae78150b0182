"""Form rows with a message under each field: how every form in the application shows
what is wrong, keyed by the names the services use in ``ValidationError.field_errors``."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

ERROR_STYLE = "color: #b3261e;"
HINT_STYLE = "color: palette(placeholder-text);"


@dataclass
class _Field:
    widget: QWidget
    error: QLabel


class FieldMessages:
    """Rows of a form with a red message under each field, keyed by the names the services
    use in ``ValidationError.field_errors``."""

    def __init__(self, form: QFormLayout) -> None:
        self._form = form
        self._fields: dict[str, _Field] = {}

    def add(self, name: str, label: str, widget: QWidget, hint: str = "") -> QWidget:
        error = QLabel()
        error.setObjectName("fieldError")
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.setVisible(False)
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        if hint:
            column.addWidget(hint_label(hint))
        column.addWidget(error)
        caption = QLabel(f"{label}:")
        caption.setBuddy(widget)
        self._form.addRow(caption, cell)
        self._fields[name] = _Field(widget, error)
        if isinstance(widget, QLineEdit):  # retyping answers the message: it goes
            widget.textEdited.connect(lambda _text, field=name: self.clear_field(field))
        return widget

    def widget(self, name: str) -> QWidget:
        return self._fields[name].widget

    def focus_first(self) -> None:
        first = next(iter(self._fields.values()), None)
        if first is not None:
            first.widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def error(self, name: str) -> str:
        field = self._fields[name]
        return field.error.text() if not field.error.isHidden() else ""

    def clear(self) -> None:
        for name in self._fields:
            self.clear_field(name)

    def clear_field(self, name: str) -> None:
        field = self._fields[name]
        field.error.clear()
        field.error.setVisible(False)
        field.widget.setProperty("invalid", False)
        field.widget.setAccessibleDescription("")

    def show(self, errors: dict[str, str]) -> list[str]:
        """Put each message under its field; the messages with no field are returned."""
        self.clear()
        unplaced: list[str] = []
        first: QWidget | None = None
        for name, message in errors.items():
            field = self._fields.get(name)
            if field is None:
                unplaced.append(message)
                continue
            field.error.setText(message)
            field.error.setVisible(True)
            field.widget.setProperty("invalid", True)
            field.widget.setAccessibleDescription(message)
            first = first or field.widget
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        return unplaced


def hint_label(text: str) -> QLabel:
    """Grey help text under a field."""
    label = QLabel(text)
    label.setStyleSheet(HINT_STYLE)
    label.setWordWrap(True)
    return label
