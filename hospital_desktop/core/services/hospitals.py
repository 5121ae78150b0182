"""Hospitals: the sites where doctors work; each has its own time zone."""

from __future__ import annotations

from hospital_desktop.core.db.models import Hospital
from hospital_desktop.core.db.repositories import hospital_record
from hospital_desktop.core.domain.clock import utc_now
from hospital_desktop.core.domain.security import Permission
from hospital_desktop.core.domain.validation import FieldChecker
from hospital_desktop.core.domain.values import HospitalDraft, HospitalRecord, ListQuery, Page
from hospital_desktop.core.services.base import (
    Service,
    archive_time,
    check_version,
    require,
    resolve_by_name,
)
from hospital_desktop.core.services.changes import Change, Entity

KIND = "hospital"


def validate_hospital(draft: HospitalDraft) -> dict[str, str | None]:
    check = FieldChecker()
    values: dict[str, str | None] = {
        "name": check.text("name", "Name", draft.name, max_length=200, required=True),
        "time_zone": check.time_zone("time_zone", "Time zone", draft.time_zone),
        "address": check.text("address", "Address", draft.address, max_length=200),
        "city": check.text("city", "City", draft.city, max_length=100),
        "state": check.text("state", "State or region", draft.state, max_length=100),
        "postal_code": check.text("postal_code", "Postal code", draft.postal_code, max_length=20),
        "phone": check.phone("phone", "Phone", draft.phone),
        "external_id": check.text("external_id", "External id", draft.external_id, max_length=64)
        or None,
    }
    check.done()
    return values


class HospitalService(Service):
    def create(self, draft: HospitalDraft) -> HospitalRecord:
        self._require(Permission.EDIT_RECORDS, "create-hospital")
        values = validate_hospital(draft)
        with self._uow() as uow:
            hospital = uow.hospitals.add(Hospital(**values))
            record = hospital_record(hospital)
            self._audit(uow, "create", KIND, record.id, None, record)
            uow.commit()
        self._changes.publish(Change.of(Entity.HOSPITAL, record.id))
        return record

    def get(self, hospital_id: int) -> HospitalRecord:
        self._require(Permission.VIEW_RECORDS, "view-hospital")
        with self._uow() as uow:
            return hospital_record(require(uow.hospitals.get(hospital_id), KIND, hospital_id))

    def update(
        self, hospital_id: int, draft: HospitalDraft, expected_version: int | None = None
    ) -> HospitalRecord:
        self._require(Permission.EDIT_RECORDS, "update-hospital")
        values = validate_hospital(draft)
        with self._uow() as uow:
            hospital = require(uow.hospitals.get(hospital_id), KIND, hospital_id)
            check_version(hospital, KIND, expected_version)
            before = hospital_record(hospital)
            for name, value in values.items():
                setattr(hospital, name, value)
            uow.session.flush()
            record = hospital_record(hospital)
            self._audit(uow, "update", KIND, hospital_id, before, record)
            uow.commit()
        # Doctors and appointments show the hospital's name and zone.
        self._changes.publish(
            Change(frozenset({Entity.HOSPITAL, Entity.DOCTOR, Entity.APPOINTMENT}))
        )
        return record

    def set_archived(self, hospital_id: int, archived: bool = True) -> HospitalRecord:
        self._require(Permission.EDIT_RECORDS, "archive-hospital")
        with self._uow() as uow:
            hospital = require(uow.hospitals.get(hospital_id), KIND, hospital_id)
            before = hospital_record(hospital)
            hospital.archived_at = archive_time(archived, utc_now())
            uow.session.flush()
            record = hospital_record(hospital)
            self._audit(
                uow, "archive" if archived else "restore", KIND, hospital_id, before, record
            )
            uow.commit()
        self._changes.publish(Change.of(Entity.HOSPITAL, hospital_id))
        return record

    def resolve(self, number_or_name: str) -> int:
        """The hospital a user named by number or exact name (the command line)."""
        self._require(Permission.VIEW_RECORDS, "find-hospital")
        with self._uow() as uow:
            return resolve_by_name(uow, Hospital, "hospital", number_or_name)

    def list(self, query: ListQuery) -> Page[HospitalRecord]:
        self._require(Permission.VIEW_RECORDS, "list-hospitals")
        with self._uow() as uow:
            return uow.hospitals.list_page(query)
