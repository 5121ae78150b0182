"""Search functions behind the record pickers: a few matches, labelled for a person."""

from __future__ import annotations

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.domain.values import DoctorRecord, ListQuery, PatientRecord
from hospital_desktop.gui.tasks import TaskRunner
from hospital_desktop.gui.widgets.record_picker import Choice, RecordPicker


def patient_label(patient: PatientRecord) -> str:
    born = patient.date_of_birth.isoformat()
    return f"{patient.full_name} · born {born} · {patient.medical_record_number}"


def doctor_label(doctor: DoctorRecord) -> str:
    return f"{doctor.name} · {doctor.hospital_name}"


def hospital_picker(services: AppServices, tasks: TaskRunner) -> RecordPicker:
    def search(text: str, limit: int) -> list[Choice]:
        page = services.hospitals.list(ListQuery(search=text, sort="name", limit=limit))
        return [(hospital.id, hospital.name) for hospital in page.items]

    return RecordPicker(search, tasks, "Type part of the hospital's name")


def patient_picker(services: AppServices, tasks: TaskRunner) -> RecordPicker:
    def search(text: str, limit: int) -> list[Choice]:
        page = services.patients.list(ListQuery(search=text, sort="name", limit=limit))
        return [(patient.id, patient_label(patient)) for patient in page.items]

    return RecordPicker(search, tasks, "Type a name or record number")


def doctor_picker(services: AppServices, tasks: TaskRunner, zones: dict[int, str]) -> RecordPicker:
    """``zones`` learns each suggested doctor's hospital zone, for reading typed times."""

    def search(text: str, limit: int) -> list[Choice]:
        page = services.doctors.list(ListQuery(search=text, sort="name", limit=limit))
        zones.update({doctor.id: doctor.time_zone for doctor in page.items})
        return [(doctor.id, doctor_label(doctor)) for doctor in page.items if doctor.active]

    return RecordPicker(search, tasks, "Type part of the doctor's name")
