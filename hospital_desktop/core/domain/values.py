"""Records, drafts and list queries: the plain values the services take and return.

Records are read-only snapshots handed to the GUI (never live ORM objects, so no database
session crosses a thread). Drafts are what a form or an importer submits; the services
validate them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Generic, TypeVar


class AppointmentStatus(enum.StrEnum):
    """FHIR Appointment.status vocabulary, so a FHIR export is a mapping and not a rewrite."""

    PROPOSED = "proposed"
    PENDING = "pending"
    BOOKED = "booked"
    ARRIVED = "arrived"
    CHECKED_IN = "checked-in"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    NOSHOW = "noshow"
    WAITLIST = "waitlist"
    ENTERED_IN_ERROR = "entered-in-error"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def is_active(self) -> bool:
        """Active appointments hold the doctor's time; the others do not."""
        return self in ACTIVE_STATUSES


_STATUS_LABELS = {
    AppointmentStatus.PROPOSED: "Proposed",
    AppointmentStatus.PENDING: "Pending",
    AppointmentStatus.BOOKED: "Booked",
    AppointmentStatus.ARRIVED: "Arrived",
    AppointmentStatus.CHECKED_IN: "Checked in",
    AppointmentStatus.FULFILLED: "Fulfilled",
    AppointmentStatus.CANCELLED: "Cancelled",
    AppointmentStatus.NOSHOW: "No-show",
    AppointmentStatus.WAITLIST: "Waitlist",
    AppointmentStatus.ENTERED_IN_ERROR: "Entered in error",
}

ACTIVE_STATUSES = frozenset(
    {AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.CHECKED_IN}
)


class Sex(enum.StrEnum):
    """FHIR AdministrativeGender."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# --- records (read side) -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HospitalRecord:
    id: int
    name: str
    address: str
    city: str
    state: str
    postal_code: str
    phone: str
    time_zone: str
    external_id: str | None
    archived: bool
    version: int


@dataclass(frozen=True, slots=True)
class DoctorRecord:
    id: int
    name: str
    specialty: str
    hospital_id: int
    hospital_name: str
    time_zone: str
    phone: str
    email: str
    consultation_fee: Decimal | None
    active: bool
    external_id: str | None
    archived: bool
    version: int


@dataclass(frozen=True, slots=True)
class PatientRecord:
    id: int
    medical_record_number: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: Sex
    phone: str
    email: str
    address: str
    city: str
    state: str
    postal_code: str
    date_of_death: date | None
    payer_id: int | None
    payer_name: str
    external_id: str | None
    archived: bool
    version: int

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


@dataclass(frozen=True, slots=True)
class AppointmentRecord:
    id: int
    patient_id: int
    patient_name: str
    doctor_id: int
    doctor_name: str
    hospital_id: int
    hospital_name: str
    time_zone: str
    start_at: datetime
    end_at: datetime
    status: AppointmentStatus
    service: str
    reason: str
    fee: Decimal | None
    payer_id: int | None
    payer_name: str
    payer_coverage: Decimal | None
    notes: str
    external_id: str | None
    archived: bool
    created_at: datetime
    updated_at: datetime
    version: int
    satisfaction_score: int | None = None  # 1-5, given after a fulfilled visit
    satisfaction_comment: str = ""


@dataclass(frozen=True, slots=True)
class PayerRecord:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Summary:
    hospitals: int
    doctors: int
    patients: int
    appointments: int


# --- drafts (write side) -------------------------------------------------------------------
# Date fields accept text as typed in a form, so every field is checked in one place and all
# problems are reported at once.


@dataclass(slots=True)
class HospitalDraft:
    name: str
    time_zone: str
    address: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    phone: str = ""
    external_id: str | None = None


@dataclass(slots=True)
class DoctorDraft:
    name: str
    hospital_id: int | None
    specialty: str = ""
    phone: str = ""
    email: str = ""
    consultation_fee: Decimal | str | None = None
    active: bool = True
    external_id: str | None = None


@dataclass(slots=True)
class PatientDraft:
    given_name: str
    family_name: str
    date_of_birth: date | str | None
    sex: Sex | str = Sex.UNKNOWN
    medical_record_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    date_of_death: date | str | None = None
    payer_id: int | None = None
    external_id: str | None = None


@dataclass(slots=True)
class AppointmentDraft:
    patient_id: int | None
    doctor_id: int | None
    start_at: datetime | None
    end_at: datetime | None
    status: AppointmentStatus | str = AppointmentStatus.BOOKED
    service: str = ""
    reason: str = ""
    fee: Decimal | str | None = None
    payer_id: int | None = None
    payer_coverage: Decimal | str | None = None
    notes: str = ""
    external_id: str | None = None


# --- listing -------------------------------------------------------------------------------

RecordT = TypeVar("RecordT")


@dataclass(frozen=True, slots=True)
class ListQuery:
    """One page of a list: search text, relationship filters, sort and a keyset cursor.

    ``after`` is the cursor returned with the previous page; keyset paging stays fast at any
    depth, where OFFSET would rescan every skipped row.
    """

    search: str = ""
    sort: str = ""
    descending: bool = False
    hospital_id: int | None = None
    doctor_id: int | None = None
    patient_id: int | None = None
    include_archived: bool = False
    limit: int = 200
    after: tuple[Any, ...] | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[RecordT]):
    items: list[RecordT] = field(default_factory=list)
    next_cursor: tuple[Any, ...] | None = None


# --- timetables, exceptions, waitlist -----------------------------------------------------

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, slots=True)
class TimetableEntryRecord:
    id: int
    doctor_id: int
    weekday: int
    start_time: time
    end_time: time
    slot_minutes: int
    buffer_minutes: int
    valid_from: date | None
    valid_until: date | None
    version: int

    @property
    def describe(self) -> str:
        span = f"{self.start_time:%H:%M}–{self.end_time:%H:%M}"
        if self.end_time <= self.start_time:
            span += " (next day)"
        return f"{WEEKDAYS[self.weekday]} {span}, {self.slot_minutes}-minute slots"


@dataclass(slots=True)
class TimetableEntryDraft:
    weekday: int | None
    start_time: time | str | None
    end_time: time | str | None
    slot_minutes: int | str | None
    buffer_minutes: int | str | None = 0
    valid_from: date | str | None = None
    valid_until: date | str | None = None


@dataclass(frozen=True, slots=True)
class ClosureRecord:
    id: int
    hospital_id: int
    day: date
    reason: str
    # Active appointments the new closure falls on: the desk must move or cancel them.
    affected: tuple[AppointmentRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class AbsenceRecord:
    id: int
    doctor_id: int
    starts_local: datetime
    ends_local: datetime
    reason: str
    affected: tuple[AppointmentRecord, ...] = ()  # active appointments inside the absence


@dataclass(frozen=True, slots=True)
class CancelledOccurrenceRecord:
    id: int
    entry_id: int
    day: date
    reason: str


class WaitlistStatus(enum.StrEnum):
    WAITING = "waiting"
    BOOKED = "booked"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class WaitlistRecord:
    id: int
    patient_id: int
    patient_name: str
    doctor_id: int
    earliest_day: date | None
    latest_day: date | None
    earliest_time: time | None
    latest_time: time | None
    notes: str
    status: WaitlistStatus
    appointment_id: int | None
    created_at: datetime
    version: int


@dataclass(frozen=True, slots=True)
class BookingRequest:
    """A booking as the front desk asks for it; ``override_reason`` books outside the
    timetable (a walk-in, an urgent case) and is recorded with the appointment."""

    patient_id: int
    doctor_id: int
    start_at: datetime
    end_at: datetime | None = None  # None: the slot's own length
    service: str = ""
    reason: str = ""
    notes: str = ""
    override_reason: str = ""
