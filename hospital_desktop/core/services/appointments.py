"""Appointments: a patient seeing a doctor at a hospital, stored in UTC."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from hospital_desktop.core.db.models import Appointment
from hospital_desktop.core.db.uow import UnitOfWork
from hospital_desktop.core.domain.clock import format_local, utc_now
from hospital_desktop.core.domain.errors import ValidationError
from hospital_desktop.core.domain.security import Permission
from hospital_desktop.core.domain.validation import FieldChecker
from hospital_desktop.core.domain.values import (
    AppointmentDraft,
    AppointmentRecord,
    AppointmentStatus,
    ListQuery,
    Page,
)
from hospital_desktop.core.scheduling.availability import Refusal
from hospital_desktop.core.services.base import Service, archive_time, check_version, require
from hospital_desktop.core.services.changes import Change, Entity

KIND = "appointment"
LONGEST_STAY = timedelta(days=366)


def validate_appointment(uow: UnitOfWork, draft: AppointmentDraft) -> dict[str, Any]:
    check = FieldChecker()
    values: dict[str, Any] = {
        "service": check.text("service", "Service", draft.service, max_length=100),
        "reason": check.text("reason", "Reason", draft.reason, max_length=300),
        "notes": check.text("notes", "Notes", draft.notes, max_length=4000),
        "fee_cents": check.money_cents("fee", "Fee", draft.fee),
        "payer_coverage_cents": check.money_cents(
            "payer_coverage", "Payer coverage", draft.payer_coverage
        ),
        "external_id": check.text("external_id", "External id", draft.external_id, max_length=64)
        or None,
        "patient_id": draft.patient_id,
        "doctor_id": draft.doctor_id,
        "payer_id": draft.payer_id,
        "start_at": draft.start_at,
        "end_at": draft.end_at,
    }
    try:
        values["status"] = AppointmentStatus(draft.status).value
    except ValueError:
        check.fail("status", f"'{draft.status}' is not an appointment status.")
    patient = None if draft.patient_id is None else uow.patients.get(draft.patient_id)
    if draft.patient_id is None:
        check.fail("patient_id", "Choose the patient.")
    elif patient is None:
        check.fail("patient_id", "The chosen patient no longer exists.")
    doctor = None if draft.doctor_id is None else uow.doctors.get(draft.doctor_id)
    if draft.doctor_id is None:
        check.fail("doctor_id", "Choose the doctor.")
    elif doctor is None:
        check.fail("doctor_id", "The chosen doctor no longer exists.")
    else:
        values["hospital_id"] = doctor.hospital_id
    if draft.payer_id is not None and uow.payers.get(draft.payer_id) is None:
        check.fail("payer_id", "The chosen payer no longer exists.")
    start, end = draft.start_at, draft.end_at
    if start is None:
        check.fail("start_at", "Start time is required.")
    if end is None:
        check.fail("end_at", "End time is required.")
    if start is not None and end is not None:
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("appointment times must be timezone-aware")
        # Records hand back UTC whether just saved or read again later.
        values["start_at"], values["end_at"] = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            check.fail("end_at", "The appointment must end after it starts.")
        elif end - start > LONGEST_STAY:
            check.fail("end_at", "An appointment cannot last more than a year.")
    status = values.get("status")
    if (
        patient is not None
        and patient.date_of_death is not None
        and start is not None
        and status is not None
        and AppointmentStatus(status).is_active
        and start.date() > patient.date_of_death
    ):
        check.fail(
            "patient_id",
            f"{patient.given_name} {patient.family_name} died on "
            f"{patient.date_of_death.isoformat()}; no appointment can be booked after that.",
        )
    fee, covered = values["fee_cents"], values["payer_coverage_cents"]
    if fee is not None and covered is not None and covered > fee:
        check.fail("payer_coverage", "Payer coverage cannot be more than the fee.")
    check.done()
    return values


def place(uow: UnitOfWork, values: dict[str, Any], ignore_id: int | None) -> None:
    """Set what the appointment blocks, refusing one that would double-book the doctor.

    Recorded appointments may lie outside the timetable (history, walk-ins), but an active
    one may never overlap another active one of the same doctor.
    """
    start, end = values["start_at"], values["end_at"]
    values["blocked_until"] = end
    if not AppointmentStatus(values["status"]).is_active:
        return
    doctor = uow.scheduling.lock_doctor(values["doctor_id"])
    assert doctor is not None  # validated above
    calendar = uow.scheduling.calendar(doctor, doctor.hospital, start, end)
    verdict = calendar.check(start, end, utc_now(), history=True, ignore_appointment=ignore_id)
    if verdict.refusal is Refusal.OVERLAPS and verdict.conflict is not None:
        zone = doctor.hospital.time_zone
        taken = f"{format_local(verdict.conflict.start, zone)}–" + format_local(
            verdict.conflict.end, zone, with_date=False
        )
        raise ValidationError(
            {"start_at": f"The doctor already has an active appointment at {taken}."}
        )
    values["blocked_until"] = end + timedelta(minutes=verdict.buffer_minutes)


class AppointmentService(Service):
    def create(self, draft: AppointmentDraft) -> AppointmentRecord:
        self._require(Permission.BOOK, "create-appointment")
        with self._uow(serialized=True) as uow:
            values = validate_appointment(uow, draft)
            place(uow, values, None)
            appointment = uow.appointments.add(Appointment(**values))
            record = require(uow.appointments.record_by_id(appointment.id), KIND, appointment.id)
            self._audit(uow, "create", KIND, record.id, None, record)
            uow.commit()
        self._changes.publish(Change.of(Entity.APPOINTMENT, record.id))
        return record

    def get(self, appointment_id: int) -> AppointmentRecord:
        self._require(Permission.VIEW_PATIENTS, "view-appointment")
        with self._uow() as uow:
            record = uow.appointments.record_by_id(appointment_id)
            return require(record, KIND, appointment_id)  # type: ignore[no-any-return]

    def update(
        self, appointment_id: int, draft: AppointmentDraft, expected_version: int | None = None
    ) -> AppointmentRecord:
        self._require(Permission.BOOK, "update-appointment")
        with self._uow(serialized=True) as uow:
            appointment = require(uow.appointments.get(appointment_id), KIND, appointment_id)
            check_version(appointment, KIND, expected_version)
            values = validate_appointment(uow, draft)
            place(uow, values, appointment_id)
            before = uow.appointments.record_by_id(appointment_id)
            for name, value in values.items():
                setattr(appointment, name, value)
            if appointment.status != AppointmentStatus.FULFILLED.value:
                # A score is for a visit that took place; it goes if the visit did not.
                appointment.satisfaction_score = None
                appointment.satisfaction_comment = ""
            uow.session.flush()
            record = require(uow.appointments.record_by_id(appointment_id), KIND, appointment_id)
            self._audit(uow, "update", KIND, appointment_id, before, record)
            uow.commit()
        self._changes.publish(Change.of(Entity.APPOINTMENT, appointment_id))
        return record

    def set_archived(self, appointment_id: int, archived: bool = True) -> AppointmentRecord:
        """Hide a record entered by mistake from the lists; it stays in the database."""
        self._require(Permission.BOOK, "archive-appointment")
        with self._uow(serialized=True) as uow:
            appointment = require(uow.appointments.get(appointment_id), KIND, appointment_id)
            if not archived and appointment.archived_at is not None:
                values = {
                    "start_at": appointment.start_at,
                    "end_at": appointment.end_at,
                    "status": appointment.status,
                    "doctor_id": appointment.doctor_id,
                }
                place(uow, values, appointment_id)  # restoring must not double-book
            before = uow.appointments.record_by_id(appointment_id)
            appointment.archived_at = archive_time(archived, utc_now())
            uow.session.flush()
            record = require(uow.appointments.record_by_id(appointment_id), KIND, appointment_id)
            action = "archive" if archived else "restore"
            self._audit(uow, action, KIND, appointment_id, before, record)
            uow.commit()
        self._changes.publish(Change.of(Entity.APPOINTMENT, appointment_id))
        return record

    def list(self, query: ListQuery) -> Page[AppointmentRecord]:
        """By start time unless the query sorts otherwise; filter by patient, doctor or
        hospital."""
        self._require(Permission.VIEW_PATIENTS, "list-appointments")
        with self._uow() as uow:
            return uow.appointments.list_page(query)
