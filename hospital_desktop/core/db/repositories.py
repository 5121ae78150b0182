"""Repositories: every query the services need, and nothing that decides business rules.

Lists are keyset-paged (``ORDER BY sort, id`` and ``WHERE (sort, id) > cursor``) so that the
thousandth page of a million patients costs what the first one does.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeAlias, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, QueryableAttribute, Session

from hospital_desktop.core.db.models import Appointment, Base, Doctor, Hospital, Patient, Payer
from hospital_desktop.core.domain.values import (
    AppointmentRecord,
    AppointmentStatus,
    DoctorRecord,
    HospitalRecord,
    ListQuery,
    Page,
    PatientRecord,
    PayerRecord,
    Sex,
    Summary,
)

ModelT = TypeVar("ModelT", bound=Base)
RecordT = TypeVar("RecordT")

T = TypeVar("T")


def cents_to_money(cents: int | None) -> Decimal | None:
    return None if cents is None else (Decimal(cents) / 100).quantize(Decimal("0.01"))


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with LIKE's wildcards taken literally."""
    text = unicodedata.normalize("NFC", text)  # stored text is NFC (validation.clean_text)
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def every_word_matches(text: str, *columns: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    """Each word of ``text`` is found in at least one of ``columns``, ignoring case and
    accents ('zoe' finds 'Zoë'): both sides go through the database's ``hd_fold``."""
    return and_(
        *(
            or_(
                *(
                    func.hd_fold(column).like(func.hd_fold(like_pattern(word)), escape="\\")
                    for column in columns
                )
            )
            for word in text.split()
        )
    )


SortExpression: TypeAlias = ColumnElement[Any] | QueryableAttribute[Any]


class SortKey:
    """What a sortable column orders by: expressions that are never NULL (keyset paging
    compares row values, and NULL compares to nothing)."""

    def __init__(self, *expressions: SortExpression) -> None:
        self.expressions = expressions


def keyset_page(
    session: Session,
    statement: Select,
    query: ListQuery,
    sort_keys: dict[str, SortKey],
    default_sort: str,
    id_column: SortExpression,
    to_record: Callable[[Any], RecordT],
) -> Page[RecordT]:
    """Run ``statement`` for one page of ``query``; rows are (entity-row..., sort value)."""
    sort = sort_keys.get(query.sort) or sort_keys[default_sort]
    keys = (*sort.expressions, id_column)
    if query.after is not None:
        # The cursor's values are bound with the keys' own types: an untyped aware datetime
        # would reach PostgreSQL as timestamptz and be compared in the session's time zone.
        cursor = tuple_(*keys)
        bound = tuple_(*query.after, types=[key.type for key in keys])
        statement = statement.where(cursor < bound if query.descending else cursor > bound)
    statement = statement.order_by(*(key.desc() if query.descending else key.asc() for key in keys))
    statement = statement.add_columns(*(key.label(f"_sort_{i}") for i, key in enumerate(keys)))
    rows = session.execute(statement.limit(query.limit + 1)).all()
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_cursor = tuple(rows[-1][-len(keys) :]) if more and rows else None
    return Page(items=[to_record(row) for row in rows], next_cursor=next_cursor)


def in_chunks(values: Iterable[T], size: int = 500) -> Iterator[list[T]]:
    """Values in lists short enough for any backend's ``IN (...)``."""
    wanted = list(values)
    for start in range(0, len(wanted), size):
        yield wanted[start : start + size]


def ids_by_external_id(
    session: Session, model: type[Base], external_ids: Iterable[str]
) -> dict[str, int]:
    """Map other systems' ids (e.g. Synthea's) to ours, in chunks every backend accepts."""
    column = model.external_id  # type: ignore[attr-defined]
    found: dict[str, int] = {}
    for chunk in in_chunks(dict.fromkeys(external_ids)):
        rows = session.execute(select(column, model.id).where(column.in_(chunk)))  # type: ignore[attr-defined]
        found.update({external: internal for external, internal in rows})
    return found


class Repository(Generic[ModelT]):
    model: type[ModelT]

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, record_id: int) -> ModelT | None:
        return self.session.get(self.model, record_id)

    def add(self, entity: ModelT) -> ModelT:
        self.session.add(entity)
        self.session.flush()
        return entity

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(self.model)) or 0


def _archived_filter(model: Any, query: ListQuery) -> list[ColumnElement[bool]]:
    return [] if query.include_archived else [model.archived_at.is_(None)]


class HospitalRepository(Repository[Hospital]):
    model = Hospital

    SORT_KEYS = {
        "name": SortKey(Hospital.name),
        "city": SortKey(Hospital.city),
        "time_zone": SortKey(Hospital.time_zone),
        "phone": SortKey(Hospital.phone),
    }

    def record(self, hospital: Hospital) -> HospitalRecord:
        return hospital_record(hospital)

    def list_page(self, query: ListQuery) -> Page[HospitalRecord]:
        statement = select(Hospital).where(*_archived_filter(Hospital, query))
        if query.search:
            statement = statement.where(
                every_word_matches(query.search, Hospital.name, Hospital.city, Hospital.phone)
            )
        return keyset_page(
            self.session,
            statement,
            query,
            self.SORT_KEYS,
            "name",
            Hospital.id,
            lambda row: hospital_record(row[0]),
        )

    def search_names(self, text: str, limit: int) -> list[HospitalRecord]:
        return self.list_page(ListQuery(search=text, limit=limit)).items


def hospital_record(hospital: Hospital) -> HospitalRecord:
    return HospitalRecord(
        id=hospital.id,
        name=hospital.name,
        address=hospital.address,
        city=hospital.city,
        state=hospital.state,
        postal_code=hospital.postal_code,
        phone=hospital.phone,
        time_zone=hospital.time_zone,
        external_id=hospital.external_id,
        archived=hospital.archived_at is not None,
        version=hospital.version,
    )


class DoctorRepository(Repository[Doctor]):
    model = Doctor

    SORT_KEYS = {
        "name": SortKey(Doctor.name),
        "specialty": SortKey(Doctor.specialty),
        "hospital": SortKey(Hospital.name),
        "consultation_fee": SortKey(func.coalesce(Doctor.consultation_fee_cents, -1)),
        "active": SortKey(Doctor.active),
    }

    def list_page(self, query: ListQuery) -> Page[DoctorRecord]:
        statement = (
            select(Doctor, Hospital.name, Hospital.time_zone)
            .join(Hospital, Doctor.hospital_id == Hospital.id)
            .where(*_archived_filter(Doctor, query))
        )
        if query.hospital_id is not None:
            statement = statement.where(Doctor.hospital_id == query.hospital_id)
        if query.search:
            statement = statement.where(
                every_word_matches(query.search, Doctor.name, Doctor.specialty)
            )
        return keyset_page(
            self.session,
            statement,
            query,
            self.SORT_KEYS,
            "name",
            Doctor.id,
            lambda row: doctor_record(row[0], row[1], row[2]),
        )

    def record(self, doctor: Doctor) -> DoctorRecord:
        return doctor_record(doctor, doctor.hospital.name, doctor.hospital.time_zone)


def doctor_record(doctor: Doctor, hospital_name: str, time_zone: str) -> DoctorRecord:
    return DoctorRecord(
        id=doctor.id,
        name=doctor.name,
        specialty=doctor.specialty,
        hospital_id=doctor.hospital_id,
        hospital_name=hospital_name,
        time_zone=time_zone,
        phone=doctor.phone,
        email=doctor.email,
        consultation_fee=cents_to_money(doctor.consultation_fee_cents),
        active=doctor.active,
        external_id=doctor.external_id,
        archived=doctor.archived_at is not None,
        version=doctor.version,
    )


class PayerRepository(Repository[Payer]):
    model = Payer

    def all(self) -> list[PayerRecord]:
        rows = self.session.scalars(select(Payer).order_by(Payer.name, Payer.id))
        return [PayerRecord(id=payer.id, name=payer.name) for payer in rows]


class PatientRepository(Repository[Patient]):
    model = Patient

    SORT_KEYS = {
        "name": SortKey(Patient.family_name, Patient.given_name),
        "given_name": SortKey(Patient.given_name),
        "medical_record_number": SortKey(Patient.medical_record_number),
        "date_of_birth": SortKey(Patient.date_of_birth),
        "sex": SortKey(Patient.sex),
        "phone": SortKey(Patient.phone),
        "city": SortKey(Patient.city),
    }

    def mrn_taken(self, medical_record_number: str, except_id: int | None = None) -> bool:
        statement = select(Patient.id).where(Patient.medical_record_number == medical_record_number)
        if except_id is not None:
            statement = statement.where(Patient.id != except_id)
        return self.session.scalar(statement.limit(1)) is not None

    def mrns_in_use(self, candidates: Iterable[str]) -> set[str]:
        in_use: set[str] = set()
        for chunk in in_chunks(candidates):
            in_use.update(
                self.session.scalars(
                    select(Patient.medical_record_number).where(
                        Patient.medical_record_number.in_(chunk)
                    )
                )
            )
        return in_use

    def list_page(self, query: ListQuery) -> Page[PatientRecord]:
        statement = (
            select(Patient, Payer.name)
            .outerjoin(Payer, Patient.payer_id == Payer.id)
            .where(*_archived_filter(Patient, query))
        )
        if query.doctor_id is not None:
            statement = statement.where(
                exists().where(
                    Appointment.patient_id == Patient.id,
                    Appointment.doctor_id == query.doctor_id,
                )
            )
        if query.hospital_id is not None:
            statement = statement.where(
                exists().where(
                    Appointment.patient_id == Patient.id,
                    Appointment.hospital_id == query.hospital_id,
                )
            )
        if query.search:
            statement = statement.where(self._search_condition(query.search))
        return keyset_page(
            self.session,
            statement,
            query,
            self.SORT_KEYS,
            "name",
            Patient.id,
            lambda row: patient_record(row[0], row[1]),
        )

    @staticmethod
    def _search_condition(text: str) -> ColumnElement[bool]:
        """Every word must match a name, the record number or the phone number."""
        return every_word_matches(
            text,
            Patient.given_name,
            Patient.family_name,
            Patient.medical_record_number,
            Patient.phone,
        )

    def record(self, patient: Patient) -> PatientRecord:
        return patient_record(patient, patient.payer.name if patient.payer else "")


def patient_record(patient: Patient, payer_name: str | None) -> PatientRecord:
    return PatientRecord(
        id=patient.id,
        medical_record_number=patient.medical_record_number,
        given_name=patient.given_name,
        family_name=patient.family_name,
        date_of_birth=patient.date_of_birth,
        sex=Sex(patient.sex),
        phone=patient.phone,
        email=patient.email,
        address=patient.address,
        city=patient.city,
        state=patient.state,
        postal_code=patient.postal_code,
        date_of_death=patient.date_of_death,
        payer_id=patient.payer_id,
        payer_name=payer_name or "",
        external_id=patient.external_id,
        archived=patient.archived_at is not None,
        version=patient.version,
    )


class AppointmentRepository(Repository[Appointment]):
    model = Appointment

    SORT_KEYS = {
        "start_at": SortKey(Appointment.start_at),
        "status": SortKey(Appointment.status),
        "patient": SortKey(Patient.family_name, Patient.given_name),
        "doctor": SortKey(Doctor.name),
        "hospital": SortKey(Hospital.name),
        "service": SortKey(Appointment.service),
        "fee": SortKey(func.coalesce(Appointment.fee_cents, -1)),
    }

    def _joined(self) -> Select:
        return (
            select(
                Appointment,
                Patient.given_name,
                Patient.family_name,
                Doctor.name,
                Hospital.name,
                Hospital.time_zone,
                Payer.name,
            )
            .join(Patient, Appointment.patient_id == Patient.id)
            .join(Doctor, Appointment.doctor_id == Doctor.id)
            .join(Hospital, Appointment.hospital_id == Hospital.id)
            .outerjoin(Payer, Appointment.payer_id == Payer.id)
        )

    def list_page(self, query: ListQuery) -> Page[AppointmentRecord]:
        statement = self._joined().where(*_archived_filter(Appointment, query))
        if query.patient_id is not None:
            statement = statement.where(Appointment.patient_id == query.patient_id)
        if query.doctor_id is not None:
            statement = statement.where(Appointment.doctor_id == query.doctor_id)
        if query.hospital_id is not None:
            statement = statement.where(Appointment.hospital_id == query.hospital_id)
        if query.search:
            statement = statement.where(
                every_word_matches(
                    query.search,
                    Patient.given_name,
                    Patient.family_name,
                    Doctor.name,
                    Appointment.reason,
                    Appointment.service,
                )
            )
        return keyset_page(
            self.session,
            statement,
            query,
            self.SORT_KEYS,
            "start_at",
            Appointment.id,
            _appointment_row_record,
        )

    def in_range(
        self,
        doctor_id: int | None,
        start: datetime,
        end: datetime,
        statuses: Iterable[AppointmentStatus],
        hospital_id: int | None = None,
    ) -> list[AppointmentRecord]:
        """A doctor's (or a whole hospital's) appointments meeting [start, end) in these
        statuses, by start."""
        where = (
            Appointment.doctor_id == doctor_id
            if doctor_id is not None
            else Appointment.hospital_id == hospital_id
        )
        rows = self.session.execute(
            self._joined()
            .where(
                where,
                Appointment.archived_at.is_(None),
                Appointment.status.in_([status.value for status in statuses]),
                Appointment.end_at > start,
                Appointment.start_at < end,
            )
            .order_by(Appointment.start_at, Appointment.id)
        )
        return [_appointment_row_record(row) for row in rows]

    def record_by_id(self, appointment_id: int) -> AppointmentRecord | None:
        row = self.session.execute(self._joined().where(Appointment.id == appointment_id)).first()
        return None if row is None else _appointment_row_record(row)


def _appointment_row_record(row: Any) -> AppointmentRecord:
    appointment: Appointment = row[0]
    return AppointmentRecord(
        id=appointment.id,
        patient_id=appointment.patient_id,
        patient_name=f"{row[1]} {row[2]}".strip(),
        doctor_id=appointment.doctor_id,
        doctor_name=row[3],
        hospital_id=appointment.hospital_id,
        hospital_name=row[4],
        time_zone=row[5],
        start_at=appointment.start_at,
        end_at=appointment.end_at,
        status=AppointmentStatus(appointment.status),
        service=appointment.service,
        reason=appointment.reason,
        fee=cents_to_money(appointment.fee_cents),
        payer_id=appointment.payer_id,
        payer_name=row[6] or "",
        payer_coverage=cents_to_money(appointment.payer_coverage_cents),
        notes=appointment.notes,
        external_id=appointment.external_id,
        archived=appointment.archived_at is not None,
        created_at=appointment.created_at,
        updated_at=appointment.updated_at,
        version=appointment.version,
        satisfaction_score=appointment.satisfaction_score,
        satisfaction_comment=appointment.satisfaction_comment,
    )


def database_summary(session: Session) -> Summary:
    def count(model: type[Base]) -> int:
        return session.scalar(select(func.count()).select_from(model)) or 0

    return Summary(
        hospitals=count(Hospital),
        doctors=count(Doctor),
        patients=count(Patient),
        appointments=count(Appointment),
    )
