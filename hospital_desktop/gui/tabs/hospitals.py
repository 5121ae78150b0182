"""The Hospitals tab: sites, their addresses and time zones."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.domain.validation import known_time_zones
from hospital_desktop.core.domain.values import HospitalDraft, HospitalRecord, ListQuery
from hospital_desktop.core.services.changes import Entity
from hospital_desktop.gui.models.record_table import PAGE_SIZE, Column, RecordTableModel
from hospital_desktop.gui.tabs.record_tab import RecordTab
from hospital_desktop.gui.tasks import TaskRunner
from hospital_desktop.gui.widgets.record_form import RecordForm

COLUMNS: list[Column[HospitalRecord]] = [
    Column("Name", lambda h: h.name, "name"),
    Column("City", lambda h: h.city, "city"),
    Column("Phone", lambda h: h.phone, "phone"),
    Column("Time zone", lambda h: h.time_zone, "time_zone"),
]


def time_zone_box() -> QComboBox:
    """An editable list of every IANA zone, completing on any part ('London')."""
    box = QComboBox()
    box.setEditable(True)
    box.addItems(sorted(known_time_zones()))
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    completer = box.completer()
    completer.setFilterMode(Qt.MatchFlag.MatchContains)
    completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    box.setCurrentText("")
    return box


class HospitalForm(RecordForm[HospitalRecord]):
    kind = "hospital"

    def __init__(self, services: AppServices, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(tasks, parent)
        self._services = services
        self.name = self.add_text("name", "Name")
        self.address = self.add_text("address", "Address")
        self.city = self.add_text("city", "City")
        self.state = self.add_text("state", "State or region")
        self.postal_code = self.add_text("postal_code", "Postal code")
        self.phone = self.add_text("phone", "Phone")
        self.time_zone = time_zone_box()
        self.add_field(
            "time_zone", "Time zone", self.time_zone, "Appointment times show in this zone."
        )
        self.add_link("Doctors", "doctors", "Show the doctors of this hospital")
        self.add_link("Patients", "patients", "Show the patients seen at this hospital")
        self.add_link("Appointments", "appointments", "Show the appointments at this hospital")
        self.finish_links()

    def fill(self, record: HospitalRecord | None) -> None:
        self.name.setText(record.name if record else "")
        self.address.setText(record.address if record else "")
        self.city.setText(record.city if record else "")
        self.state.setText(record.state if record else "")
        self.postal_code.setText(record.postal_code if record else "")
        self.phone.setText(record.phone if record else "")
        self.time_zone.setCurrentText(record.time_zone if record else "")

    def describe(self, record: HospitalRecord) -> tuple[str, str]:
        place = ", ".join(part for part in (record.city, record.state) if part)
        return record.name, " · ".join(part for part in (place, record.time_zone) if part)

    def draft(self) -> HospitalDraft:
        return HospitalDraft(
            name=self.name.text(),
            time_zone=self.time_zone.currentText(),
            address=self.address.text(),
            city=self.city.text(),
            state=self.state.text(),
            postal_code=self.postal_code.text(),
            phone=self.phone.text(),
            external_id=self.record.external_id if self.record else None,
        )

    def save_work(self, record: HospitalRecord | None) -> Callable[[], HospitalRecord]:
        draft, hospitals = self.draft(), self._services.hospitals
        if record is None:
            return lambda: hospitals.create(draft)
        return lambda: hospitals.update(record.id, draft, record.version)

    def archive_work(self, record: HospitalRecord, archived: bool) -> Callable[[], HospitalRecord]:
        return lambda: self._services.hospitals.set_archived(record.id, archived)


def make_hospitals_tab(services: AppServices, tasks: TaskRunner) -> RecordTab[HospitalRecord]:
    model = RecordTableModel(
        COLUMNS, services.hospitals.list, tasks, ListQuery(sort="name", limit=PAGE_SIZE)
    )
    return RecordTab(
        entity=Entity.HOSPITAL,
        plural="hospitals",
        model=model,
        form=HospitalForm(services, tasks),
        search_hint="Search hospitals by name, city or phone",
    )
