"""Doctors' weekly timetables and their exceptions: closures, absences, cancelled days."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any

from hospital_desktop.core.db.models import (
    CancelledOccurrence,
    DoctorAbsence,
    HospitalClosure,
    TimetableEntry,
)
from hospital_desktop.core.db.scheduling import (
    absence_record,
    cancelled_record,
    closure_record,
    entry_record,
)
from hospital_desktop.core.db.uow import UnitOfWork
from hospital_desktop.core.domain.errors import ValidationError
from hospital_desktop.core.domain.security import Permission
from hospital_desktop.core.domain.validation import YEARS, FieldChecker, clean_text
from hospital_desktop.core.domain.values import (
    ACTIVE_STATUSES,
    WEEKDAYS,
    AbsenceRecord,
    CancelledOccurrenceRecord,
    ClosureRecord,
    TimetableEntryDraft,
    TimetableEntryRecord,
)
from hospital_desktop.core.scheduling.local_time import local_day_bounds, utc_intervals
from hospital_desktop.core.services.base import Service, check_version, require
from hospital_desktop.core.services.changes import Change, Entity

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
SLOT_RANGE = (5, 8 * 60)
BUFFER_RANGE = (0, 4 * 60)


def parse_wall_time(
    check: FieldChecker, field: str, label: str, value: time | str | None
) -> time | None:
    if isinstance(value, time):
        return value
    text = clean_text(value)
    if not text:
        check.fail(field, f"{label} is required.")
        return None
    match = re.fullmatch(r"(\d{1,2})[:.h](\d{2})", text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        check.fail(field, f"{label}: '{text}' is not a time; write it as HH:MM, e.g. 09:30.")
        return None
    return time(int(match[1]), int(match[2]))


def _minutes(
    value: Any, check: FieldChecker, field: str, label: str, bounds: tuple[int, int]
) -> int | None:
    text = clean_text(str(value)) if value is not None else ""
    if not text:
        if bounds[0] == 0:
            return 0
        check.fail(field, f"{label} is required.")
        return None
    if not text.isdigit():
        check.fail(field, f"{label} must be a whole number of minutes.")
        return None
    minutes = int(text)
    if not bounds[0] <= minutes <= bounds[1]:
        check.fail(field, f"{label} must be between {bounds[0]} and {bounds[1]} minutes.")
        return None
    return minutes


def week_span(weekday: int, start: time, end: time) -> tuple[int, int]:
    """The entry as minutes of the week; an end at or before the start is the next day."""
    first = weekday * MINUTES_PER_DAY + start.hour * 60 + start.minute
    length = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    if length <= 0:
        length += MINUTES_PER_DAY
    return first, first + length


def spans_overlap(first: tuple[int, int], second: tuple[int, int]) -> bool:
    """Half-open minute-of-week spans, also across the Sunday-to-Monday wrap."""
    return any(
        first[0] < second[1] + shift and second[0] + shift < first[1]
        for shift in (-MINUTES_PER_WEEK, 0, MINUTES_PER_WEEK)
    )


def reach(
    valid_from: date | None, valid_until: date | None, start: time, end: time
) -> tuple[date | None, date | None]:
    """The dates an entry's time can fall on: one past its last day if it runs past midnight
    (Sunday night's last occurrence still reaches into Monday)."""
    if valid_until is not None and end <= start and valid_until < date.max:
        return valid_from, valid_until + timedelta(days=1)
    return valid_from, valid_until


def periods_overlap(a: tuple[date | None, date | None], b: tuple[date | None, date | None]) -> bool:
    start_a, end_a = a[0] or date.min, a[1] or date.max
    start_b, end_b = b[0] or date.min, b[1] or date.max
    return start_a <= end_b and start_b <= end_a


def validate_entry(
    uow: UnitOfWork, doctor_id: int, draft: TimetableEntryDraft, entry_id: int | None
) -> dict[str, Any]:
    check = FieldChecker()
    weekday = draft.weekday
    if weekday is None or not 0 <= int(weekday) <= 6:
        check.fail("weekday", "Choose the day of the week.")
    start = parse_wall_time(check, "start_time", "Start", draft.start_time)
    end = parse_wall_time(check, "end_time", "End", draft.end_time)
    slot = _minutes(draft.slot_minutes, check, "slot_minutes", "Slot length", SLOT_RANGE)
    buffer = _minutes(draft.buffer_minutes, check, "buffer_minutes", "Buffer", BUFFER_RANGE)
    valid_from = check.date("valid_from", "Valid from", draft.valid_from)
    valid_until = check.date("valid_until", "Valid until", draft.valid_until)
    if valid_from and valid_until and valid_until < valid_from:
        check.fail("valid_until", "Valid until cannot be before valid from.")
    if start is not None and end is not None and slot is not None and weekday is not None:
        span = week_span(int(weekday), start, end)
        if slot > span[1] - span[0]:
            check.fail("slot_minutes", "The slot is longer than the whole entry.")
        for other in uow.scheduling.entries_of(doctor_id):
            if other.id == entry_id:
                continue
            if spans_overlap(
                span, week_span(other.weekday, other.start_time, other.end_time)
            ) and periods_overlap(
                reach(valid_from, valid_until, start, end),
                reach(other.valid_from, other.valid_until, other.start_time, other.end_time),
            ):
                check.fail(
                    "start_time",
                    f"This overlaps the entry {WEEKDAYS[other.weekday]} "
                    f"{other.start_time:%H:%M}–{other.end_time:%H:%M}.",
                )
                break
    check.done()
    return {
        "weekday": int(weekday),  # type: ignore[arg-type]
        "start_time": start,
        "end_time": end,
        "slot_minutes": slot,
        "buffer_minutes": buffer,
        "valid_from": valid_from,
        "valid_until": valid_until,
    }


class TimetableService(Service):
    # --- weekly entries (the seed's /doctors/{id}/timetable) --------------------------

    def entries(self, doctor_id: int) -> list[TimetableEntryRecord]:
        self._require(Permission.VIEW_RECORDS, "view-timetable")
        with self._uow() as uow:
            require(uow.doctors.get(doctor_id), "doctor", doctor_id)
            return [entry_record(e) for e in uow.scheduling.entries_of(doctor_id)]

    def get_entry(self, entry_id: int) -> TimetableEntryRecord:
        self._require(Permission.VIEW_RECORDS, "view-timetable")
        with self._uow() as uow:
            return entry_record(
                require(uow.scheduling.entry(entry_id), "timetable entry", entry_id)
            )

    def create_entry(self, doctor_id: int, draft: TimetableEntryDraft) -> TimetableEntryRecord:
        self._require(Permission.MANAGE_TIMETABLES, "create-timetable-entry", doctor_id=doctor_id)
        with self._uow(serialized=True) as uow:
            require(uow.doctors.get(doctor_id), "doctor", doctor_id)
            entry = TimetableEntry(
                doctor_id=doctor_id, **validate_entry(uow, doctor_id, draft, None)
            )
            uow.session.add(entry)
            uow.session.flush()
            self._audit(uow, "create", "timetable-entry", entry.id, None, entry_record(entry))
            uow.commit()
            record = entry_record(entry)
        self._changes.publish(Change.of(Entity.TIMETABLE, doctor_id))
        return record

    def update_entry(
        self, entry_id: int, draft: TimetableEntryDraft, expected_version: int | None = None
    ) -> TimetableEntryRecord:
        self._require(
            Permission.MANAGE_TIMETABLES,
            "update-timetable-entry",
            doctor_id=self._doctor_of_entry(entry_id),
        )
        with self._uow(serialized=True) as uow:
            entry = require(uow.scheduling.entry(entry_id), "timetable entry", entry_id)
            check_version(entry, "timetable entry", expected_version)
            values = validate_entry(uow, entry.doctor_id, draft, entry_id)
            if values["weekday"] != entry.weekday:
                # Cancelled days were dates of the old weekday; they no longer mean anything.
                for occurrence in uow.scheduling.cancelled_occurrences(
                    [entry_id], date.min, date.max
                ):
                    uow.session.delete(occurrence)
            before = entry_record(entry)
            for name, value in values.items():
                setattr(entry, name, value)
            uow.session.flush()
            self._audit(uow, "update", "timetable-entry", entry_id, before, entry_record(entry))
            uow.commit()
            record = entry_record(entry)
        self._changes.publish(Change.of(Entity.TIMETABLE, record.doctor_id))
        return record

    def delete_entry(self, entry_id: int) -> None:
        """Booked appointments stay as they are; only future free slots disappear."""
        self._require(
            Permission.MANAGE_TIMETABLES,
            "delete-timetable-entry",
            doctor_id=self._doctor_of_entry(entry_id),
        )
        with self._uow(serialized=True) as uow:
            entry = require(uow.scheduling.entry(entry_id), "timetable entry", entry_id)
            doctor_id = entry.doctor_id
            self._audit(uow, "delete", "timetable-entry", entry_id, entry_record(entry), None)
            uow.session.delete(entry)
            uow.commit()
        self._changes.publish(Change.of(Entity.TIMETABLE, doctor_id))

    # --- exceptions ----------------------------------------------------------------------

    def closures(self, hospital_id: int, first: date, last: date) -> list[ClosureRecord]:
        self._require(Permission.VIEW_RECORDS, "view-closures")
        with self._uow() as uow:
            return [closure_record(c) for c in uow.scheduling.closures(hospital_id, first, last)]

    def add_closure(self, hospital_id: int, day: date | str, reason: str) -> ClosureRecord:
        self._require(Permission.MANAGE_TIMETABLES, "add-closure")
        check = FieldChecker()
        parsed = check.date("day", "Date", day, required=True)
        why = check.text("reason", "Reason", reason, max_length=200)
        check.done()
        with self._uow(serialized=True) as uow:
            require(uow.hospitals.get(hospital_id), "hospital", hospital_id)
            if uow.scheduling.closures(hospital_id, parsed, parsed):  # type: ignore[arg-type]
                raise ValidationError({"day": "The hospital is already closed that day."})
            hospital = require(uow.hospitals.get(hospital_id), "hospital", hospital_id)
            closure = HospitalClosure(hospital_id=hospital_id, day=parsed, reason=why)
            uow.session.add(closure)
            uow.session.flush()
            self._audit(uow, "create", "closure", closure.id, None, closure_record(closure))
            uow.commit()
            midnight = datetime.combine(parsed, time())  # type: ignore[arg-type]
            start, end = local_day_bounds(midnight, hospital.time_zone)
            affected = uow.appointments.in_range(None, start, end, ACTIVE_STATUSES, hospital_id)
            record = replace(closure_record(closure), affected=tuple(affected))
        self._changes.publish(Change.of(Entity.TIMETABLE))
        return record

    def remove_closure(self, closure_id: int) -> None:
        self._require(Permission.MANAGE_TIMETABLES, "remove-closure")
        self._delete(HospitalClosure, closure_id, "closure")

    def absences(self, doctor_id: int, first: datetime, last: datetime) -> list[AbsenceRecord]:
        self._require(Permission.VIEW_RECORDS, "view-absences")
        with self._uow() as uow:
            return [absence_record(a) for a in uow.scheduling.absences(doctor_id, first, last)]

    def add_absence(
        self, doctor_id: int, starts_local: datetime, ends_local: datetime, reason: str
    ) -> AbsenceRecord:
        """Leave or a meeting, as wall-clock times in the hospital's zone."""
        self._require(Permission.MANAGE_TIMETABLES, "add-absence", doctor_id=doctor_id)
        check = FieldChecker()
        why = check.text("reason", "Reason", reason, max_length=200)
        if starts_local.tzinfo is not None or ends_local.tzinfo is not None:
            raise ValueError("absences are wall-clock (naive) times")
        if ends_local <= starts_local:
            check.fail("ends_local", "The absence must end after it starts.")
        for field, moment in (("starts_local", starts_local), ("ends_local", ends_local)):
            if moment.year not in YEARS:
                check.fail(field, f"{moment:%Y-%m-%d} is not a plausible date; check the year.")
        check.done()
        with self._uow(serialized=True) as uow:
            doctor = require(uow.doctors.get(doctor_id), "doctor", doctor_id)
            if not utc_intervals(starts_local, ends_local, doctor.hospital.time_zone):
                raise ValidationError({"starts_local": "That time does not exist on the clock."})
            absence = DoctorAbsence(
                doctor_id=doctor_id, starts_local=starts_local, ends_local=ends_local, reason=why
            )
            uow.session.add(absence)
            uow.session.flush()
            self._audit(uow, "create", "absence", absence.id, None, absence_record(absence))
            uow.commit()
            affected = [
                appointment
                for start, end in utc_intervals(starts_local, ends_local, doctor.hospital.time_zone)
                for appointment in uow.appointments.in_range(doctor_id, start, end, ACTIVE_STATUSES)
            ]
            record = replace(absence_record(absence), affected=tuple(affected))
        self._changes.publish(Change.of(Entity.TIMETABLE, doctor_id))
        return record

    def remove_absence(self, absence_id: int) -> None:
        self._require(
            Permission.MANAGE_TIMETABLES,
            "remove-absence",
            doctor_id=self._doctor_of_absence(absence_id),
        )
        self._delete(DoctorAbsence, absence_id, "absence")

    def cancelled_occurrences(
        self, doctor_id: int, first: date, last: date
    ) -> list[CancelledOccurrenceRecord]:
        self._require(Permission.VIEW_RECORDS, "view-cancelled-days")
        with self._uow() as uow:
            ids = [e.id for e in uow.scheduling.entries_of(doctor_id)]
            return [
                cancelled_record(c) for c in uow.scheduling.cancelled_occurrences(ids, first, last)
            ]

    def cancel_occurrence(
        self, entry_id: int, day: date | str, reason: str
    ) -> CancelledOccurrenceRecord:
        """One date on which a weekly entry does not run (the doctor is on a course...)."""
        self._require(
            Permission.MANAGE_TIMETABLES, "cancel-day", doctor_id=self._doctor_of_entry(entry_id)
        )
        check = FieldChecker()
        parsed = check.date("day", "Date", day, required=True)
        why = check.text("reason", "Reason", reason, max_length=200)
        check.done()
        with self._uow(serialized=True) as uow:
            entry = require(uow.scheduling.entry(entry_id), "timetable entry", entry_id)
            if parsed is None or parsed.weekday() != entry.weekday:
                raise ValidationError(
                    {"day": f"That date is not a {WEEKDAYS[entry.weekday]}, when the entry runs."}
                )
            if uow.scheduling.cancelled_occurrences([entry_id], parsed, parsed):
                raise ValidationError({"day": "That day is already cancelled."})
            occurrence = CancelledOccurrence(entry_id=entry_id, day=parsed, reason=why)
            uow.session.add(occurrence)
            uow.session.flush()
            record = cancelled_record(occurrence)
            self._audit(uow, "create", "cancelled-occurrence", occurrence.id, None, record)
            uow.commit()
            record = cancelled_record(occurrence)
            doctor_id = entry.doctor_id
        self._changes.publish(Change.of(Entity.TIMETABLE, doctor_id))
        return record

    def restore_occurrence(self, occurrence_id: int) -> None:
        self._require(
            Permission.MANAGE_TIMETABLES,
            "restore-day",
            doctor_id=self._doctor_of_occurrence(occurrence_id),
        )
        self._delete(CancelledOccurrence, occurrence_id, "cancelled day")

    # --- whose timetable (a doctor may manage their own) -------------------------------

    def _doctor_of_entry(self, entry_id: int) -> int | None:
        with self._uow() as uow:
            entry = uow.scheduling.entry(entry_id)
            return entry.doctor_id if entry is not None else None

    def _doctor_of_absence(self, absence_id: int) -> int | None:
        with self._uow() as uow:
            absence = uow.session.get(DoctorAbsence, absence_id)
            return absence.doctor_id if absence is not None else None

    def _doctor_of_occurrence(self, occurrence_id: int) -> int | None:
        with self._uow() as uow:
            occurrence = uow.session.get(CancelledOccurrence, occurrence_id)
            return self._doctor_of_entry(occurrence.entry_id) if occurrence is not None else None

    def _delete(self, model: Any, record_id: int, kind: str) -> None:
        with self._uow(serialized=True) as uow:
            row = require(uow.session.get(model, record_id), kind, record_id)
            before = {column.key: getattr(row, column.key) for column in row.__table__.columns}
            self._audit(uow, "delete", kind.replace(" ", "-"), record_id, before, None)
            uow.session.delete(row)
            uow.commit()
        self._changes.publish(Change.of(Entity.TIMETABLE))
