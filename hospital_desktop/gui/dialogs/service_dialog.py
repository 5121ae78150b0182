"""A dialog whose one button runs one service call off the GUI thread.

It stays open, with what was typed, until the service accepts; a ValidationError puts each
message under its field, any other refusal is said under the form. While a call is running
the dialog cannot be closed (its answer must find it), and a closed dialog is deleted only
once the calls it started have come back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QVBoxLayout,
    QWidget,
)

from hospital_desktop.core.domain.errors import DomainError, ValidationError
from hospital_desktop.gui.errors import message_for
from hospital_desktop.gui.tasks import TaskRunner
from hospital_desktop.gui.widgets.field_messages import ERROR_STYLE, FieldMessages

log = logging.getLogger(__name__)


class ServiceDialog(QDialog):
    """A form whose Save runs one service call off the GUI thread.

    ``succeeded(record)`` is emitted just before the dialog accepts; ``record`` holds what
    the service returned. ``heading`` shows the title inside the dialog too (for dialogs
    shown before the main window, where no window title bar gives context).
    """

    succeeded = Signal(object)

    def __init__(
        self,
        tasks: TaskRunner,
        title: str,
        intro: str,
        save_text: str,
        parent: QWidget | None = None,
        *,
        heading: bool = False,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._pending = 0
        self._saving = False
        self._finished = False
        self.record: Any = None
        self.setWindowTitle(title)
        self.setModal(True)
        self.heading = QLabel(title)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setVisible(heading)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.form_layout = QFormLayout()
        self.form_layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields = FieldMessages(self.form_layout)
        self.problem = QLabel()
        self.problem.setObjectName("dialogProblem")
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.addButton(save_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.save_button.setAutoDefault(True)
        # Enter saves: Cancel must not take the default when it has the focus first.
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAutoDefault(False)
        cancel.setDefault(False)
        self.save_button.clicked.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        # The dialog is never smaller than what it shows: messages that appear make it grow.
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(self.heading)
        layout.addWidget(self.intro)
        layout.addLayout(self.form_layout)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)

    # --- what subclasses implement -------------------------------------------------------

    def check(self) -> dict[str, str]:
        """Problems found without asking the database (passwords that differ)."""
        return {}

    def work(self) -> Callable[[], Any]:
        """The service call, with the typed values captured (it runs on the worker)."""
        raise NotImplementedError

    # --- state ---------------------------------------------------------------------------

    @property
    def is_busy(self) -> bool:
        return self._pending > 0

    def field_error(self, name: str) -> str:
        return self.fields.error(name)

    def say(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        self.grow()

    def grow(self) -> None:
        """Make room for messages shown since the dialog opened (never shrink under the
        user's hands)."""
        wanted = self.sizeHint()
        self.resize(max(self.width(), wanted.width()), max(self.height(), wanted.height()))

    def submit(self) -> None:
        if self._saving:
            return
        self.fields.clear()
        self.say("")
        problems = self.check()
        if problems:
            self.say("\n".join(self.fields.show(problems)))
            return
        self._saving = True
        self.save_button.setEnabled(False)
        self.run(self.work(), self._on_saved, self._on_save_failed)

    def run(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """``tasks.run``, but the answers of a dialog already closed are dropped."""
        self._pending += 1

        def back(callback: Callable[[Any], None]) -> Callable[[Any], None]:
            def deliver(value: Any) -> None:
                self._pending -= 1
                if not self._finished:
                    callback(value)
                elif self._pending == 0:
                    self.deleteLater()

            return deliver

        if self._tasks.run(work, back(on_done), back(on_error)) is None:
            self._pending -= 1  # the runner is shutting down; nothing will come back

    # --- closing -------------------------------------------------------------------------

    def reject(self) -> None:
        if self._saving:
            return  # the answer is on its way; closing now would lose it
        super().reject()

    def done(self, result: int) -> None:
        super().done(result)
        self._finished = True
        if self._pending == 0:
            self.deleteLater()

    # --- handlers ------------------------------------------------------------------------

    def after_failure(self) -> None:
        """What to reset after a refused try (password fields are cleared, for example)."""

    def _on_saved(self, record: Any) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.record = record
        self.succeeded.emit(record)
        self.accept()

    def _on_save_failed(self, error: BaseException) -> None:
        self._saving = False
        self.save_button.setEnabled(True)
        self.after_failure()
        if isinstance(error, ValidationError):
            self.say("\n".join(self.fields.show(error.field_errors)))
            return
        if not isinstance(error, DomainError):
            log.error("unexpected error", exc_info=error)
        self.say(message_for(error))
