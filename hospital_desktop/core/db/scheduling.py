"""Queries behind timetables, exceptions, bookings and the waitlist."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hospital_desktop.core.db.models import (
    Appointment,
    CancelledOccurrence,
    Doctor,
    DoctorAbsence,
    Hospital,
    HospitalClosure,
    Patient,
    TimetableEntry,
    WaitlistEntry,
)
from hospital_desktop.core.domain.values import (
    ACTIVE_STATUSES,
    AbsenceRecord,
    AppointmentStatus,
    CancelledOccurrenceRecord,
    ClosureRecord,
    TimetableEntryRecord,
    WaitlistRecord,
    WaitlistStatus,
)
from hospital_desktop.core.scheduling.availability import (
    BusyInterval,
    DoctorCalendar,
    LocalRange,
    Policy,
    WeeklyRule,
)

ACTIVE = [status.value for status in ACTIVE_STATUSES]
# Time that is taken for the availability engine: the active appointments, and those that
# took place (a visit completed early does not free its slot for another). A no-show's time
# is free again: the doctor can see a walk-in instead.
HOLDING = [*ACTIVE, AppointmentStatus.FULFILLED.value]


class SchedulingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- entries -------------------------------------------------------------------------

    def entry(self, entry_id: int) -> TimetableEntry | None:
        return self.session.get(TimetableEntry, entry_id)

    def entries_of(self, doctor_id: int) -> list[TimetableEntry]:
        return list(
            self.session.scalars(
                select(TimetableEntry)
                .where(TimetableEntry.doctor_id == doctor_id)
                .order_by(TimetableEntry.weekday, TimetableEntry.start_time, TimetableEntry.id)
            )
        )

    def closures(self, hospital_id: int, first: date, last: date) -> list[HospitalClosure]:
        return list(
            self.session.scalars(
                select(HospitalClosure)
                .where(
                    HospitalClosure.hospital_id == hospital_id,
                    HospitalClosure.day >= first,
                    HospitalClosure.day <= last,
                )
                .order_by(HospitalClosure.day)
            )
        )

    def absences(self, doctor_id: int, first: datetime, last: datetime) -> list[DoctorAbsence]:
        """Absences meeting the local range [first, last)."""
        return list(
            self.session.scalars(
                select(DoctorAbsence)
                .where(
                    DoctorAbsence.doctor_id == doctor_id,
                    DoctorAbsence.ends_local > first,
                    DoctorAbsence.starts_local < last,
                )
                .order_by(DoctorAbsence.starts_local)
            )
        )

    def cancelled_occurrences(
        self, entry_ids: list[int], first: date, last: date
    ) -> list[CancelledOccurrence]:
        if not entry_ids:
            return []
        return list(
            self.session.scalars(
                select(CancelledOccurrence)
                .where(
                    CancelledOccurrence.entry_id.in_(entry_ids),
                    CancelledOccurrence.day >= first,
                    CancelledOccurrence.day <= last,
                )
                .order_by(CancelledOccurrence.day)
            )
        )

    def active_appointments(
        self, doctor_id: int, start: datetime, end: datetime
    ) -> list[Appointment]:
        """Appointments holding the doctor's time (active or fulfilled) whose
        blocked time meets [start, end) (indexed by doctor)."""
        return list(
            self.session.scalars(
                select(Appointment).where(
                    Appointment.doctor_id == doctor_id,
                    Appointment.status.in_(HOLDING),
                    Appointment.archived_at.is_(None),
                    Appointment.blocked_until > start,
                    Appointment.start_at < end,
                )
            )
        )

    def bookable_doctors(self, hospital_id: int, specialty: str | None) -> list[Doctor]:
        """Active doctors of a hospital who have a timetable, optionally of one specialty."""
        statement = (
            select(Doctor)
            .where(
                Doctor.hospital_id == hospital_id,
                Doctor.active.is_(True),
                Doctor.archived_at.is_(None),
                select(TimetableEntry.id).where(TimetableEntry.doctor_id == Doctor.id).exists(),
            )
            .order_by(Doctor.name, Doctor.id)
        )
        if specialty:
            statement = statement.where(Doctor.specialty.ilike(specialty))
        return list(self.session.scalars(statement))

    def lock_doctor(self, doctor_id: int) -> Doctor | None:
        """Bookings of one doctor queue up here (PostgreSQL row lock; SQLite is serialized
        by BEGIN IMMEDIATE already)."""
        return self.session.scalars(
            select(Doctor).where(Doctor.id == doctor_id).with_for_update()
        ).first()

    def calendar(
        self,
        doctor: Doctor,
        hospital: Hospital,
        start: datetime,
        end: datetime,
        *,
        with_busy: bool = True,
    ) -> DoctorCalendar:
        """Everything the availability engine needs for [start, end), from the database.

        ``with_busy=False`` leaves out the booked appointments: for the timetabled time alone
        (utilisation), without loading a period's bookings row by row."""
        zone = ZoneInfo(hospital.time_zone)
        margin = timedelta(days=2)
        first_day = (start - margin).astimezone(zone).date()
        last_day = (end + margin).astimezone(zone).date()
        entries = self.entries_of(doctor.id)
        closures = self.closures(hospital.id, first_day, last_day)
        rules = tuple(
            WeeklyRule(
                id=e.id,
                weekday=e.weekday,
                start=e.start_time,
                end=e.end_time,
                slot_minutes=e.slot_minutes,
                buffer_minutes=e.buffer_minutes,
                valid_from=e.valid_from,
                valid_until=e.valid_until,
            )
            for e in entries
        )
        local_first = datetime.combine(first_day, datetime.min.time())
        local_last = datetime.combine(last_day + timedelta(days=1), datetime.min.time())
        return DoctorCalendar(
            time_zone=hospital.time_zone,
            rules=rules,
            closed_days=frozenset(closure.day for closure in closures),
            closure_reasons={closure.day: closure.reason or "Closed" for closure in closures},
            absences=tuple(
                LocalRange(a.starts_local, a.ends_local, a.reason)
                for a in self.absences(doctor.id, local_first, local_last)
            ),
            cancelled_occurrences=frozenset(
                (c.entry_id, c.day)
                for c in self.cancelled_occurrences([e.id for e in entries], first_day, last_day)
            ),
            busy=tuple(
                BusyInterval(
                    a.start_at,
                    a.end_at,
                    int((a.blocked_until - a.end_at).total_seconds() // 60),
                    a.id,
                )
                for a in (
                    self.active_appointments(doctor.id, start - margin, end + margin)
                    if with_busy
                    else ()
                )
            ),
            policy=Policy(
                min_notice=timedelta(minutes=hospital.min_notice_minutes),
                horizon=timedelta(days=hospital.horizon_days),
            ),
        )

    # --- waitlist ------------------------------------------------------------------------

    def waitlist_entry(self, entry_id: int) -> WaitlistEntry | None:
        return self.session.get(WaitlistEntry, entry_id)

    def waiting_for(self, doctor_id: int) -> list[WaitlistRecord]:
        rows = self.session.execute(
            select(WaitlistEntry, Patient.given_name, Patient.family_name)
            .join(Patient, WaitlistEntry.patient_id == Patient.id)
            .where(
                WaitlistEntry.doctor_id == doctor_id,
                WaitlistEntry.status == WaitlistStatus.WAITING.value,
            )
            .order_by(WaitlistEntry.created_at, WaitlistEntry.id)
        )
        return [waitlist_record(entry, f"{given} {family}") for entry, given, family in rows]


def entry_record(entry: TimetableEntry) -> TimetableEntryRecord:
    return TimetableEntryRecord(
        id=entry.id,
        doctor_id=entry.doctor_id,
        weekday=entry.weekday,
        start_time=entry.start_time,
        end_time=entry.end_time,
        slot_minutes=entry.slot_minutes,
        buffer_minutes=entry.buffer_minutes,
        valid_from=entry.valid_from,
        valid_until=entry.valid_until,
        version=entry.version,
    )


def closure_record(closure: HospitalClosure) -> ClosureRecord:
    return ClosureRecord(closure.id, closure.hospital_id, closure.day, closure.reason)


def absence_record(absence: DoctorAbsence) -> AbsenceRecord:
    return AbsenceRecord(
        absence.id, absence.doctor_id, absence.starts_local, absence.ends_local, absence.reason
    )


def cancelled_record(occurrence: CancelledOccurrence) -> CancelledOccurrenceRecord:
    return CancelledOccurrenceRecord(
        occurrence.id, occurrence.entry_id, occurrence.day, occurrence.reason
    )


def waitlist_record(entry: WaitlistEntry, patient_name: str) -> WaitlistRecord:
    return WaitlistRecord(
        id=entry.id,
        patient_id=entry.patient_id,
        patient_name=patient_name,
        doctor_id=entry.doctor_id,
        earliest_day=entry.earliest_day,
        latest_day=entry.latest_day,
        earliest_time=entry.earliest_time,
        latest_time=entry.latest_time,
        notes=entry.notes,
        status=WaitlistStatus(entry.status),
        appointment_id=entry.appointment_id,
        created_at=entry.created_at,
        version=entry.version,
    )
