"""Patients: registration and record keeping at the front desk."""

from __future__ import annotations

import builtins
import secrets
from datetime import date
from typing import Any

from hospital_desktop.core.db.models import Patient
from hospital_desktop.core.db.uow import UnitOfWork
from hospital_desktop.core.domain.clock import utc_now
from hospital_desktop.core.domain.security import Permission
from hospital_desktop.core.domain.validation import FieldChecker
from hospital_desktop.core.domain.values import (
    ListQuery,
    Page,
    PatientDraft,
    PatientRecord,
    PayerRecord,
    Sex,
)
from hospital_desktop.core.services.base import Service, archive_time, check_version, require
from hospital_desktop.core.services.changes import Change, Entity

KIND = "patient"
OLDEST_BIRTH_YEAR = 1880


def new_medical_record_numbers(uow: UnitOfWork, count: int) -> list[str]:
    """Fresh record numbers: 'M' and nine random digits, checked against those in use.

    Random rather than sequential so that two workstations never hand out the same number
    at once; the unique constraint is the final guard.
    """
    chosen: set[str] = set()
    while len(chosen) < count:
        candidates = {f"M{secrets.randbelow(10**9):09d}" for _ in range(count - len(chosen))}
        chosen |= candidates - chosen - uow.patients.mrns_in_use(candidates)
    return list(chosen)


def desk_today() -> date:
    """Today on this computer's calendar: a birth date is a calendar date, and a baby born
    this morning east of Greenwich is born 'today' while it is still yesterday in UTC."""
    return date.today()


def validate_patient(
    uow: UnitOfWork, draft: PatientDraft, patient_id: int | None, today: date
) -> dict[str, Any]:
    check = FieldChecker()
    values: dict[str, Any] = {
        "given_name": check.text(
            "given_name", "Given name", draft.given_name, max_length=100, required=True
        ),
        "family_name": check.text(
            "family_name", "Family name", draft.family_name, max_length=100, required=True
        ),
        "medical_record_number": check.text(
            "medical_record_number",
            "Medical record number",
            draft.medical_record_number,
            max_length=32,
        ),
        "phone": check.phone("phone", "Phone", draft.phone),
        "email": check.email("email", "E-mail", draft.email),
        "address": check.text("address", "Address", draft.address, max_length=200),
        "city": check.text("city", "City", draft.city, max_length=100),
        "state": check.text("state", "State or region", draft.state, max_length=100),
        "postal_code": check.text("postal_code", "Postal code", draft.postal_code, max_length=20),
        "external_id": check.text("external_id", "External id", draft.external_id, max_length=64)
        or None,
        "payer_id": draft.payer_id,
    }
    try:
        values["sex"] = Sex(draft.sex).value
    except ValueError:
        check.fail("sex", "Sex must be female, male, other or unknown.")
    born = check.date("date_of_birth", "Date of birth", draft.date_of_birth, required=True)
    died = check.date("date_of_death", "Date of death", draft.date_of_death)
    if born is not None:
        if born > today:
            check.fail("date_of_birth", "Date of birth cannot be in the future.")
        elif born.year < OLDEST_BIRTH_YEAR:
            check.fail("date_of_birth", f"Date of birth must be after {OLDEST_BIRTH_YEAR}.")
    if died is not None:
        if died > today:
            check.fail("date_of_death", "Date of death cannot be in the future.")
        elif born is not None and died < born:
            check.fail("date_of_death", "Date of death cannot be before the date of birth.")
    values["date_of_birth"], values["date_of_death"] = born, died
    mrn = values["medical_record_number"]
    if mrn and uow.patients.mrn_taken(mrn, except_id=patient_id):
        check.fail("medical_record_number", f"Record number {mrn} belongs to another patient.")
    if draft.payer_id is not None and uow.payers.get(draft.payer_id) is None:
        check.fail("payer_id", "The chosen payer no longer exists.")
    check.done()
    return values


class PatientService(Service):
    def create(self, draft: PatientDraft) -> PatientRecord:
        self._require(Permission.EDIT_PATIENTS, "create-patient")
        with self._uow() as uow:
            values = validate_patient(uow, draft, None, desk_today())
            values["medical_record_number"] = (
                values["medical_record_number"] or (new_medical_record_numbers(uow, 1)[0])
            )
            patient = uow.patients.add(Patient(**values))
            record = uow.patients.record(patient)
            self._audit(uow, "create", KIND, record.id, None, record)
            uow.commit()
        self._changes.publish(Change.of(Entity.PATIENT, record.id))
        return record

    def get(self, patient_id: int) -> PatientRecord:
        self._require(Permission.VIEW_PATIENTS, "view-patient")
        with self._uow() as uow:
            return uow.patients.record(require(uow.patients.get(patient_id), KIND, patient_id))

    def update(
        self, patient_id: int, draft: PatientDraft, expected_version: int | None = None
    ) -> PatientRecord:
        self._require(Permission.EDIT_PATIENTS, "update-patient")
        with self._uow() as uow:
            patient = require(uow.patients.get(patient_id), KIND, patient_id)
            check_version(patient, KIND, expected_version)
            values = validate_patient(uow, draft, patient_id, desk_today())
            values["medical_record_number"] = (
                values["medical_record_number"] or patient.medical_record_number
            )
            before = uow.patients.record(patient)
            for name, value in values.items():
                setattr(patient, name, value)
            uow.session.flush()
            uow.session.expire(patient, ["payer"])  # the payer may have changed
            record = uow.patients.record(patient)
            self._audit(uow, "update", KIND, patient_id, before, record)
            uow.commit()
        self._changes.publish(Change(frozenset({Entity.PATIENT, Entity.APPOINTMENT})))
        return record

    def set_archived(self, patient_id: int, archived: bool = True) -> PatientRecord:
        self._require(Permission.EDIT_PATIENTS, "archive-patient")
        with self._uow() as uow:
            patient = require(uow.patients.get(patient_id), KIND, patient_id)
            before = uow.patients.record(patient)
            patient.archived_at = archive_time(archived, utc_now())
            uow.session.flush()
            record = uow.patients.record(patient)
            self._audit(uow, "archive" if archived else "restore", KIND, patient_id, before, record)
            uow.commit()
        self._changes.publish(Change.of(Entity.PATIENT, patient_id))
        return record

    def list(self, query: ListQuery) -> Page[PatientRecord]:
        """All patients; with ``doctor_id`` (or ``hospital_id``) those seen there."""
        self._require(Permission.VIEW_PATIENTS, "list-patients")
        with self._uow() as uow:
            return uow.patients.list_page(query)

    def payers(self) -> builtins.list[PayerRecord]:
        self._require(Permission.VIEW_PATIENTS, "list-payers")
        with self._uow() as uow:
            return uow.payers.all()
