"""The Doctors tab: who works where, their specialty and fee."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QCheckBox, QWidget

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.domain.values import DoctorDraft, DoctorRecord, ListQuery
from hospital_desktop.core.services.changes import Change, Entity
from hospital_desktop.gui import display
from hospital_desktop.gui.models.record_table import PAGE_SIZE, Column, RecordTableModel
from hospital_desktop.gui.tabs.pickers import hospital_picker
from hospital_desktop.gui.tabs.record_tab import RecordTab
from hospital_desktop.gui.tasks import TaskRunner
from hospital_desktop.gui.widgets.record_form import RecordForm

COLUMNS: list[Column[DoctorRecord]] = [
    Column("Name", lambda d: d.name, "name"),
    Column("Specialty", lambda d: d.specialty, "specialty"),
    Column("Hospital", lambda d: d.hospital_name, "hospital"),
    Column("Fee", lambda d: display.money(d.consultation_fee), "consultation_fee", True),
    Column("Status", lambda d: "Active" if d.active else "Inactive", "active"),
]


class DoctorForm(RecordForm[DoctorRecord]):
    kind = "doctor"

    def __init__(self, services: AppServices, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(tasks, parent)
        self._services = services
        self.name = self.add_text("name", "Name")
        self.specialty = self.add_text("specialty", "Specialty", "e.g. General practice")
        self.hospital = hospital_picker(services, tasks)
        self.add_field("hospital_id", "Hospital", self.hospital)
        self.phone = self.add_text("phone", "Phone")
        self.email = self.add_text("email", "E-mail")
        self.fee = self.add_text("consultation_fee", "Consultation fee", "e.g. 120.00")
        self.active = QCheckBox("Takes appointments")
        self.add_field("active", "Active", self.active)
        self.add_link("Timetable", "timetable", "Show this doctor's week and book")
        self.add_link("Patients", "patients", "Show the patients this doctor has seen")
        self.add_link("Appointments", "appointments", "Show this doctor's appointments")
        self.finish_links()

    def fill(self, record: DoctorRecord | None) -> None:
        self.name.setText(record.name if record else "")
        self.specialty.setText(record.specialty if record else "")
        if record:
            self.hospital.set_choice(record.hospital_id, record.hospital_name)
        else:
            self.hospital.set_choice(None)
        self.phone.setText(record.phone if record else "")
        self.email.setText(record.email if record else "")
        self.fee.setText(display.money_input(record.consultation_fee) if record else "")
        self.active.setChecked(record.active if record else True)

    def describe(self, record: DoctorRecord) -> tuple[str, str]:
        details = [record.specialty, record.hospital_name]
        if not record.active:
            details.append("inactive")
        return record.name, " · ".join(part for part in details if part)

    def save_work(self, record: DoctorRecord | None) -> Callable[[], DoctorRecord]:
        draft = DoctorDraft(
            name=self.name.text(),
            hospital_id=self.hospital.value(),
            specialty=self.specialty.text(),
            phone=self.phone.text(),
            email=self.email.text(),
            consultation_fee=self.fee.text(),
            active=self.active.isChecked(),
            external_id=record.external_id if record else None,
        )
        doctors = self._services.doctors
        if record is None:
            return lambda: doctors.create(draft)
        return lambda: doctors.update(record.id, draft, record.version)

    def archive_work(self, record: DoctorRecord, archived: bool) -> Callable[[], DoctorRecord]:
        return lambda: self._services.doctors.set_archived(record.id, archived)


class DoctorsTab(RecordTab[DoctorRecord]):
    def _shows_related(self, change: Change) -> bool:
        return change.touches(Entity.HOSPITAL)  # the hospital's name shows in the list


def make_doctors_tab(services: AppServices, tasks: TaskRunner) -> DoctorsTab:
    model = RecordTableModel(
        COLUMNS, services.doctors.list, tasks, ListQuery(sort="name", limit=PAGE_SIZE)
    )
    return DoctorsTab(
        entity=Entity.DOCTOR,
        plural="doctors",
        model=model,
        form=DoctorForm(services, tasks),
        search_hint="Search doctors by name or specialty",
    )
