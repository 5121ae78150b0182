"""Booking: free slots, booking without double booking, and an appointment's life after.

Every booking asks the availability engine inside a serialized write (SQLite: BEGIN
IMMEDIATE; PostgreSQL: the doctor's row locked), and on PostgreSQL an exclusion constraint
stands behind it. So when two workstations race for one slot exactly one wins, and the other
is told the slot was just taken and offered the nearest free ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from hospital_desktop.core.db.models import Appointment, Doctor, Hospital
from hospital_desktop.core.db.uow import UnitOfWork
from hospital_desktop.core.domain.clock import format_local, to_local, utc_now
from hospital_desktop.core.domain.errors import DomainError, NotFoundError
from hospital_desktop.core.domain.security import Permission
from hospital_desktop.core.domain.validation import FieldChecker
from hospital_desktop.core.domain.values import (
    AppointmentRecord,
    AppointmentStatus,
    BookingRequest,
)
from hospital_desktop.core.scheduling.availability import (
    DoctorCalendar,
    Refusal,
    Slot,
    nearest_free,
)
from hospital_desktop.core.scheduling.local_time import local_day_bounds
from hospital_desktop.core.scheduling.week import (
    CalendarAppointment,
    WeekLayout,
    build_week,
)
from hospital_desktop.core.services.base import Service, check_version, require
from hospital_desktop.core.services.changes import Change, Entity

ALTERNATIVES_WINDOW = timedelta(days=14)
SHOWN_IN_CALENDAR = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.ARRIVED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.FULFILLED,
    AppointmentStatus.NOSHOW,
)


class SlotTakenError(DomainError):
    """The time was just taken (or overlaps another appointment); ``alternatives`` are the
    nearest free slots, to offer instead."""

    def __init__(self, message: str, alternatives: list[Slot], time_zone: str) -> None:
        self.alternatives = alternatives
        self.time_zone = time_zone
        if alternatives:
            nearest = ", ".join(format_local(slot.start, time_zone) for slot in alternatives)
            message = f"{message} The nearest free times are: {nearest}."
        else:
            message = f"{message} There is no free time near it."
        super().__init__(message)


class BookingRefusedError(DomainError):
    """The time may not be booked: outside the timetable, too soon, too far ahead..."""

    def __init__(self, message: str, refusal: Refusal) -> None:
        super().__init__(message)
        self.refusal = refusal


class _LostRaceError(DomainError):
    def __init__(self) -> None:
        super().__init__(JUST_TAKEN)


@dataclass(frozen=True, slots=True)
class AvailableSlot:
    doctor_id: int
    doctor_name: str
    specialty: str
    time_zone: str
    slot: Slot


JUST_TAKEN = "That time was just taken by another booking."
OVERLAPS = "The doctor already has an appointment at that time."


def _is_double_booking(error: IntegrityError) -> bool:
    """PostgreSQL's exclusion constraint said no (SQLSTATE 23P01)."""
    return getattr(error.orig, "sqlstate", None) == "23P01" or (
        "ex_appointments_no_double_booking" in str(error.orig)
    )


class BookingService(Service):
    # --- reading -------------------------------------------------------------------------

    def free_slots(self, doctor_id: int, start: datetime, end: datetime) -> list[Slot]:
        self._require(Permission.VIEW_RECORDS, "free-slots")
        with self._uow() as uow:
            doctor, hospital = self._doctor(uow, doctor_id)
            calendar = uow.scheduling.calendar(doctor, hospital, start, end)
            return calendar.free_slots(start, end, utc_now())

    def week(self, doctor_id: int, monday: date, now: datetime | None = None) -> WeekLayout:
        """The doctor's week for the calendar, from Monday ``monday`` (a local date)."""
        self._require(Permission.VIEW_PATIENTS, "view-week")
        now = now or utc_now()
        with self._uow() as uow:
            doctor, hospital = self._doctor(uow, doctor_id)
            midnight = datetime.combine(monday, datetime.min.time())
            start = local_day_bounds(midnight, hospital.time_zone)[0]
            end = start + timedelta(days=8)
            calendar = uow.scheduling.calendar(doctor, hospital, start, end)
            shown = uow.appointments.in_range(doctor_id, start, end, SHOWN_IN_CALENDAR)
        appointments = [
            CalendarAppointment(
                id=a.id,
                start=a.start_at,
                end=a.end_at,
                status=a.status,
                patient_name=a.patient_name,
                reason=a.reason,
                version=a.version,
            )
            for a in shown
        ]
        return build_week(calendar, appointments, monday, now, dict(calendar.closure_reasons))

    def next_available(
        self,
        hospital_id: int,
        specialty: str | None = None,
        limit: int = 10,
        after: datetime | None = None,
        days: int = 14,
    ) -> list[AvailableSlot]:
        """The first free slots across a hospital's active doctors (of one specialty)."""
        self._require(Permission.VIEW_RECORDS, "next-available")
        start = after or utc_now()
        end = start + timedelta(days=days)
        found: list[AvailableSlot] = []
        with self._uow() as uow:
            hospital = require(uow.hospitals.get(hospital_id), "hospital", hospital_id)
            for doctor in uow.scheduling.bookable_doctors(hospital_id, specialty):
                calendar = uow.scheduling.calendar(doctor, hospital, start, end)
                for slot in calendar.free_slots(start, end, utc_now())[:limit]:
                    found.append(
                        AvailableSlot(
                            doctor.id, doctor.name, doctor.specialty, hospital.time_zone, slot
                        )
                    )
        return sorted(found, key=lambda a: (a.slot.start, a.doctor_name))[:limit]

    # --- booking -------------------------------------------------------------------------

    def book(
        self,
        request: BookingRequest,
        now: datetime | None = None,
        *,
        along_with: Callable[[UnitOfWork, Appointment], None] | None = None,
        also_changed: Change | None = None,
    ) -> AppointmentRecord:
        """Book ``request``. ``along_with`` runs in the same transaction once the appointment
        exists (the waitlist marks its entry booked there), so both happen or neither."""
        self._require(Permission.BOOK, "book")
        now = now or utc_now()
        check = FieldChecker()
        service = check.text("service", "Service", request.service, max_length=100)
        reason = check.text("reason", "Reason", request.reason, max_length=300)
        notes = check.text("notes", "Notes", request.notes, max_length=4000)
        override = check.text(
            "override_reason", "Override reason", request.override_reason, max_length=300
        )
        check.done()

        def take(
            uow: UnitOfWork, doctor: Doctor, hospital: Hospital, calendar: DoctorCalendar
        ) -> int:
            appointment = self._take(
                uow,
                doctor,
                hospital,
                calendar,
                now,
                patient_id=request.patient_id,
                start=request.start_at,
                end=request.end_at,
                override_reason=override,
                values={
                    "service": service,
                    "reason": reason,
                    "notes": notes,
                    # The doctor's consultation fee, until the desk records another.
                    "fee_cents": doctor.consultation_fee_cents,
                },
            )
            if along_with is not None:
                along_with(uow, appointment)
            return appointment.id

        appointment_id = self._write(request.doctor_id, request.start_at, take)
        change = Change.of(Entity.APPOINTMENT, appointment_id)
        if also_changed is not None:
            change = Change(change.entities | also_changed.entities, change.ids | also_changed.ids)
        return self._record(appointment_id, change)

    def reschedule(
        self,
        appointment_id: int,
        new_start: datetime,
        expected_version: int | None,
        new_end: datetime | None = None,
        override_reason: str = "",
        now: datetime | None = None,
    ) -> AppointmentRecord:
        """Move an appointment: the new time is taken and the old one freed together.

        The old appointment stays, cancelled as 'Rescheduled' and linked from the new one,
        so history and statistics see what happened. A view that is out of date (the
        version changed) is refused.
        """
        self._require(Permission.BOOK, "reschedule")
        now = now or utc_now()
        with self._uow() as uow:
            old = require(uow.appointments.get(appointment_id), "appointment", appointment_id)
            doctor_id = old.doctor_id

        def move(
            uow: UnitOfWork, doctor: Doctor, hospital: Hospital, calendar: DoctorCalendar
        ) -> int:
            old = require(uow.appointments.get(appointment_id), "appointment", appointment_id)
            check_version(old, "appointment", expected_version)
            if AppointmentStatus(old.status) is not AppointmentStatus.BOOKED:
                raise DomainError(
                    f"Only a booked appointment can be rescheduled; this one is "
                    f"{AppointmentStatus(old.status).label.lower()}."
                )
            length = old.end_at - old.start_at
            old.status = AppointmentStatus.CANCELLED.value
            old.cancelled_at = now
            old.cancel_reason = "Rescheduled"
            uow.session.flush()  # free the old time before taking the new one
            new = self._take(
                uow,
                doctor,
                hospital,
                calendar,
                now,
                patient_id=old.patient_id,
                start=new_start,
                end=new_end or new_start + length,
                override_reason=override_reason,
                values={
                    "service": old.service,
                    "reason": old.reason,
                    "notes": old.notes,
                    "fee_cents": old.fee_cents,
                    "payer_id": old.payer_id,
                    "payer_coverage_cents": old.payer_coverage_cents,
                    "rescheduled_from_id": old.id,
                },
                ignore_appointment=old.id,
                audit=False,  # one entry for the whole move, below
            )
            self._audit(
                uow,
                "reschedule",
                "appointment",
                old.id,
                {"start_at": old.start_at, "end_at": old.end_at, "status": "booked"},
                {
                    "start_at": new.start_at,
                    "end_at": new.end_at,
                    "status": "cancelled",
                    "rescheduled_to": new.id,
                },
            )
            return new.id

        new_id = self._write(doctor_id, new_start, move)
        return self._record(new_id, Change.of(Entity.APPOINTMENT, appointment_id, new_id))

    # --- after booking -------------------------------------------------------------------

    def check_in(
        self, appointment_id: int, expected_version: int | None = None, now: datetime | None = None
    ) -> AppointmentRecord:
        """The patient has arrived: possible from the start of the appointment's day."""
        self._require(Permission.CHECK_IN, "check-in")
        return self._transition(
            appointment_id,
            expected_version,
            AppointmentStatus.ARRIVED,
            {AppointmentStatus.BOOKED},
            lambda appointment, now: setattr(appointment, "arrived_at", now),
            now=now,
            not_before=_start_of_day,
            too_early="A patient can be checked in on the day of the appointment, not before.",
        )

    def complete(
        self, appointment_id: int, expected_version: int | None = None, now: datetime | None = None
    ) -> AppointmentRecord:
        self._require(Permission.CHECK_IN, "complete")
        return self._transition(
            appointment_id,
            expected_version,
            AppointmentStatus.FULFILLED,
            {AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.CHECKED_IN},
            now=now,
            not_before=lambda appointment: appointment.start_at,
            too_early="An appointment can be completed once it has started.",
        )

    def mark_no_show(
        self, appointment_id: int, expected_version: int | None = None, now: datetime | None = None
    ) -> AppointmentRecord:
        self._require(Permission.CHECK_IN, "no-show")
        return self._transition(
            appointment_id,
            expected_version,
            AppointmentStatus.NOSHOW,
            {AppointmentStatus.BOOKED},
            now=now,
            not_before=lambda appointment: appointment.start_at,
            too_early="A patient can be marked as not come only once the appointment has begun.",
        )

    def cancel(
        self,
        appointment_id: int,
        reason: str,
        cancelled_by: str = "",
        expected_version: int | None = None,
        now: datetime | None = None,
    ) -> AppointmentRecord:
        """Cancel, recording who, why and when; the time is free again at once."""
        self._require(Permission.CANCEL, "cancel")
        check = FieldChecker()
        why = check.text(
            "cancel_reason", "Reason for cancelling", reason, max_length=300, required=True
        )
        who = check.text("cancelled_by", "Cancelled by", cancelled_by, max_length=100)
        check.done()

        def record(appointment: Appointment, now: datetime) -> None:
            appointment.cancelled_at = now
            appointment.cancel_reason = why
            appointment.cancelled_by = who

        return self._transition(
            appointment_id,
            expected_version,
            AppointmentStatus.CANCELLED,
            {AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.CHECKED_IN},
            record,
            now=now,
        )

    # --- the shared steps ----------------------------------------------------------------

    def _doctor(self, uow: UnitOfWork, doctor_id: int) -> tuple[Doctor, Hospital]:
        doctor = require(uow.doctors.get(doctor_id), "doctor", doctor_id)
        return doctor, doctor.hospital

    def _write(
        self,
        doctor_id: int,
        near: datetime,
        work: Callable[[UnitOfWork, Doctor, Hospital, DoctorCalendar], int],
    ) -> int:
        """Run a booking write serialized per doctor; a lost race becomes SlotTakenError."""
        try:
            with self._uow(serialized=True) as uow:
                doctor = uow.scheduling.lock_doctor(doctor_id)
                if doctor is None:
                    raise NotFoundError(f"The doctor (number {doctor_id}) no longer exists.")
                hospital = doctor.hospital
                calendar = uow.scheduling.calendar(
                    doctor, hospital, near - ALTERNATIVES_WINDOW, near + ALTERNATIVES_WINDOW
                )
                try:
                    result = work(uow, doctor, hospital, calendar)
                    uow.commit()
                except IntegrityError as error:
                    if _is_double_booking(error):
                        raise _LostRaceError() from error
                    raise
                return result
        except _LostRaceError:
            # The database's own guard (PostgreSQL's exclusion constraint) said no.
            raise self._taken(doctor_id, near, JUST_TAKEN) from None

    def _take(
        self,
        uow: UnitOfWork,
        doctor: Doctor,
        hospital: Hospital,
        calendar: DoctorCalendar,
        now: datetime,
        *,
        patient_id: int,
        start: datetime,
        end: datetime | None,
        override_reason: str,
        values: dict[str, Any],
        ignore_appointment: int | None = None,
        audit: bool = True,
    ) -> Appointment:
        """Check the time with the engine and add the appointment (inside the write)."""
        if start.tzinfo is None:
            raise ValueError("booking times must be timezone-aware")
        patient = uow.patients.get(patient_id)
        if patient is None:
            raise NotFoundError(f"The patient (number {patient_id}) no longer exists.")
        if patient.date_of_death is not None and start.date() > patient.date_of_death:
            raise DomainError(
                f"{patient.given_name} {patient.family_name} died on "
                f"{patient.date_of_death.isoformat()}; they cannot be booked."
            )
        if not doctor.active or doctor.archived_at is not None:
            raise DomainError(f"{doctor.name} does not take appointments at the moment.")
        if end is None:
            stretch = calendar.stretch_holding(start, start + timedelta(minutes=1))
            if stretch is None:
                raise BookingRefusedError(
                    "That time is outside the doctor's timetable; give an end time to book it "
                    "anyway.",
                    Refusal.OUTSIDE_TIMETABLE,
                )
            end = start + timedelta(minutes=stretch.slot_minutes)
        verdict = calendar.check(
            start,
            end,
            now,
            outside_timetable_allowed=bool(override_reason),
            ignore_appointment=ignore_appointment,
        )
        if verdict.refusal is Refusal.OVERLAPS:
            alternatives = nearest_free(
                calendar.free_slots(start - ALTERNATIVES_WINDOW, start + ALTERNATIVES_WINDOW, now),
                start,
            )
            raise SlotTakenError(
                JUST_TAKEN if _is_slot_start(calendar, start) else OVERLAPS,
                alternatives,
                hospital.time_zone,
            )
        if verdict.refusal is not None:
            raise BookingRefusedError(verdict.message, verdict.refusal)
        appointment = Appointment(
            patient_id=patient_id,
            doctor_id=doctor.id,
            hospital_id=hospital.id,
            start_at=start,
            end_at=end,
            blocked_until=end + timedelta(minutes=verdict.buffer_minutes),
            status=AppointmentStatus.BOOKED.value,
            booked_outside_timetable=bool(override_reason),
            override_reason=override_reason,
            **values,
        )
        uow.session.add(appointment)
        uow.session.flush()
        if audit:
            self._audit(
                uow, "book", "appointment", appointment.id, None, _booked_fields(appointment)
            )
        return appointment

    def _taken(self, doctor_id: int, near: datetime, message: str) -> SlotTakenError:
        with self._uow() as uow:
            doctor, hospital = self._doctor(uow, doctor_id)
            calendar = uow.scheduling.calendar(
                doctor, hospital, near - ALTERNATIVES_WINDOW, near + ALTERNATIVES_WINDOW
            )
            now = utc_now()
            free = calendar.free_slots(near - ALTERNATIVES_WINDOW, near + ALTERNATIVES_WINDOW, now)
            return SlotTakenError(message, nearest_free(free, near), hospital.time_zone)

    def _transition(
        self,
        appointment_id: int,
        expected_version: int | None,
        target: AppointmentStatus,
        allowed_from: set[AppointmentStatus],
        also: Callable[[Appointment, datetime], None] | None = None,
        *,
        now: datetime | None = None,
        not_before: Callable[[Appointment], datetime] | None = None,
        too_early: str = "",
    ) -> AppointmentRecord:
        now = now or utc_now()
        with self._uow() as uow:
            appointment = require(
                uow.appointments.get(appointment_id), "appointment", appointment_id
            )
            check_version(appointment, "appointment", expected_version)
            current = AppointmentStatus(appointment.status)
            if current in allowed_from and not_before is not None and now < not_before(appointment):
                raise DomainError(too_early)
            if current not in allowed_from:
                raise DomainError(
                    f"This appointment is {current.label.lower()}; it cannot be marked "
                    f"{target.label.lower()}."
                )
            before = _lifecycle_fields(appointment)
            appointment.status = target.value
            if also is not None:
                also(appointment, now)
            self._audit(
                uow,
                target.value,
                "appointment",
                appointment_id,
                before,
                _lifecycle_fields(appointment),
            )
            uow.commit()
        return self._record(appointment_id, Change.of(Entity.APPOINTMENT, appointment_id))

    def _record(self, appointment_id: int, change: Change) -> AppointmentRecord:
        with self._uow() as uow:
            record = require(
                uow.appointments.record_by_id(appointment_id), "appointment", appointment_id
            )
        self._changes.publish(change)
        return record  # type: ignore[no-any-return]


def _booked_fields(appointment: Appointment) -> dict[str, Any]:
    return {
        "patient_id": appointment.patient_id,
        "doctor_id": appointment.doctor_id,
        "start_at": appointment.start_at,
        "end_at": appointment.end_at,
        "status": appointment.status,
        "reason": appointment.reason,
        "override_reason": appointment.override_reason,
    }


def _lifecycle_fields(appointment: Appointment) -> dict[str, Any]:
    return {
        "status": appointment.status,
        "arrived_at": appointment.arrived_at,
        "cancelled_at": appointment.cancelled_at,
        "cancelled_by": appointment.cancelled_by,
        "cancel_reason": appointment.cancel_reason,
    }


def _start_of_day(appointment: Appointment) -> datetime:
    """Local midnight, in the hospital's zone, of the day the appointment starts."""
    zone = appointment.hospital.time_zone
    local_day = to_local(appointment.start_at, zone).date()
    return local_day_bounds(datetime.combine(local_day, datetime.min.time()), zone)[0]


def _is_slot_start(calendar: DoctorCalendar, start: datetime) -> bool:
    return any(slot.start == start for slot in calendar.slots(start, start + timedelta(minutes=1)))
