"""The Appointments tab: every visit, its time in the hospital's zone, status and fees."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QWidget

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.domain.clock import format_local, parse_local_datetime, to_local
from hospital_desktop.core.domain.errors import ValidationError
from hospital_desktop.core.domain.values import (
    AppointmentDraft,
    AppointmentRecord,
    AppointmentStatus,
    ListQuery,
)
from hospital_desktop.core.services.changes import Change, Entity
from hospital_desktop.gui import display
from hospital_desktop.gui.models.record_table import PAGE_SIZE, Column, RecordTableModel
from hospital_desktop.gui.tabs.pickers import doctor_picker, patient_picker
from hospital_desktop.gui.tabs.record_tab import RecordTab
from hospital_desktop.gui.tasks import TaskRunner
from hospital_desktop.gui.widgets.payer_box import PayerBox
from hospital_desktop.gui.widgets.record_form import RecordForm

COLUMNS: list[Column[AppointmentRecord]] = [
    Column(
        "Start (hospital time)",
        lambda a: display.local_time(a.start_at, a.time_zone),
        "start_at",
        tooltip=lambda a: (
            f"{display.local_span(a.start_at, a.end_at, a.time_zone)} ({a.time_zone})"
        ),
    ),
    Column("Patient", lambda a: a.patient_name, "patient"),
    Column("Doctor", lambda a: a.doctor_name, "doctor"),
    Column("Hospital", lambda a: a.hospital_name, "hospital"),
    Column("Status", lambda a: a.status.label, "status"),
    Column("Service", lambda a: a.service, "service"),
    Column("Reason", lambda a: a.reason),
    Column("Fee", lambda a: display.money(a.fee), "fee", True),
]
TIME_HINT = "YYYY-MM-DD HH:MM in the hospital's time"


class AppointmentForm(RecordForm[AppointmentRecord]):
    kind = "appointment"

    def __init__(self, services: AppServices, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(tasks, parent)
        self._services = services
        self._zones: dict[int, str] = {}
        self.patient = patient_picker(services, tasks)
        self.add_field("patient_id", "Patient", self.patient)
        self.doctor = doctor_picker(services, tasks, self._zones)
        self.doctor.choice_changed.connect(self._on_doctor_changed)
        self.add_field("doctor_id", "Doctor", self.doctor)
        self.zone_label = QLabel()
        self.zone_label.setWordWrap(True)
        self.add_field("time_zone", "Times in", self.zone_label)
        self.start = self.add_text("start_at", "Start", TIME_HINT)
        self.end = self.add_text("end_at", "End", TIME_HINT)
        self.status = QComboBox()
        for status in AppointmentStatus:
            self.status.addItem(status.label, status.value)
        self.add_field("status", "Status", self.status)
        self.service = self.add_text("service", "Service", "e.g. Wellness, Ambulatory")
        self.reason = self.add_text("reason", "Reason")
        self.fee = self.add_text("fee", "Fee", "e.g. 120.00")
        self.payer = PayerBox()
        self.add_field("payer_id", "Insurance", self.payer)
        self.payer_coverage = self.add_text("payer_coverage", "Paid by insurance", "e.g. 80.00")
        self.notes = QPlainTextEdit()
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(70)
        self.add_field("notes", "Notes", self.notes)
        self._tasks.run(services.patients.payers, self.payer.set_payers)

    def time_zone(self) -> str | None:
        doctor_id = self.doctor.value()
        if doctor_id is None:
            return None
        if self.record is not None and doctor_id == self.record.doctor_id:
            return self.record.time_zone
        return self._zones.get(doctor_id)

    def _on_doctor_changed(self, _doctor_id: object) -> None:
        zone = self.time_zone()
        self.zone_label.setText(
            f"{zone} (the doctor's hospital)" if zone else "Choose the doctor first."
        )

    def fill(self, record: AppointmentRecord | None) -> None:
        if record:
            self.patient.set_choice(record.patient_id, record.patient_name)
            self.doctor.set_choice(
                record.doctor_id, f"{record.doctor_name} · {record.hospital_name}"
            )
        else:
            self.patient.set_choice(None)
            self.doctor.set_choice(None)
        self.start.setText(format_local(record.start_at, record.time_zone) if record else "")
        self.end.setText(format_local(record.end_at, record.time_zone) if record else "")
        self.status.setCurrentIndex(
            self.status.findData((record.status if record else AppointmentStatus.BOOKED).value)
        )
        self.service.setText(record.service if record else "")
        self.reason.setText(record.reason if record else "")
        self.fee.setText(display.money_input(record.fee) if record else "")
        self.payer.select(record.payer_id if record else None)
        self.payer_coverage.setText(display.money_input(record.payer_coverage) if record else "")
        self.notes.setPlainText(record.notes if record else "")
        self._on_doctor_changed(None)

    def describe(self, record: AppointmentRecord) -> tuple[str, str]:
        when = display.local_span(record.start_at, record.end_at, record.time_zone)
        workstation = record.start_at.astimezone()
        if workstation.utcoffset() != to_local(record.start_at, record.time_zone).utcoffset():
            when += f" (your time: {workstation:%Y-%m-%d %H:%M %Z})"
        return (
            f"{record.patient_name} with {record.doctor_name}",
            f"{when} · {record.hospital_name} · {record.status.label}",
        )

    def save_work(self, record: AppointmentRecord | None) -> Callable[[], AppointmentRecord]:
        zone = self.time_zone()
        errors: dict[str, str] = {}
        times: dict[str, datetime | None] = {}
        for name, edit, label in (("start_at", self.start, "Start"), ("end_at", self.end, "End")):
            text = edit.text().strip()
            if not text:
                times[name] = None
            elif zone is None:
                errors[name] = "Choose the doctor first: times are read in their hospital's zone."
            else:
                parsed = parse_local_datetime(text, zone)
                if isinstance(parsed, str):
                    errors[name] = f"{label}: {parsed}"
                else:
                    times[name] = parsed
        if errors:
            raise ValidationError(errors)
        draft = AppointmentDraft(
            patient_id=self.patient.value(),
            doctor_id=self.doctor.value(),
            start_at=times.get("start_at"),
            end_at=times.get("end_at"),
            status=str(self.status.currentData()),
            service=self.service.text(),
            reason=self.reason.text(),
            fee=self.fee.text(),
            payer_id=self.payer.value(),
            payer_coverage=self.payer_coverage.text(),
            notes=self.notes.toPlainText(),
            external_id=record.external_id if record else None,
        )
        appointments = self._services.appointments
        if record is None:
            return lambda: appointments.create(draft)
        return lambda: appointments.update(record.id, draft, record.version)

    def archive_work(
        self, record: AppointmentRecord, archived: bool
    ) -> Callable[[], AppointmentRecord]:
        return lambda: self._services.appointments.set_archived(record.id, archived)


class AppointmentsTab(RecordTab[AppointmentRecord]):
    def _shows_related(self, change: Change) -> bool:
        # Patient, doctor and hospital names show in the list.
        return bool(change.entities & {Entity.PATIENT, Entity.DOCTOR, Entity.HOSPITAL})


def make_appointments_tab(services: AppServices, tasks: TaskRunner) -> AppointmentsTab:
    model = RecordTableModel(
        COLUMNS,
        services.appointments.list,
        tasks,
        ListQuery(sort="start_at", descending=True, limit=PAGE_SIZE),
    )
    return AppointmentsTab(
        entity=Entity.APPOINTMENT,
        plural="appointments",
        model=model,
        form=AppointmentForm(services, tasks),
        search_hint="Search by patient, doctor, service or reason",
    )
