"""The Patients tab: registration and the patient's record."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QWidget

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.domain.values import (
    ListQuery,
    PatientDraft,
    PatientRecord,
    Sex,
)
from hospital_desktop.core.services.changes import Change, Entity
from hospital_desktop.gui import display
from hospital_desktop.gui.models.record_table import PAGE_SIZE, Column, RecordTableModel
from hospital_desktop.gui.tabs.record_tab import RecordTab
from hospital_desktop.gui.tasks import TaskRunner
from hospital_desktop.gui.widgets.payer_box import PayerBox
from hospital_desktop.gui.widgets.record_form import RecordForm

COLUMNS: list[Column[PatientRecord]] = [
    Column("Family name", lambda p: p.family_name, "name"),
    Column("Given name", lambda p: p.given_name, "given_name"),
    Column("Record no.", lambda p: p.medical_record_number, "medical_record_number"),
    Column("Born", lambda p: display.day(p.date_of_birth), "date_of_birth"),
    Column("Sex", lambda p: p.sex.label, "sex"),
    Column("Phone", lambda p: p.phone, "phone"),
    Column("City", lambda p: p.city, "city"),
]
DATE_HINT = "YYYY-MM-DD"


class PatientForm(RecordForm[PatientRecord]):
    kind = "patient"

    def __init__(self, services: AppServices, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(tasks, parent)
        self._services = services
        self.given_name = self.add_text("given_name", "Given name")
        self.family_name = self.add_text("family_name", "Family name")
        self.medical_record_number = self.add_text(
            "medical_record_number", "Record number", "Given automatically when left empty"
        )
        self.date_of_birth = self.add_text("date_of_birth", "Date of birth", DATE_HINT)
        self.sex = QComboBox()
        for sex in Sex:
            self.sex.addItem(sex.label, sex.value)
        self.add_field("sex", "Sex", self.sex)
        self.phone = self.add_text("phone", "Phone")
        self.email = self.add_text("email", "E-mail")
        self.address = self.add_text("address", "Address")
        self.city = self.add_text("city", "City")
        self.state = self.add_text("state", "State or region")
        self.postal_code = self.add_text("postal_code", "Postal code")
        self.payer = PayerBox()
        self.add_field("payer_id", "Insurance", self.payer)
        self.date_of_death = self.add_text(
            "date_of_death", "Date of death", f"{DATE_HINT}; leave empty if alive"
        )
        self.add_link("Appointments", "appointments", "Show this patient's appointments")
        self.finish_links()
        self.reload_payers()

    def reload_payers(self) -> None:
        self._tasks.run(self._services.patients.payers, self.payer.set_payers)

    def fill(self, record: PatientRecord | None) -> None:
        self.given_name.setText(record.given_name if record else "")
        self.family_name.setText(record.family_name if record else "")
        self.medical_record_number.setText(record.medical_record_number if record else "")
        self.date_of_birth.setText(display.day(record.date_of_birth) if record else "")
        self.sex.setCurrentIndex(self.sex.findData((record.sex if record else Sex.UNKNOWN).value))
        self.phone.setText(record.phone if record else "")
        self.email.setText(record.email if record else "")
        self.address.setText(record.address if record else "")
        self.city.setText(record.city if record else "")
        self.state.setText(record.state if record else "")
        self.postal_code.setText(record.postal_code if record else "")
        self.payer.select(record.payer_id if record else None)
        self.date_of_death.setText(display.day(record.date_of_death) if record else "")

    def describe(self, record: PatientRecord) -> tuple[str, str]:
        details = [
            record.medical_record_number,
            f"born {record.date_of_birth.isoformat()}",
            record.sex.label,
        ]
        if record.date_of_death:
            details.append(f"died {record.date_of_death.isoformat()}")
        return record.full_name, " · ".join(details)

    def save_work(self, record: PatientRecord | None) -> Callable[[], PatientRecord]:
        draft = PatientDraft(
            given_name=self.given_name.text(),
            family_name=self.family_name.text(),
            date_of_birth=self.date_of_birth.text(),
            sex=str(self.sex.currentData()),
            medical_record_number=self.medical_record_number.text(),
            phone=self.phone.text(),
            email=self.email.text(),
            address=self.address.text(),
            city=self.city.text(),
            state=self.state.text(),
            postal_code=self.postal_code.text(),
            date_of_death=self.date_of_death.text(),
            payer_id=self.payer.value(),
            external_id=record.external_id if record else None,
        )
        patients = self._services.patients
        if record is None:
            return lambda: patients.create(draft)
        return lambda: patients.update(record.id, draft, record.version)

    def archive_work(self, record: PatientRecord, archived: bool) -> Callable[[], PatientRecord]:
        return lambda: self._services.patients.set_archived(record.id, archived)


class PatientsTab(RecordTab[PatientRecord]):
    form: PatientForm

    def on_change(self, change: Change) -> None:
        if change.touches(Entity.PAYER):
            self.form.reload_payers()
        super().on_change(change)

    def _shows_related(self, change: Change) -> bool:
        # "Patients of a doctor" depends on the appointments.
        filtered = (
            self.model.query.doctor_id is not None or self.model.query.hospital_id is not None
        )
        return filtered and change.touches(Entity.APPOINTMENT)


def make_patients_tab(services: AppServices, tasks: TaskRunner) -> PatientsTab:
    model = RecordTableModel(
        COLUMNS, services.patients.list, tasks, ListQuery(sort="name", limit=PAGE_SIZE)
    )
    return PatientsTab(
        entity=Entity.PATIENT,
        plural="patients",
        model=model,
        form=PatientForm(services, tasks),
        search_hint="Search patients by name, record number or phone",
    )
