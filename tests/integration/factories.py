"""Small builders for records made through the real services (no mocks, no raw inserts)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.domain.values import (
    AppointmentDraft,
    AppointmentRecord,
    DoctorDraft,
    DoctorRecord,
    HospitalDraft,
    HospitalRecord,
    ListQuery,
    Page,
    PatientDraft,
    PatientRecord,
)

RecordT = TypeVar("RecordT")

START = datetime(2030, 5, 6, 9, 0, tzinfo=UTC)


def hospital(services: AppServices, name: str = "St Mary's", **fields: Any) -> HospitalRecord:
    fields.setdefault("time_zone", "Europe/London")
    return services.hospitals.create(HospitalDraft(name=name, **fields))


def doctor(
    services: AppServices, hospital_id: int, name: str = "Dr Ada Lovelace", **fields: Any
) -> DoctorRecord:
    return services.doctors.create(DoctorDraft(name=name, hospital_id=hospital_id, **fields))


def patient(
    services: AppServices, given: str = "Ann", family: str = "Adams", **fields: Any
) -> PatientRecord:
    fields.setdefault("date_of_birth", "1980-04-23")
    return services.patients.create(PatientDraft(given_name=given, family_name=family, **fields))


def appointment(
    services: AppServices,
    patient_id: int,
    doctor_id: int,
    start: datetime = START,
    minutes: int = 30,
    **fields: Any,
) -> AppointmentRecord:
    return services.appointments.create(
        AppointmentDraft(
            patient_id=patient_id,
            doctor_id=doctor_id,
            start_at=start,
            end_at=start + timedelta(minutes=minutes),
            **fields,
        )
    )


def every_page(
    list_page: Callable[[ListQuery], Page[RecordT]], query: ListQuery
) -> list[list[RecordT]]:
    """All pages of ``query``, following the keyset cursors to the end."""
    pages = [list_page(query)]
    while pages[-1].next_cursor is not None:
        pages.append(list_page(replace(query, after=pages[-1].next_cursor)))
    return [page.items for page in pages]


def all_items(
    list_page: Callable[[ListQuery], Page[RecordT]], query: ListQuery | None = None
) -> list[RecordT]:
    return [item for page in every_page(list_page, query or ListQuery()) for item in page]
