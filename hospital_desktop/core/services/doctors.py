"""Doctors: who sees patients, at which hospital, for what fee."""

from __future__ import annotations

from typing import Any

from hospital_desktop.core.db.models import Doctor
from hospital_desktop.core.db.uow import UnitOfWork
from hospital_desktop.core.domain.clock import utc_now
from hospital_desktop.core.domain.security import Permission
from hospital_desktop.core.domain.validation import FieldChecker
from hospital_desktop.core.domain.values import DoctorDraft, DoctorRecord, ListQuery, Page
from hospital_desktop.core.services.base import (
    Service,
    archive_time,
    check_version,
    require,
    resolve_by_name,
)
from hospital_desktop.core.services.changes import Change, Entity

KIND = "doctor"


def validate_doctor(uow: UnitOfWork, draft: DoctorDraft) -> dict[str, Any]:
    check = FieldChecker()
    values: dict[str, Any] = {
        "name": check.text("name", "Name", draft.name, max_length=200, required=True),
        "specialty": check.text("specialty", "Specialty", draft.specialty, max_length=100),
        "phone": check.phone("phone", "Phone", draft.phone),
        "email": check.email("email", "E-mail", draft.email),
        "consultation_fee_cents": check.money_cents(
            "consultation_fee", "Consultation fee", draft.consultation_fee
        ),
        "active": bool(draft.active),
        "external_id": check.text("external_id", "External id", draft.external_id, max_length=64)
        or None,
        "hospital_id": draft.hospital_id,
    }
    if draft.hospital_id is None:
        check.fail("hospital_id", "Hospital is required.")
    elif uow.hospitals.get(draft.hospital_id) is None:
        check.fail("hospital_id", "The chosen hospital no longer exists.")
    check.done()
    return values


class DoctorService(Service):
    def create(self, draft: DoctorDraft) -> DoctorRecord:
        self._require(Permission.EDIT_RECORDS, "create-doctor")
        with self._uow() as uow:
            doctor = uow.doctors.add(Doctor(**validate_doctor(uow, draft)))
            record = uow.doctors.record(doctor)
            self._audit(uow, "create", KIND, record.id, None, record)
            uow.commit()
        self._changes.publish(Change.of(Entity.DOCTOR, record.id))
        return record

    def get(self, doctor_id: int) -> DoctorRecord:
        self._require(Permission.VIEW_RECORDS, "view-doctor")
        with self._uow() as uow:
            return uow.doctors.record(require(uow.doctors.get(doctor_id), KIND, doctor_id))

    def update(
        self, doctor_id: int, draft: DoctorDraft, expected_version: int | None = None
    ) -> DoctorRecord:
        self._require(Permission.EDIT_RECORDS, "update-doctor")
        with self._uow() as uow:
            doctor = require(uow.doctors.get(doctor_id), KIND, doctor_id)
            check_version(doctor, KIND, expected_version)
            before = uow.doctors.record(doctor)
            for name, value in validate_doctor(uow, draft).items():
                setattr(doctor, name, value)
            uow.session.flush()
            uow.session.expire(doctor, ["hospital"])  # it may have moved to another hospital
            record = uow.doctors.record(doctor)
            self._audit(uow, "update", KIND, doctor_id, before, record)
            uow.commit()
        self._changes.publish(Change(frozenset({Entity.DOCTOR, Entity.APPOINTMENT})))
        return record

    def set_archived(self, doctor_id: int, archived: bool = True) -> DoctorRecord:
        self._require(Permission.EDIT_RECORDS, "archive-doctor")
        with self._uow() as uow:
            doctor = require(uow.doctors.get(doctor_id), KIND, doctor_id)
            before = uow.doctors.record(doctor)
            doctor.archived_at = archive_time(archived, utc_now())
            uow.session.flush()
            record = uow.doctors.record(doctor)
            self._audit(uow, "archive" if archived else "restore", KIND, doctor_id, before, record)
            uow.commit()
        self._changes.publish(Change.of(Entity.DOCTOR, doctor_id))
        return record

    def resolve(self, number_or_name: str) -> int:
        """The doctor a user named by number or exact name (the command line)."""
        self._require(Permission.VIEW_RECORDS, "find-doctor")
        with self._uow() as uow:
            return resolve_by_name(uow, Doctor, "doctor", number_or_name)

    def list(self, query: ListQuery) -> Page[DoctorRecord]:
        """All doctors, or with ``hospital_id`` the doctors of one hospital."""
        self._require(Permission.VIEW_RECORDS, "list-doctors")
        with self._uow() as uow:
            return uow.doctors.list_page(query)
