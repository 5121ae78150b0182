"""Synthea CSV import: organizations, providers, payers, patients and encounters.

Columns are read by header name, so Synthea versions that add or drop optional columns
import alike. The whole run is one transaction: a malformed line stops it with a message
naming the file and line, and nothing of that run is kept. Records already imported (same
Synthea id) are left as they are, so importing an export twice adds nothing.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import us
from sqlalchemy import insert, update

from hospital_desktop.core.db.models import Appointment, Doctor, Hospital, Patient, Payer
from hospital_desktop.core.db.repositories import ids_by_external_id
from hospital_desktop.core.db.uow import UnitOfWork, UnitOfWorkFactory
from hospital_desktop.core.domain.clock import utc_now
from hospital_desktop.core.domain.errors import DomainError, ImportFileError
from hospital_desktop.core.domain.security import Actor, Permission
from hospital_desktop.core.domain.validation import (
    MAX_AMOUNT,
    YEARS,
    canonical_time_zone,
    clean_text,
    known_time_zones,
)
from hospital_desktop.core.domain.values import AppointmentStatus, Sex
from hospital_desktop.core.services.audit import write_entry
from hospital_desktop.core.services.changes import Change, ChangeHub, Entity
from hospital_desktop.core.services.guard import AccessGuard
from hospital_desktop.core.services.patients import new_medical_record_numbers

BATCH_SIZE = 1000
REQUIRED_FILES = ("organizations.csv", "providers.csv", "patients.csv", "encounters.csv")
OPTIONAL_FILES = ("payers.csv",)
REQUIRED_COLUMNS = {
    "organizations.csv": ("Id", "NAME"),
    "providers.csv": ("Id", "ORGANIZATION", "NAME"),
    "payers.csv": ("Id", "NAME"),
    "patients.csv": ("Id", "BIRTHDATE", "FIRST", "LAST"),
    "encounters.csv": ("Id", "START", "STOP", "PATIENT", "ORGANIZATION", "PROVIDER"),
}
SERVICE_LABELS = {
    "ambulatory": "Ambulatory",
    "emergency": "Emergency",
    "home": "Home visit",
    "hospice": "Hospice",
    "inpatient": "Inpatient",
    "outpatient": "Outpatient",
    "snf": "Skilled nursing",
    "urgentcare": "Urgent care",
    "virtual": "Virtual",
    "wellness": "Wellness",
}
ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
SEX_CODES = {"F": Sex.FEMALE, "M": Sex.MALE}

Progress = Callable[[str, int, int], None]
"""Called as (what is being imported, rows done, rows in all)."""


class ImportCancelledError(DomainError):
    def __init__(self) -> None:
        super().__init__("The import was cancelled. Nothing was imported.")


@dataclass
class ImportReport:
    added: dict[str, int] = field(default_factory=dict)
    already_present: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        parts = [f"{count:,} {kind}" for kind, count in self.added.items() if count]
        kept = sum(self.already_present.values())
        text = "Imported " + (", ".join(parts) if parts else "nothing new")
        return text + (
            f"; {kept:,} records were already present and kept as they are." if kept else "."
        )


class _Row:
    """One CSV row with its file and line, for error messages that say where."""

    def __init__(self, file_name: str, line: int, values: dict[str, str]) -> None:
        self.file_name, self.line, self.values = file_name, line, values

    def fail(self, problem: str) -> ImportFileError:
        return ImportFileError(self.file_name, self.line, problem)

    def text(self, column: str, max_length: int = 200) -> str:
        value = clean_text(self.values.get(column))
        if len(value) > max_length:
            raise self.fail(f"{column} is longer than {max_length} characters")
        return value

    def required(self, column: str, max_length: int = 200) -> str:
        value = self.text(column, max_length)
        if not value:
            raise self.fail(f"{column} is empty")
        return value

    def date(self, column: str, *, required: bool) -> date | None:
        value = self.required(column) if required else self.text(column)
        if not value:
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError(value)
            parsed = date.fromisoformat(value)
        except ValueError:
            raise self.fail(f"{column} '{value}' is not a date (YYYY-MM-DD)") from None
        if parsed.year not in YEARS:
            raise self.fail(f"{column} '{value}' is not a plausible date")
        return parsed

    def instant(self, column: str) -> datetime:
        value = self.required(column)
        try:
            if not ISO_INSTANT.fullmatch(value):
                raise ValueError(value)
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            moment = moment.astimezone(UTC)
        except (ValueError, OverflowError):
            raise self.fail(f"{column} '{value}' is not a date and time") from None
        if moment.year not in YEARS:
            raise self.fail(f"{column} '{value}' is not a plausible date")
        return moment

    def cents(self, *columns: str) -> int | None:
        """The first of ``columns`` that has a value, as whole cents."""
        for column in columns:
            value = self.text(column)
            if not value:
                continue
            try:
                amount = Decimal(value)
                if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
                    raise InvalidOperation(value)
                return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            except ArithmeticError:  # InvalidOperation, Overflow, ...
                raise self.fail(f"{column} '{value}' is not a valid amount") from None
        return None


class _CsvFile:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self.total = 0

    def count_rows(self) -> int:
        """Rows to import (for the progress bar); decoding problems surface later, with lines."""
        with self.path.open("rb") as handle:
            self.total = max(sum(1 for _ in handle) - 1, 0)
        return self.total

    def rows(self) -> Iterator[_Row]:
        required = REQUIRED_COLUMNS[self.name]
        line = 1
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle, restkey="\0extra", restval=None)
                header = reader.fieldnames
                if not header:
                    raise ImportFileError(self.name, 1, "the file is empty (no header row)")
                repeated = sorted({column for column in header if header.count(column) > 1})
                if repeated:
                    raise ImportFileError(
                        self.name, 1, f"the header names {', '.join(repeated)} more than once"
                    )
                missing = [column for column in required if column not in header]
                if missing:
                    raise ImportFileError(
                        self.name, 1, f"the header has no column {', '.join(missing)}"
                    )
                for values in reader:
                    first_line, line = line + 1, reader.line_num
                    if "\0extra" in values:
                        raise ImportFileError(
                            self.name,
                            line,
                            f"the line has more fields than the header's {len(header)}",
                        )
                    if any(value is None for value in values.values()):
                        if line > first_line:  # one record swallowed several lines
                            raise ImportFileError(
                                self.name,
                                first_line,
                                'a quote (") opened on this line is never closed',
                            )
                        raise ImportFileError(
                            self.name,
                            line,
                            f"the line has fewer fields than the header's {len(header)} "
                            "(is the file cut short?)",
                        )
                    if any("\0" in value for value in values.values()):
                        raise ImportFileError(
                            self.name, line, "the line holds a NUL byte (is the file damaged?)"
                        )
                    yield _Row(self.name, line, values)
        except UnicodeDecodeError:
            raise ImportFileError(
                self.name, self._undecodable_line(), "the text is not UTF-8 (is the file damaged?)"
            ) from None
        except csv.Error as error:
            raise ImportFileError(self.name, line + 1, f"the CSV is malformed ({error})") from None

    def _undecodable_line(self) -> int | None:
        """The line of the first byte that is not UTF-8.

        The text reader decodes a block ahead of the line the CSV reader is on, so the line
        is found in the raw bytes instead.
        """
        data = self.path.read_bytes().removeprefix(codecs.BOM_UTF8)
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            return data.count(b"\n", 0, error.start) + 1
        return None


def time_zone_for_state(state: str, fallback: str) -> str:
    """The zone of a US state's capital (Synthea's hospitals are American), else ``fallback``."""
    found = us.states.lookup(state) if state else None
    zone = getattr(found, "capital_tz", None)
    return zone if zone in known_time_zones() else fallback


class SyntheaImporter:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        changes: ChangeHub,
        *,
        fallback_time_zone: str = "UTC",
        now: Callable[[], datetime] = utc_now,
        actor: Actor | None = None,
    ) -> None:
        zone = canonical_time_zone(fallback_time_zone)
        if zone not in known_time_zones():
            raise DomainError(
                f"'{fallback_time_zone}' is not a known time zone; give one such as "
                "Europe/London or America/New_York. Nothing was imported."
            )
        self._uow_factory = uow_factory
        self._changes = changes
        self._fallback_time_zone = zone
        self._now = now
        self._actor = actor

    def run(
        self,
        directory: Path,
        progress: Progress | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> ImportReport:
        AccessGuard(self._uow_factory).require(self._actor, Permission.IMPORT, "import")
        files = self._files(Path(directory))
        total = sum(csv_file.count_rows() for csv_file in files.values())
        tracker = _Tracker(total, progress, should_cancel)
        report = ImportReport()
        with self._uow_factory() as uow:
            payers = self._payers(uow, files.get("payers.csv"), tracker, report)
            hospitals = self._hospitals(uow, files["organizations.csv"], tracker, report)
            doctors = self._doctors(uow, files["providers.csv"], hospitals, tracker, report)
            patients, new_patients = self._patients(uow, files["patients.csv"], tracker, report)
            self._encounters(
                uow,
                files["encounters.csv"],
                payers,
                hospitals,
                doctors,
                patients,
                new_patients,
                tracker,
                report,
            )
            tracker.check_cancel()
            write_entry(
                uow,
                self._actor,
                "import",
                entity="synthea",
                changes={kind: [0, count] for kind, count in report.added.items() if count},
            )
            uow.commit()
        self._changes.publish(Change.bulk(Entity))
        return report

    def _files(self, directory: Path) -> dict[str, _CsvFile]:
        if not directory.is_dir():
            raise DomainError(
                f"{directory} is not a folder. Choose the folder of a Synthea CSV export."
            )
        missing = [name for name in REQUIRED_FILES if not (directory / name).is_file()]
        if missing:
            raise DomainError(
                f"{directory} is not a complete Synthea CSV export: {', '.join(missing)} "
                "missing. Nothing was imported."
            )
        names = REQUIRED_FILES + tuple(n for n in OPTIONAL_FILES if (directory / n).is_file())
        return {name: _CsvFile(directory / name) for name in names}

    def _insert_new(
        self,
        uow: UnitOfWork,
        model: Any,
        kind: str,
        csv_file: _CsvFile,
        to_values: Callable[[_Row], dict[str, Any]],
        tracker: _Tracker,
        report: ImportReport,
    ) -> tuple[dict[str, int], set[str]]:
        """Insert the rows whose Synthea id is new; returns id map and the ids added now."""
        known: dict[str, int] = {}
        added: set[str] = set()
        seen: set[str] = set()
        batch: list[dict[str, Any]] = []

        def flush() -> None:
            if not batch:
                return
            known.update(ids_by_external_id(uow.session, model, (v["external_id"] for v in batch)))
            fresh = [values for values in batch if values["external_id"] not in known]
            if fresh:
                self._prepare(uow, model, fresh)
                rows = uow.session.execute(
                    insert(model).returning(model.external_id, model.id), fresh
                ).all()
                known.update({external: internal for external, internal in rows})
                added.update(external for external, _ in rows)
            batch.clear()

        for row in csv_file.rows():
            external_id = row.required("Id", 64)
            if external_id in seen:
                raise row.fail(f"the id {external_id} appears twice")
            seen.add(external_id)
            values = to_values(row)
            values["external_id"] = external_id
            batch.append(values)
            if len(batch) >= BATCH_SIZE:
                flush()
            tracker.step(kind)
        flush()
        present = len(known) - len(added)
        report.added[kind] = len(added)
        if present:
            report.already_present[kind] = present
        return known, added

    def _prepare(self, uow: UnitOfWork, model: Any, fresh: list[dict[str, Any]]) -> None:
        if model is Patient:
            numbers = new_medical_record_numbers(uow, len(fresh))
            for values, number in zip(fresh, numbers, strict=True):
                values["medical_record_number"] = number

    def _payers(
        self, uow: UnitOfWork, csv_file: _CsvFile | None, tracker: _Tracker, report: ImportReport
    ) -> dict[str, int]:
        if csv_file is None:
            return {}
        known, _ = self._insert_new(
            uow,
            Payer,
            "payers",
            csv_file,
            lambda row: {"name": row.required("NAME")},
            tracker,
            report,
        )
        return known

    def _hospitals(
        self, uow: UnitOfWork, csv_file: _CsvFile, tracker: _Tracker, report: ImportReport
    ) -> dict[str, int]:
        def values(row: _Row) -> dict[str, Any]:
            state = row.text("STATE", 100)
            return {
                "name": row.required("NAME"),
                "address": row.text("ADDRESS"),
                "city": row.text("CITY", 100),
                "state": state,
                "postal_code": row.text("ZIP", 20),
                "phone": row.text("PHONE", 40),
                "time_zone": time_zone_for_state(state, self._fallback_time_zone),
                "version": 1,
            }

        known, _ = self._insert_new(uow, Hospital, "hospitals", csv_file, values, tracker, report)
        return known

    def _doctors(
        self,
        uow: UnitOfWork,
        csv_file: _CsvFile,
        hospitals: dict[str, int],
        tracker: _Tracker,
        report: ImportReport,
    ) -> dict[str, int]:
        def values(row: _Row) -> dict[str, Any]:
            organization = row.required("ORGANIZATION", 64)
            if organization not in hospitals:
                raise row.fail(f"the organization {organization} is not in organizations.csv")
            return {
                "name": row.required("NAME"),
                "specialty": row.text("SPECIALITY", 100).capitalize(),
                "hospital_id": hospitals[organization],
                "active": True,
                "phone": "",
                "email": "",
                "version": 1,
            }

        known, _ = self._insert_new(uow, Doctor, "doctors", csv_file, values, tracker, report)
        return known

    def _patients(
        self, uow: UnitOfWork, csv_file: _CsvFile, tracker: _Tracker, report: ImportReport
    ) -> tuple[dict[str, int], set[str]]:
        def values(row: _Row) -> dict[str, Any]:
            born = row.date("BIRTHDATE", required=True)
            died = row.date("DEATHDATE", required=False)
            if died is not None and born is not None and died < born:
                raise row.fail("DEATHDATE is before BIRTHDATE")
            today = utc_now().date()  # the real today, whatever clock the statuses use
            if (born and born > today) or (died and died > today):
                raise row.fail("a birth or death date lies in the future")
            return {
                "given_name": row.required("FIRST", 100),
                "family_name": row.required("LAST", 100),
                "date_of_birth": born,
                "date_of_death": died,
                "sex": SEX_CODES.get(row.text("GENDER").upper(), Sex.UNKNOWN).value,
                "address": row.text("ADDRESS"),
                "city": row.text("CITY", 100),
                "state": row.text("STATE", 100),
                "postal_code": row.text("ZIP", 20),
                "phone": "",
                "email": "",
                "version": 1,
            }

        return self._insert_new(uow, Patient, "patients", csv_file, values, tracker, report)

    def _encounters(
        self,
        uow: UnitOfWork,
        csv_file: _CsvFile,
        payers: dict[str, int],
        hospitals: dict[str, int],
        doctors: dict[str, int],
        patients: dict[str, int],
        new_patients: set[str],
        tracker: _Tracker,
        report: ImportReport,
    ) -> None:
        now = self._now()
        latest_payer: dict[str, tuple[datetime, int]] = {}
        booked: dict[int, list[tuple[datetime, datetime]]] = {}  # future ones, per doctor

        def status_for(doctor_id: int, start: datetime, end: datetime) -> AppointmentStatus:
            """Past visits are fulfilled. A future one is booked, unless it would double-book
            the doctor: then it comes in as proposed, for the front desk to sort out."""
            if end <= now:
                return AppointmentStatus.FULFILLED
            taken = booked.setdefault(doctor_id, []) or [
                (a.start_at, a.blocked_until)
                for a in uow.scheduling.active_appointments(
                    doctor_id, now, datetime.max.replace(tzinfo=UTC)
                )
            ]
            booked[doctor_id] = taken
            if any(first < end and start < last for first, last in taken):
                return AppointmentStatus.PROPOSED
            taken.append((start, end))
            return AppointmentStatus.BOOKED

        def reference(row: _Row, column: str, known: dict[str, int], file_name: str) -> int:
            value = row.required(column, 64)
            if value not in known:
                raise row.fail(f"{column} {value} is not in {file_name}")
            return known[value]

        def values(row: _Row) -> dict[str, Any]:
            start, end = row.instant("START"), row.instant("STOP")
            if end <= start:
                raise row.fail("STOP is not after START")
            patient = row.required("PATIENT", 64)
            payer_id = None
            payer = row.text("PAYER", 64)
            if payer and payers:
                payer_id = reference(row, "PAYER", payers, "payers.csv")
                if patient in new_patients and start >= latest_payer.get(patient, (start, 0))[0]:
                    latest_payer[patient] = (start, payer_id)
            fee = row.cents("TOTAL_CLAIM_COST", "BASE_ENCOUNTER_COST")
            covered = row.cents("PAYER_COVERAGE")
            if fee is not None and covered is not None and covered > fee:
                raise row.fail("PAYER_COVERAGE is more than the cost of the encounter")
            encounter_class = row.text("ENCOUNTERCLASS", 100).lower()
            description = row.text("DESCRIPTION", 300)
            reason = row.text("REASONDESCRIPTION", 300)
            full_reason = (
                f"{description} (for: {reason})"
                if reason and description
                else (description or reason)
            )
            doctor_id = reference(row, "PROVIDER", doctors, "providers.csv")
            status = status_for(doctor_id, start, end)
            return {
                "patient_id": reference(row, "PATIENT", patients, "patients.csv"),
                "doctor_id": doctor_id,
                "hospital_id": reference(row, "ORGANIZATION", hospitals, "organizations.csv"),
                "start_at": start,
                "end_at": end,
                "status": status.value,
                "service": SERVICE_LABELS.get(encounter_class, encounter_class.capitalize()),
                "reason": full_reason[:300],
                "fee_cents": fee,
                "payer_id": payer_id,
                "payer_coverage_cents": covered,
                "notes": "",
                "created_at": now,
                "updated_at": now,
                "blocked_until": end,
                "version": 1,
            }

        self._insert_new(uow, Appointment, "appointments", csv_file, values, tracker, report)
        if latest_payer:
            uow.session.execute(
                update(Patient),
                [
                    {"id": patients[patient], "payer_id": payer_id, "version": 1}
                    for patient, (_, payer_id) in latest_payer.items()
                ],
            )


class _Tracker:
    """Reports progress every so many rows and honours a cancel request between them."""

    def __init__(
        self, total: int, progress: Progress | None, should_cancel: Callable[[], bool] | None
    ) -> None:
        self.total, self.done = total, 0
        self._progress, self._should_cancel = progress, should_cancel

    def step(self, kind: str) -> None:
        self.done += 1
        if self.done % 200 == 0 or self.done == self.total:
            self.check_cancel()
            if self._progress is not None:
                self._progress(kind, self.done, self.total)

    def check_cancel(self) -> None:
        if self._should_cancel is not None and self._should_cancel():
            raise ImportCancelledError()
