"""Book a slot: choose (or register) the patient, say why, and confirm the time.

The confirmation shows the time in the hospital's zone and, when the workstation's clock
differs, in the workstation's too, so nobody books 09:00 London for 09:00 New York.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.domain.clock import to_local
from hospital_desktop.core.domain.errors import ValidationError
from hospital_desktop.core.domain.values import BookingRequest, PatientDraft, PatientRecord
from hospital_desktop.gui.errors import message_for
from hospital_desktop.gui.tabs.pickers import patient_label, patient_picker
from hospital_desktop.gui.tasks import TaskRunner


@dataclass(frozen=True)
class BookingContext:
    doctor_id: int
    doctor_name: str
    hospital_name: str
    time_zone: str
    start: datetime
    end: datetime
    outside_timetable: bool = False  # a walk-in or urgent case: needs a reason
    # After a refusal the dialog comes back with what was typed and the reason it failed.
    prefill: BookingRequest | None = None
    problem: str = ""


def describe_time(start: datetime, end: datetime, time_zone: str) -> str:
    """'Mon 25 Oct 2027, 09:00–09:30 BST (hospital time)' plus the workstation's reading."""
    local_start, local_end = to_local(start, time_zone), to_local(end, time_zone)
    # Both ends carry their zone: on a clock-change night 01:00 BST and 01:00 GMT both exist.
    text = f"{local_start:%a %d %b %Y}, {local_start:%H:%M %Z}–{local_end:%H:%M %Z} (hospital time)"
    here = start.astimezone()
    if here.utcoffset() != local_start.utcoffset():
        text += f"\nOn this computer's clock: {here:%a %d %b, %H:%M %Z}"
    return text


class QuickPatientDialog(QDialog):
    """Register a patient without leaving the booking: names and date of birth."""

    def __init__(self, services: AppServices, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("New patient")
        self._services, self._tasks = services, tasks
        self.created: PatientRecord | None = None
        self.given_name = QLineEdit()
        self.family_name = QLineEdit()
        self.date_of_birth = QLineEdit()
        self.date_of_birth.setPlaceholderText("YYYY-MM-DD")
        self.error = QLabel()
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Given name:", self.given_name)
        form.addRow("Family name:", self.family_name)
        form.addRow("Date of birth:", self.date_of_birth)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def save(self) -> None:
        draft = PatientDraft(
            given_name=self.given_name.text(),
            family_name=self.family_name.text(),
            date_of_birth=self.date_of_birth.text(),
        )
        self._tasks.run(
            lambda: self._services.patients.create(draft), self._on_saved, self._on_failed
        )

    def _on_saved(self, patient: PatientRecord) -> None:
        self.created = patient
        self.accept()

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            self.error.setText("\n".join(error.field_errors.values()))
        else:
            self.error.setText(message_for(error))


class BookingDialog(QDialog):
    def __init__(
        self,
        services: AppServices,
        tasks: TaskRunner,
        context: BookingContext,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Walk-in or urgent booking" if context.outside_timetable else "Book")
        self.setMinimumWidth(460)
        self._services, self._tasks, self._context = services, tasks, context
        when = QLabel(describe_time(context.start, context.end, context.time_zone))
        when.setObjectName("bookingTime")
        when.setWordWrap(True)
        font = when.font()
        font.setBold(True)
        when.setFont(font)
        who = QLabel(f"{context.doctor_name} · {context.hospital_name}")
        self.patient = patient_picker(services, tasks)
        new_patient = QPushButton("New patient…")
        new_patient.setAutoDefault(False)  # Enter books; it does not open this
        new_patient.clicked.connect(self._on_new_patient_clicked)
        patient_row = QHBoxLayout()
        patient_row.addWidget(self.patient, 1)
        patient_row.addWidget(new_patient)
        self.service = QLineEdit()
        self.service.setPlaceholderText("e.g. Consultation")
        self.reason = QLineEdit()
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(60)
        self.override_reason = QLineEdit()
        self.override_reason.setPlaceholderText("Why outside the timetable (required)")
        self.error = QLabel()
        self.error.setStyleSheet("color: #b3261e;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Time:", when)
        form.addRow("Doctor:", who)
        form.addRow("Patient:", patient_row)
        form.addRow("Service:", self.service)
        form.addRow("Reason:", self.reason)
        form.addRow("Notes:", self.notes)
        if context.outside_timetable:
            form.addRow("Override:", self.override_reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.book_button = self.buttons.addButton("Book", QDialogButtonBox.ButtonRole.AcceptRole)
        self.book_button.setDefault(True)
        for button in self.buttons.buttons():  # Enter anywhere books; only Book is default
            if button is not self.book_button:
                button.setAutoDefault(False)
        self.book_button.clicked.connect(self._on_book_clicked)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.request: BookingRequest | None = None
        self.patient.setFocus()
        if context.prefill is not None:
            self._fill(context.prefill)
        self.error.setText(context.problem)

    def _fill(self, previous: BookingRequest) -> None:
        self.service.setText(previous.service)
        self.reason.setText(previous.reason)
        self.notes.setPlainText(previous.notes)
        self.override_reason.setText(previous.override_reason)
        self.patient.set_choice(previous.patient_id, "…")
        self._tasks.run(
            lambda: self._services.patients.get(previous.patient_id),
            lambda patient: self.patient.set_choice(patient.id, patient_label(patient)),
        )

    @classmethod
    def ask(
        cls,
        services: AppServices,
        tasks: TaskRunner,
        context: BookingContext,
        parent: QWidget | None = None,
    ) -> BookingRequest | None:
        """The booking the user confirmed, or None; tests replace this."""
        dialog = cls(services, tasks, context, parent)
        return dialog.request if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _on_new_patient_clicked(self) -> None:
        quick = QuickPatientDialog(self._services, self._tasks, self)
        if quick.exec() == QDialog.DialogCode.Accepted and quick.created is not None:
            self.patient.set_choice(quick.created.id, patient_label(quick.created))

    def _on_book_clicked(self) -> None:
        problems = []
        if self.patient.value() is None:
            problems.append("Choose the patient from the suggestions, or register a new one.")
        override = self.override_reason.text().strip()
        if self._context.outside_timetable and not override:
            problems.append("Say why this booking is outside the timetable.")
        if problems:
            self.error.setText("\n".join(problems))
            return
        self.request = BookingRequest(
            patient_id=self.patient.value(),  # type: ignore[arg-type]
            doctor_id=self._context.doctor_id,
            start_at=self._context.start,
            end_at=self._context.end,
            service=self.service.text(),
            reason=self.reason.text(),
            notes=self.notes.toPlainText(),
            override_reason=override,
        )
        self.accept()


def ask_text(parent: QWidget | None, title: str, label: str) -> str | None:
    """A short required text (a cancellation reason); None when the user backs out."""
    text, accepted = QInputDialog.getText(parent, title, label)
    return text.strip() if accepted and text.strip() else None
