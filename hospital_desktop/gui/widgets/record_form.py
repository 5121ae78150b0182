"""The detail panel of a tab: view, create and edit one record, with messages by the fields.

Subclasses declare their fields and say how to turn them into a draft; saving goes through
the task runner to a service, and a ValidationError puts each message next to its field.
Nothing is written unless the service accepts the whole draft.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from hospital_desktop.core.domain.errors import ValidationError
from hospital_desktop.gui.errors import show_error
from hospital_desktop.gui.tasks import TaskRunner
from hospital_desktop.gui.widgets.field_messages import FieldMessages

RecordT = TypeVar("RecordT")


class RecordForm(QWidget, Generic[RecordT]):
    """``saved(record)`` after a successful save; ``navigate(target, record)`` for links."""

    saved = Signal(object)
    navigate = Signal(str, object)

    kind = "record"  # "patient", "doctor"... for titles and messages

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._record: RecordT | None = None
        self._dirty = False
        self._filling = False
        self._saving = False
        self._read_only = False

        self._title = QLabel()
        self._title.setObjectName("formTitle")
        font = self._title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self._title.setFont(font)
        self._title.setWordWrap(True)
        self._subtitle = QLabel()
        self._subtitle.setObjectName("formSubtitle")
        self._subtitle.setWordWrap(True)

        self._layout = QFormLayout()
        self._layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields = FieldMessages(self._layout)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addLayout(self._layout)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(body)
        self._body = body
        self._read_only_note = QLabel()
        self._read_only_note.setObjectName("readOnlyNote")
        self._read_only_note.setWordWrap(True)
        self._read_only_note.setVisible(False)

        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.save_button.setToolTip("Save the changes (Ctrl+S)")
        self.save_button.clicked.connect(self.submit)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Throw away unsaved changes")
        self.revert_button.clicked.connect(self.revert)
        self.archive_button = QPushButton("Archive")
        self.archive_button.clicked.connect(self._on_archive_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addStretch(1)
        buttons.addWidget(self.archive_button)

        self._links = QHBoxLayout()
        self._links.setContentsMargins(0, 0, 0, 0)

        layout = QVBoxLayout(self)
        layout.addWidget(self._title)
        layout.addWidget(self._subtitle)
        layout.addLayout(self._links)
        layout.addWidget(scroll, 1)
        layout.addWidget(self._read_only_note)
        layout.addLayout(buttons)
        self.setMinimumWidth(360)

    # --- building the form (subclasses) ------------------------------------------------

    def add_field(self, name: str, label: str, widget: QWidget, hint: str = "") -> QWidget:
        self.fields.add(name, label, widget, hint)
        self._watch(widget)
        return widget

    def add_text(self, name: str, label: str, placeholder: str = "", hint: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        self.add_field(name, label, edit, hint)
        return edit

    def add_link(self, text: str, target: str, tooltip: str) -> QPushButton:
        """A button that shows related records in another tab ('Appointments', 'Doctors')."""
        button = QPushButton(text)
        button.setToolTip(tooltip)
        button.setFlat(False)
        button.clicked.connect(lambda: self._on_link_clicked(target))
        self._links.addWidget(button)
        return button

    def _on_link_clicked(self, target: str) -> None:
        if self._record is not None:
            self.navigate.emit(target, self._record)

    def finish_links(self) -> None:
        self._links.addStretch(1)

    # --- what subclasses implement -----------------------------------------------------

    def fill(self, record: RecordT | None) -> None:
        raise NotImplementedError

    def describe(self, record: RecordT) -> tuple[str, str]:
        """Title and subtitle for a record."""
        raise NotImplementedError

    def save_work(self, record: RecordT | None) -> Callable[[], RecordT]:
        """The service call that saves the form: create when ``record`` is None."""
        raise NotImplementedError

    def archive_work(self, record: RecordT, archived: bool) -> Callable[[], RecordT]:
        raise NotImplementedError

    def is_archived(self, record: RecordT) -> bool:
        return bool(getattr(record, "archived", False))

    # --- state -------------------------------------------------------------------------

    @property
    def record(self) -> RecordT | None:
        return self._record

    @property
    def is_dirty(self) -> bool:
        return self._dirty

    def set_record(self, record: RecordT | None) -> None:
        """Show ``record`` (None: an empty form for a new one)."""
        self._record = record
        self._filling = True
        try:
            self.fill(record)
        finally:
            self._filling = False
        self._dirty = False
        self.clear_errors()
        if record is None and self._read_only:
            self._title.setText(f"No {self.kind} chosen")
            self._subtitle.setText(f"Choose a {self.kind} in the list to see the details.")
        elif record is None:
            self._title.setText(f"New {self.kind}")
            self._subtitle.setText("Fill in the fields and press Save.")
        else:
            title, subtitle = self.describe(record)
            archived = self.is_archived(record)
            self._title.setText(title + (" (archived)" if archived else ""))
            self._subtitle.setText(subtitle)
        self.archive_button.setVisible(record is not None and not self._read_only)
        if record is not None:
            self.archive_button.setText("Restore" if self.is_archived(record) else "Archive")
        for index in range(self._links.count()):
            widget = self._links.itemAt(index).widget()
            if widget is not None:
                widget.setEnabled(record is not None)
        self._update_buttons()

    def confirm_discard(self) -> bool:
        """Ask before unsaved edits are thrown away; True when it is fine to go on."""
        if not self._dirty:
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"This {self.kind} has changes that are not saved. Discard them?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def focus_first_field(self) -> None:
        self.fields.focus_first()

    def revert(self) -> None:
        self.set_record(self._record)

    def field_error(self, name: str) -> str:
        return self.fields.error(name)

    def field_widget(self, name: str) -> QWidget:
        return self.fields.widget(name)

    def clear_errors(self) -> None:
        self.fields.clear()

    def show_errors(self, errors: dict[str, str]) -> None:
        unplaced = self.fields.show(errors)
        if unplaced:
            QMessageBox.warning(self, "Please check", "\n".join(unplaced))

    # --- saving ------------------------------------------------------------------------

    def submit(self) -> None:
        if self._saving:
            return
        try:
            work = self.save_work(self._record)
        except ValidationError as error:  # a field the form itself could not read
            self.show_errors(error.field_errors)
            return
        self._saving = True
        self._update_buttons()
        self._tasks.run(work, self._on_saved, self._on_save_failed)

    def _on_saved(self, record: RecordT) -> None:
        self._saving = False
        self.set_record(record)
        self.saved.emit(record)

    def _on_save_failed(self, error: BaseException) -> None:
        self._saving = False
        self._update_buttons()
        if isinstance(error, ValidationError):
            self.show_errors(error.field_errors)
        else:
            show_error(self, error, f"The {self.kind} was not saved")

    def _on_archive_clicked(self) -> None:
        record = self._record
        if record is None:
            return
        archived = self.is_archived(record)
        if not archived:
            answer = QMessageBox.question(
                self,
                f"Archive {self.kind}",
                f"Archive this {self.kind}? It disappears from the lists but stays in the "
                "records, and you can restore it from 'Show archived'.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._tasks.run(
            self.archive_work(record, not archived),
            self._on_saved,
            lambda error: show_error(self, error),
        )

    def _watch(self, widget: QWidget) -> None:
        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(self._mark_dirty)
        elif isinstance(widget, QPlainTextEdit):
            widget.textChanged.connect(self._mark_dirty)
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(self._mark_dirty)
            if widget.isEditable():
                widget.editTextChanged.connect(self._mark_dirty)
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(self._mark_dirty)

    def _mark_dirty(self, *_args: Any) -> None:
        if not self._filling and not self._dirty:
            self._dirty = True
            self._update_buttons()

    @property
    def read_only(self) -> bool:
        return self._read_only

    def set_read_only(self, read_only: bool, why: str = "") -> None:
        """For a user who may see these records but not change them: the fields stay
        readable, the buttons that would be refused are gone."""
        self._read_only = read_only
        self._body.setEnabled(not read_only)
        for button in (self.save_button, self.revert_button, self.archive_button):
            button.setVisible(not read_only)
        self._read_only_note.setText(why)
        self._read_only_note.setVisible(read_only and bool(why))
        if self._record is None and not self._dirty:
            self.set_record(None)  # the empty form's words depend on it

    def _update_buttons(self) -> None:
        self.save_button.setEnabled(not self._saving and (self._dirty or self._record is None))
        self.revert_button.setEnabled(self._dirty and not self._saving)
