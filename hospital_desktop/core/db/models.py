"""SQLAlchemy 2 models. The schema itself is owned by Alembic (``migrations/``).

Money is kept in whole cents: exact on every backend (SQLite has no decimal type) and summed
exactly by SQL aggregates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    SmallInteger,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC on every backend and always hands back an aware UTC datetime.

    SQLite keeps no offset, so values are normalised to naive UTC on the way in and marked
    UTC on the way out; a naive value from the application is a bug and is refused.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Hospital(Base):
    __tablename__ = "hospitals"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    time_zone: Mapped[str] = mapped_column(String(64))
    min_notice_minutes: Mapped[int] = mapped_column(default=120, server_default="120")
    horizon_days: Mapped[int] = mapped_column(default=90, server_default="90")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    doctors: Mapped[list[Doctor]] = relationship(back_populates="hospital")

    __mapper_args__ = {"version_id_col": version}


class Doctor(Base):
    __tablename__ = "doctors"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    specialty: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    consultation_fee_cents: Mapped[int | None] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(default=True)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    hospital: Mapped[Hospital] = relationship(back_populates="doctors")

    __mapper_args__ = {"version_id_col": version}


class Payer(Base):
    """An insurer or programme that covers part of a fee (Synthea's payers)."""

    __tablename__ = "payers"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Patient(Base):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    medical_record_number: Mapped[str] = mapped_column(String(32), unique=True)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(16), default="unknown")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(100), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    date_of_death: Mapped[date | None] = mapped_column(Date)
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payers.id"))
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    payer: Mapped[Payer | None] = relationship()

    __table_args__ = (Index("ix_patients_family_given", "family_name", "given_name", "id"),)
    __mapper_args__ = {"version_id_col": version}


class Appointment(Base):
    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id"))
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default="booked")
    service: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(String(300), default="")
    fee_cents: Mapped[int | None] = mapped_column(BigInteger)
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payers.id"))
    payer_coverage_cents: Mapped[int | None] = mapped_column(BigInteger)
    notes: Mapped[str] = mapped_column(Text, default="")
    # end_at plus the buffer that follows it: what the no-double-booking rule compares.
    blocked_until: Mapped[datetime] = mapped_column(UTCDateTime())
    booked_outside_timetable: Mapped[bool] = mapped_column(default=False, server_default="0")
    override_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by: Mapped[str] = mapped_column(String(100), default="", server_default="")
    cancel_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")
    rescheduled_from_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    satisfaction_score: Mapped[int | None] = mapped_column(SmallInteger)  # 1-5, if fulfilled
    satisfaction_comment: Mapped[str] = mapped_column(Text, default="", server_default="")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now, onupdate=utc_now)
    version: Mapped[int] = mapped_column(default=1)

    patient: Mapped[Patient] = relationship()
    doctor: Mapped[Doctor] = relationship()
    hospital: Mapped[Hospital] = relationship()
    payer: Mapped[Payer | None] = relationship()

    __table_args__ = (
        CheckConstraint("end_at > start_at", name="end_after_start"),
        CheckConstraint("blocked_until >= end_at", name="blocked_after_end"),
        CheckConstraint(
            "satisfaction_score IS NULL OR (satisfaction_score BETWEEN 1 AND 5)",
            name="satisfaction_1_to_5",
        ),
        Index("ix_appointments_doctor_blocked", "doctor_id", "blocked_until"),
        Index("ix_appointments_doctor_start", "doctor_id", "start_at"),
        Index("ix_appointments_patient_start", "patient_id", "start_at"),
        Index("ix_appointments_hospital_start", "hospital_id", "start_at"),
        Index("ix_appointments_start", "start_at", "id"),
        Index("ix_appointments_rescheduled_from", "rescheduled_from_id"),
    )
    __mapper_args__ = {"version_id_col": version}


class TimetableEntry(Base):
    """A weekly entry: wall-clock times in the doctor's hospital's zone.

    An end at or before the start runs past midnight into the next day.
    """

    __tablename__ = "timetable_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id"), index=True)
    weekday: Mapped[int]  # 0 = Monday
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    slot_minutes: Mapped[int]
    buffer_minutes: Mapped[int] = mapped_column(default=0)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(default=1)

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("slot_minutes > 0", name="slot_positive"),
        CheckConstraint("buffer_minutes >= 0", name="buffer_not_negative"),
    )
    __mapper_args__ = {"version_id_col": version}


class HospitalClosure(Base):
    """A day the hospital is closed (a public holiday), as a local date."""

    __tablename__ = "hospital_closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[int] = mapped_column(ForeignKey("hospitals.id"))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (UniqueConstraint("hospital_id", "day"),)


class DoctorAbsence(Base):
    """Leave or a meeting: a wall-clock range in the hospital's zone (naive local times)."""

    __tablename__ = "doctor_absences"

    id: Mapped[int] = mapped_column(primary_key=True)
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id"), index=True)
    starts_local: Mapped[datetime] = mapped_column(DateTime)
    ends_local: Mapped[datetime] = mapped_column(DateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (CheckConstraint("ends_local > starts_local", name="ends_after_start"),)


class CancelledOccurrence(Base):
    """One date on which a weekly entry does not run."""

    __tablename__ = "cancelled_occurrences"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("timetable_entries.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (UniqueConstraint("entry_id", "day"),)


class WaitlistEntry(Base):
    """A patient waiting for a doctor, with the dates and hours that suit them."""

    __tablename__ = "waitlist_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    doctor_id: Mapped[int] = mapped_column(ForeignKey("doctors.id"), index=True)
    earliest_day: Mapped[date | None] = mapped_column(Date)
    latest_day: Mapped[date | None] = mapped_column(Date)
    earliest_time: Mapped[time | None] = mapped_column(Time)
    latest_time: Mapped[time | None] = mapped_column(Time)
    notes: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="waiting")
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class User(Base):
    """A person who may log in. The password is kept only as an argon2id hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)  # stored lower-case
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("doctors.id"))
    password_hash: Mapped[str] = mapped_column(String(200))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class UserPermission(Base):
    """A permission granted to (granted=True) or taken from (False) one user, beyond their
    role's defaults."""

    __tablename__ = "user_permissions"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    permission: Mapped[str] = mapped_column(String(40), primary_key=True)
    granted: Mapped[bool]


class AuditEntry(Base):
    """One recorded action: who, when, where, on what, and what changed. Append-only."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utc_now, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    username: Mapped[str] = mapped_column(String(64), default="")
    workstation: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40), default="")
    record_id: Mapped[int | None]
    outcome: Mapped[str] = mapped_column(String(20), default="ok")
    changes: Mapped[str] = mapped_column(Text, default="")  # JSON: {field: [before, after]}

    __table_args__ = (Index("ix_audit_entries_entity_record", "entity", "record_id"),)
