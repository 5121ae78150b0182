"""A doctor with a timetable, a few weeks ahead of the real clock, for booking tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.domain.values import (
    DoctorDraft,
    HospitalDraft,
    PatientDraft,
    TimetableEntryDraft,
)


@dataclass
class Clinic:
    hospital_id: int
    doctor_id: int
    patient_ids: list[int]
    zone: str
    monday: date  # a Monday two weeks ahead: inside the horizon, past the notice

    def at(self, day_offset: int, hour: int, minute: int = 0) -> datetime:
        """UTC instant of a wall-clock time on monday + day_offset in the clinic's zone."""
        local = datetime.combine(self.monday + timedelta(days=day_offset), time(hour, minute))
        return local.replace(tzinfo=ZoneInfo(self.zone)).astimezone(UTC)


def make_clinic(
    services: AppServices,
    *,
    zone: str = "Europe/London",
    start: str = "09:00",
    end: str = "12:00",
    slot_minutes: int = 30,
    buffer_minutes: int = 0,
    patients: int = 3,
) -> Clinic:
    hospital = services.hospitals.create(HospitalDraft(name="St Mary's", time_zone=zone))
    doctor = services.doctors.create(
        DoctorDraft(name="Dr Ada Núñez", hospital_id=hospital.id, specialty="General practice")
    )
    for weekday in range(5):
        services.timetable.create_entry(
            doctor.id,
            TimetableEntryDraft(weekday, start, end, slot_minutes, buffer_minutes),
        )
    people = [
        services.patients.create(
            PatientDraft(
                given_name=f"Patient{n}", family_name="Zoë-Ångström", date_of_birth="1980-01-01"
            )
        ).id
        for n in range(patients)
    ]
    today = datetime.now(ZoneInfo(zone)).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=14)
    return Clinic(hospital.id, doctor.id, people, zone, monday)
