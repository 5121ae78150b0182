"""The patient's satisfaction with a visit that took place: a 1-5 score and a comment,
asked at the front desk as they leave."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPlainTextEdit, QRadioButton, QWidget

from hospital_desktop.core.domain.values import AppointmentRecord
from hospital_desktop.core.scheduling.week import CalendarAppointment
from hospital_desktop.core.services.reports import ReportService
from hospital_desktop.gui.dialogs.service_dialog import ServiceDialog
from hospital_desktop.gui.tasks import TaskRunner

SCORES = {1: "1 Poor", 2: "2 Fair", 3: "3 Good", 4: "4 Very good", 5: "5 Excellent"}


class SatisfactionDialog(ServiceDialog):
    def __init__(
        self,
        reports: ReportService,
        tasks: TaskRunner,
        appointment: CalendarAppointment,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            tasks,
            "Patient satisfaction",
            f"How satisfied was {appointment.patient_name} with this visit?",
            "Save",
            parent,
        )
        self.reports, self.appointment = reports, appointment
        row = QWidget()
        buttons = QHBoxLayout(row)
        buttons.setContentsMargins(0, 0, 0, 0)
        self.scores = QButtonGroup(self)
        for score, label in SCORES.items():
            button = QRadioButton(label)
            self.scores.addButton(button, score)
            buttons.addWidget(button)
        self.comment = QPlainTextEdit()
        self.comment.setPlaceholderText("What the patient said (optional)")
        self.comment.setMaximumHeight(90)
        self.fields.add("satisfaction_score", "Score", row)
        self.fields.add("satisfaction_comment", "Comment", self.comment)
        self.loaded = False
        appointment_id = appointment.id
        self.run(lambda: reports.satisfaction(appointment_id), self._show_given, self._no_given)

    def _show_given(self, given: tuple[int | None, str]) -> None:
        """What was given before, unless the user has started to answer meanwhile."""
        score, comment = given
        if self.scores.checkedId() < 1 and not self.comment.toPlainText():
            if score is not None:
                self.choose(score)
            self.comment.setPlainText(comment)
            if score is not None:
                self.intro.setText(
                    self.intro.text() + " (a score was given before: change it here)"
                )
        self.loaded = True

    def _no_given(self, error: BaseException) -> None:
        self.loaded = True

    def choose(self, score: int) -> None:
        self.scores.button(score).setChecked(True)

    def check(self) -> dict[str, str]:
        if self.scores.checkedId() < 1:
            return {"satisfaction_score": "Choose a score from 1 (poor) to 5 (excellent)."}
        return {}

    def work(self) -> Callable[[], AppointmentRecord]:
        score, comment = self.scores.checkedId(), self.comment.toPlainText()
        appointment_id, version = self.appointment.id, self.appointment.version
        return lambda: self.reports.record_satisfaction(appointment_id, score, comment, version)
