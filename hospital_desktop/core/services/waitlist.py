"""The waitlist: patients waiting for a doctor, offered a slot in one step when one frees."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from hospital_desktop.core.db.models import Appointment, WaitlistEntry
from hospital_desktop.core.db.scheduling import waitlist_record
from hospital_desktop.core.db.uow import UnitOfWork, UnitOfWorkFactory
from hospital_desktop.core.domain.errors import DomainError, ValidationError
from hospital_desktop.core.domain.security import Permission
from hospital_desktop.core.domain.validation import FieldChecker
from hospital_desktop.core.domain.values import (
    AppointmentRecord,
    BookingRequest,
    WaitlistRecord,
    WaitlistStatus,
)
from hospital_desktop.core.scheduling.availability import Slot
from hospital_desktop.core.services.base import Service, check_version, require
from hospital_desktop.core.services.booking import BookingService
from hospital_desktop.core.services.changes import Change, ChangeHub, Entity
from hospital_desktop.core.services.timetable import parse_wall_time


def suits(entry: WaitlistRecord, start: datetime, end: datetime, time_zone: str) -> bool:
    """Does the slot [start, end) fall within the dates and hours the patient gave?"""
    zone = ZoneInfo(time_zone)
    local, local_end = start.astimezone(zone), end.astimezone(zone)
    if entry.earliest_day and local.date() < entry.earliest_day:
        return False
    if entry.latest_day and local.date() > entry.latest_day:
        return False
    if entry.earliest_time and local.time() < entry.earliest_time:
        return False
    if entry.latest_time is None:
        return True
    return local_end.date() == local.date() and local_end.time() <= entry.latest_time


class WaitlistService(Service):
    def __init__(
        self, uow_factory: UnitOfWorkFactory, changes: ChangeHub, booking: BookingService
    ) -> None:
        """Acts as the booking service's user: an offer is a booking."""
        super().__init__(uow_factory, changes, booking.actor)
        self._booking = booking

    def add(
        self,
        patient_id: int,
        doctor_id: int,
        *,
        earliest_day: date | str | None = None,
        latest_day: date | str | None = None,
        earliest_time: time | str | None = None,
        latest_time: time | str | None = None,
        notes: str = "",
    ) -> WaitlistRecord:
        self._require(Permission.BOOK, "add-to-waitlist")
        check = FieldChecker()
        first = check.date("earliest_day", "From", earliest_day)
        last = check.date("latest_day", "Until", latest_day)
        early = (
            parse_wall_time(check, "earliest_time", "From time", earliest_time)
            if earliest_time
            else None
        )
        late = (
            parse_wall_time(check, "latest_time", "Until time", latest_time)
            if latest_time
            else None
        )
        text = check.text("notes", "Notes", notes, max_length=300)
        if first and last and last < first:
            check.fail("latest_day", "'Until' cannot be before 'from'.")
        if early and late and late <= early:
            check.fail("latest_time", "The 'until' time must be after the 'from' time.")
        check.done()
        with self._uow() as uow:
            patient = require(uow.patients.get(patient_id), "patient", patient_id)
            require(uow.doctors.get(doctor_id), "doctor", doctor_id)
            if any(e.patient_id == patient_id for e in uow.scheduling.waiting_for(doctor_id)):
                raise ValidationError(
                    {"patient_id": "This patient is already waiting for this doctor."}
                )
            entry = WaitlistEntry(
                patient_id=patient_id,
                doctor_id=doctor_id,
                earliest_day=first,
                latest_day=last,
                earliest_time=early,
                latest_time=late,
                notes=text,
                status=WaitlistStatus.WAITING.value,
            )
            uow.session.add(entry)
            uow.session.flush()
            self._audit(
                uow,
                "create",
                "waitlist-entry",
                entry.id,
                None,
                {"patient_id": patient_id, "doctor_id": doctor_id, "notes": text},
            )
            uow.commit()
            record = waitlist_record(entry, f"{patient.given_name} {patient.family_name}")
        self._changes.publish(Change.of(Entity.WAITLIST, doctor_id))
        return record

    def waiting(self, doctor_id: int) -> list[WaitlistRecord]:
        self._require(Permission.VIEW_PATIENTS, "view-waitlist")
        with self._uow() as uow:
            return uow.scheduling.waiting_for(doctor_id)

    def candidates(self, doctor_id: int, slot: Slot) -> list[WaitlistRecord]:
        """Who is waiting for this doctor and would take this slot, longest waiting first."""
        self._require(Permission.VIEW_PATIENTS, "view-waitlist")
        with self._uow() as uow:
            doctor = require(uow.doctors.get(doctor_id), "doctor", doctor_id)
            zone = doctor.hospital.time_zone
            waiting = uow.scheduling.waiting_for(doctor_id)
            return [e for e in waiting if suits(e, slot.start, slot.end, zone)]

    def offer(
        self, entry_id: int, slot: Slot, expected_version: int | None = None
    ) -> AppointmentRecord:
        """Book the waiting patient into ``slot`` and take them off the list, in one
        transaction: two workstations offering the same entry cannot both book it."""
        self._require(Permission.BOOK, "offer-waitlist-slot")
        with self._uow() as uow:
            entry = require(uow.scheduling.waitlist_entry(entry_id), "waitlist entry", entry_id)
            patient_id, doctor_id, notes = entry.patient_id, entry.doctor_id, entry.notes

        def mark_booked(uow: UnitOfWork, appointment: Appointment) -> None:
            entry = require(uow.scheduling.waitlist_entry(entry_id), "waitlist entry", entry_id)
            check_version(entry, "waitlist entry", expected_version)
            if entry.status != WaitlistStatus.WAITING.value:
                raise DomainError("This patient is no longer waiting; the slot was not booked.")
            entry.status = WaitlistStatus.BOOKED.value
            entry.appointment_id = appointment.id

        return self._booking.book(
            BookingRequest(
                patient_id=patient_id,
                doctor_id=doctor_id,
                start_at=slot.start,
                end_at=slot.end,
                reason=notes,
                notes="Booked from the waitlist",
            ),
            along_with=mark_booked,
            also_changed=Change.of(Entity.WAITLIST, doctor_id),
        )

    def remove(self, entry_id: int, expected_version: int | None = None) -> None:
        self._require(Permission.BOOK, "remove-from-waitlist")
        with self._uow() as uow:
            entry = require(uow.scheduling.waitlist_entry(entry_id), "waitlist entry", entry_id)
            check_version(entry, "waitlist entry", expected_version)
            if entry.status != WaitlistStatus.WAITING.value:
                raise DomainError("This patient is no longer waiting (already booked or removed).")
            entry.status = WaitlistStatus.REMOVED.value
            doctor_id = entry.doctor_id
            self._audit(
                uow,
                "remove",
                "waitlist-entry",
                entry_id,
                {"status": "waiting"},
                {"status": "removed"},
            )
            uow.commit()
        self._changes.publish(Change.of(Entity.WAITLIST, doctor_id))
