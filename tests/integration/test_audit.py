"""Every write leaves exactly one audit entry, in the same transaction, with what changed."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from sqlalchemy import func, select

from hospital_desktop.core.db.models import AuditEntry
from hospital_desktop.core.domain.values import BookingRequest, PatientDraft
from hospital_desktop.core.services.audit import recent_entries
from hospital_desktop.core.services.booking import SlotTakenError
from tests.conftest import SYNTHEA_TRIMMED
from tests.integration.scheduling_fixtures import make_clinic


def entries(services):
    with services.unit_of_work() as uow:
        return recent_entries(uow, limit=10_000)


def count(services) -> int:
    with services.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_each_write_leaves_one_entry_with_its_changes(services):
    clinic = make_clinic(services, patients=1)  # 1 hospital + 1 doctor + 5 entries + 1 patient
    assert count(services) == 8
    patient = services.patients.get(clinic.patient_ids[0])
    fields = {k: v for k, v in asdict(patient).items() if k in PatientDraft.__dataclass_fields__}
    services.patients.update(
        patient.id, PatientDraft(**{**fields, "phone": "555 0100"}), patient.version
    )
    latest = entries(services)[0]
    assert (latest.action, latest.entity, latest.record_id) == ("update", "patient", patient.id)
    assert latest.changes == {"phone": ["", "555 0100"]}

    booked = services.booking.book(BookingRequest(patient.id, clinic.doctor_id, clinic.at(0, 9)))
    moved = services.booking.reschedule(booked.id, clinic.at(0, 10), booked.version)
    services.booking.cancel(moved.id, "Unwell", "desk 1", moved.version)
    actions = [e.action for e in entries(services)[:3]]
    assert actions == ["cancelled", "reschedule", "book"]
    assert count(services) == 12
    cancel = entries(services)[0]
    assert cancel.changes["status"] == ["booked", "cancelled"]
    assert cancel.changes["cancel_reason"] == ["", "Unwell"]


def test_a_refused_write_leaves_no_entry(services):
    clinic = make_clinic(services, patients=1)
    before = count(services)
    services.booking.book(BookingRequest(clinic.patient_ids[0], clinic.doctor_id, clinic.at(0, 9)))
    with pytest.raises(SlotTakenError):
        services.booking.book(
            BookingRequest(clinic.patient_ids[0], clinic.doctor_id, clinic.at(0, 9))
        )
    assert count(services) == before + 1


def test_an_import_is_one_entry(services):
    from hospital_desktop.core.importers.synthea import SyntheaImporter

    SyntheaImporter(services.unit_of_work, services.changes).run(SYNTHEA_TRIMMED)
    imported = [e for e in entries(services) if e.action == "import"]
    assert len(imported) == 1 and imported[0].changes["patients"] == [0, 8]


def test_the_suites_watch_catches_a_write_without_its_entry(services):
    """The watch in tests/audit_watch.py checks every test's writes; here it must object."""
    from hospital_desktop.core.db.models import Hospital
    from tests import audit_watch

    with services.unit_of_work() as uow:
        uow.session.add(Hospital(name="Unrecorded", time_zone="UTC"))
        uow.commit()
    found, audit_watch.violations[:] = list(audit_watch.violations), []
    assert found == ["a write of ['Hospital'] left no audit entry"]
