"""The Synthea importer on real exports, on SQLite and PostgreSQL.

The full sample lives outside the repository (``../shared/data/synthea-sample``); the trimmed
copy in ``tests/data/synthea-trimmed`` (see tests/data/README.md) is always here.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.db.models import Appointment, Base
from hospital_desktop.core.domain.errors import DomainError, ImportFileError
from hospital_desktop.core.domain.values import (
    AppointmentStatus,
    ListQuery,
    Sex,
    Summary,
)
from hospital_desktop.core.importers.synthea import (
    ImportCancelledError,
    ImportReport,
    SyntheaImporter,
)
from hospital_desktop.core.services.changes import Change, Entity
from tests.conftest import SYNTHEA_SAMPLE, SYNTHEA_TRIMMED
from tests.integration.factories import all_items

FULL_COUNTS = Summary(hospitals=173, doctors=173, patients=59, appointments=2590)
TRIMMED_COUNTS = Summary(hospitals=24, doctors=24, patients=8, appointments=335)
NON_ASCII_PATIENTS = {
    ("Jerónimo599", "Ruelas156"),
    ("María Luisa888", "Montenegro24"),
    ("Silvia880", "Farías160"),
}

needs_full_sample = pytest.mark.skipif(
    not (SYNTHEA_SAMPLE / "encounters.csv").is_file(),
    reason=f"the shared Synthea sample is not at {SYNTHEA_SAMPLE} "
    "(CI has it in ../shared/data/synthea-sample beside the repository)",
)


def run_import(services: AppServices, directory: Path, **options: Any) -> ImportReport:
    return SyntheaImporter(services.unit_of_work, services.changes, **options).run(directory)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def snapshot(services: AppServices) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every record table, in key order: 'exactly as before' means equal
    snapshots. The audit trail is left out: it records that an import was run."""
    with services.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
            if table.name != "audit_entries"
        }


def copy_export(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def imported_names(services: AppServices) -> tuple[set[tuple[str, str]], set[str]]:
    patients = all_items(services.patients.list, ListQuery(limit=500))
    doctors = all_items(services.doctors.list, ListQuery(limit=500))
    return {(p.given_name, p.family_name) for p in patients}, {d.name for d in doctors}


def csv_names(directory: Path) -> tuple[set[tuple[str, str]], set[str]]:
    patients = {(row["FIRST"], row["LAST"]) for row in read_csv(directory / "patients.csv")}
    doctors = {row["NAME"] for row in read_csv(directory / "providers.csv")}
    return patients, doctors


# --- the full sample -------------------------------------------------------------------------


@needs_full_sample
def test_full_sample_gives_exact_counts_and_a_second_import_changes_nothing(
    services: AppServices,
) -> None:
    report = run_import(services, SYNTHEA_SAMPLE)
    assert services.summary() == FULL_COUNTS
    assert report.added == {
        "payers": 10,
        "hospitals": 173,
        "doctors": 173,
        "patients": 59,
        "appointments": 2590,
    }
    assert report.already_present == {}
    after_first = snapshot(services)

    again = run_import(services, SYNTHEA_SAMPLE)
    assert services.summary() == FULL_COUNTS
    assert set(again.added.values()) == {0}
    assert sum(again.already_present.values()) == 10 + 173 + 173 + 59 + 2590
    assert again.describe().startswith("Imported nothing new")
    assert snapshot(services) == after_first  # not one value changed


@needs_full_sample
def test_full_sample_names_survive_exactly(services: AppServices) -> None:
    run_import(services, SYNTHEA_SAMPLE)
    patients, doctors = imported_names(services)
    expected_patients, expected_doctors = csv_names(SYNTHEA_SAMPLE)
    assert patients == expected_patients
    assert doctors == expected_doctors
    assert patients >= NON_ASCII_PATIENTS
    assert sum(not name.isascii() for name in doctors) == 14


# --- the trimmed copy ------------------------------------------------------------------------


def test_trimmed_copy_gives_its_own_exact_counts(services: AppServices) -> None:
    report = run_import(services, SYNTHEA_TRIMMED)
    assert services.summary() == TRIMMED_COUNTS
    assert len(services.patients.payers()) == 8
    assert report.added == {
        "payers": 8,
        "hospitals": 24,
        "doctors": 24,
        "patients": 8,
        "appointments": 335,
    }
    before = snapshot(services)
    run_import(services, SYNTHEA_TRIMMED)
    assert services.summary() == TRIMMED_COUNTS
    assert snapshot(services) == before


def test_trimmed_copy_keeps_names_dates_and_places(services: AppServices) -> None:
    run_import(services, SYNTHEA_TRIMMED)
    patients, doctors = imported_names(services)
    assert (patients, doctors) == csv_names(SYNTHEA_TRIMMED)
    assert patients >= NON_ASCII_PATIENTS

    rows = {row["Id"]: row for row in read_csv(SYNTHEA_TRIMMED / "patients.csv")}
    records = all_items(services.patients.list, ListQuery())
    assert {record.external_id for record in records} == set(rows)
    for record in records:
        row = rows[record.external_id]
        assert record.date_of_birth.isoformat() == row["BIRTHDATE"]
        assert (record.date_of_death.isoformat() if record.date_of_death else "") == (
            row["DEATHDATE"]
        )
        assert record.sex is {"F": Sex.FEMALE, "M": Sex.MALE}[row["GENDER"]]
        assert (record.city, record.state, record.postal_code) == (
            row["CITY"],
            row["STATE"],
            row["ZIP"],
        )
    assert sum(record.date_of_death is not None for record in records) == 3

    hospitals = all_items(services.hospitals.list, ListQuery())
    assert {hospital.time_zone for hospital in hospitals} == {"America/Los_Angeles"}  # CA
    assert {doctor.specialty for doctor in all_items(services.doctors.list)} <= {"General practice"}


def test_past_encounters_are_fulfilled(services: AppServices) -> None:
    run_import(services, SYNTHEA_TRIMMED)
    visits = all_items(services.appointments.list, ListQuery(limit=500))
    assert {visit.status for visit in visits} == {AppointmentStatus.FULFILLED}


def test_encounters_after_the_import_time_are_booked(services: AppServices) -> None:
    then = datetime(2015, 1, 1, tzinfo=UTC)
    run_import(services, SYNTHEA_TRIMMED, now=lambda: then)
    stops = {
        row["Id"]: datetime.fromisoformat(row["STOP"].replace("Z", "+00:00"))
        for row in read_csv(SYNTHEA_TRIMMED / "encounters.csv")
    }
    visits = all_items(services.appointments.list, ListQuery(limit=500))
    for visit in visits:
        expected = (
            AppointmentStatus.FULFILLED
            if stops[visit.external_id or ""] <= then
            else AppointmentStatus.BOOKED
        )
        assert visit.status is expected
    assert {visit.status for visit in visits} == {
        AppointmentStatus.FULFILLED,
        AppointmentStatus.BOOKED,
    }


def _visit(services: AppServices, external_id: str) -> Any:
    visits = all_items(services.appointments.list, ListQuery(limit=500))
    return next(visit for visit in visits if visit.external_id == external_id)


def test_fee_and_coverage_come_from_the_claim(services: AppServices) -> None:
    run_import(services, SYNTHEA_TRIMMED)
    first = _visit(services, "33dc326d-4b64-921b-4afe-6456415a2e78")
    # CSV: BASE_ENCOUNTER_COST 146.76, TOTAL_CLAIM_COST 1306.55, PAYER_COVERAGE 1241.22
    assert first.fee == Decimal("1306.55")
    assert first.payer_coverage == Decimal("1241.22")
    assert first.payer_name == "Medicaid"
    assert (first.service, first.reason) == ("Wellness", "Well child visit (procedure)")
    assert first.start_at == datetime(2021, 8, 23, 3, 26, 50, tzinfo=UTC)
    assert first.end_at == datetime(2021, 8, 23, 3, 41, 50, tzinfo=UTC)
    with services.engine.connect() as connection:
        cents = connection.execute(
            select(Appointment.fee_cents, Appointment.payer_coverage_cents).where(
                Appointment.external_id == first.external_id
            )
        ).one()
    assert tuple(cents) == (130655, 124122)

    with_reason = _visit(services, "da716cab-9a68-4840-03d4-f151471a5e17")
    assert with_reason.reason == "Encounter for problem (for: Atopic dermatitis)"
    assert (with_reason.fee, with_reason.payer_coverage) == (Decimal("82.02"), Decimal("0.00"))


def test_patients_get_the_payer_of_their_latest_encounter(services: AppServices) -> None:
    run_import(services, SYNTHEA_TRIMMED)
    payer_names = {row["Id"]: row["NAME"] for row in read_csv(SYNTHEA_TRIMMED / "payers.csv")}
    latest: dict[str, tuple[str, str]] = {}
    for row in read_csv(SYNTHEA_TRIMMED / "encounters.csv"):
        if row["PAYER"] and row["START"] >= latest.get(row["PATIENT"], ("", ""))[0]:
            latest[row["PATIENT"]] = (row["START"], payer_names[row["PAYER"]])
    for record in all_items(services.patients.list, ListQuery()):
        assert record.payer_name == latest[record.external_id or ""][1]


def _rewrite(path: Path, change: Callable[[list[str], list[list[str]]], None]) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    change(header, rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])


def _drop_column(name: str) -> Callable[[list[str], list[list[str]]], None]:
    def change(header: list[str], rows: list[list[str]]) -> None:
        index = header.index(name)
        for line in (header, *rows):
            del line[index]

    return change


def _keep_rows(column: str, wanted: set[str]) -> Callable[[list[str], list[list[str]]], None]:
    def change(header: list[str], rows: list[list[str]]) -> None:
        index = header.index(column)
        rows[:] = [row for row in rows if row[index] in wanted]

    return change


def _add_column(name: str, at: int) -> Callable[[list[str], list[list[str]]], None]:
    def change(header: list[str], rows: list[list[str]]) -> None:
        header.insert(at, name)
        for number, row in enumerate(rows):
            row.insert(at, f"something new {number}")

    return change


def test_extra_columns_are_tolerated_and_optional_ones_may_be_missing(
    services: AppServices, tmp_path: Path
) -> None:
    export = copy_export(SYNTHEA_TRIMMED, tmp_path / "other-version")
    _rewrite(export / "encounters.csv", _add_column("SOME_FUTURE_COLUMN", 3))
    _rewrite(export / "encounters.csv", _drop_column("PAYER_COVERAGE"))
    _rewrite(export / "encounters.csv", _drop_column("TOTAL_CLAIM_COST"))
    _rewrite(export / "patients.csv", _add_column("FHIR_EXTENSION", 0))
    _rewrite(export / "patients.csv", _drop_column("GENDER"))
    _rewrite(export / "organizations.csv", _drop_column("PHONE"))

    run_import(services, export)
    assert services.summary() == TRIMMED_COUNTS
    first = _visit(services, "33dc326d-4b64-921b-4afe-6456415a2e78")
    assert first.fee == Decimal("146.76")  # BASE_ENCOUNTER_COST when there is no claim total
    assert first.payer_coverage is None
    assert {p.sex for p in all_items(services.patients.list, ListQuery())} == {Sex.UNKNOWN}
    assert {h.phone for h in all_items(services.hospitals.list, ListQuery())} == {""}


def test_an_import_announces_one_bulk_change(services: AppServices) -> None:
    heard: list[Change] = []
    services.changes.subscribe(heard.append)
    run_import(services, SYNTHEA_TRIMMED)
    assert len(heard) == 1
    assert all(heard[0].touches(entity) for entity in Entity)


def test_a_cancelled_import_keeps_nothing(services: AppServices) -> None:
    progress: list[tuple[str, int, int]] = []
    with pytest.raises(ImportCancelledError):
        SyntheaImporter(services.unit_of_work, services.changes).run(
            SYNTHEA_TRIMMED,
            progress=lambda *step: progress.append(step),
            should_cancel=lambda: len(progress) >= 1,
        )
    assert services.summary() == Summary(0, 0, 0, 0)
    assert progress and progress[0][2] == 8 + 24 + 24 + 8 + 335


def test_a_folder_that_is_no_export_is_refused(services: AppServices, tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="is not a folder"):
        run_import(services, tmp_path / "missing")
    partial = copy_export(SYNTHEA_TRIMMED, tmp_path / "partial")
    (partial / "providers.csv").unlink()
    with pytest.raises(DomainError, match=r"providers\.csv missing"):
        run_import(services, partial)
    assert services.summary() == Summary(0, 0, 0, 0)


# --- malformed files -------------------------------------------------------------------------


def _edit_line(path: Path, line: int, change: Callable[[bytes], bytes]) -> None:
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = change(lines[line - 1])
    path.write_bytes(b"\n".join(lines))


def _edit_field(path: Path, line: int, column: str, change: Callable[[bytes], bytes]) -> None:
    header = path.read_bytes().split(b"\n", 1)[0].split(b",")
    index = header.index(column.encode())

    def edit(text: bytes) -> bytes:
        fields = text.split(b",")
        fields[index] = change(fields[index])
        return b",".join(fields)

    _edit_line(path, line, edit)


def truncated(export: Path) -> tuple[str, int]:
    path = export / "encounters.csv"
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join(lines[:200]) + b"\n" + lines[200][:60])  # line 201, cut
    return "encounters.csv", 201


def garbled(export: Path) -> tuple[str, int]:
    _edit_field(
        export / "encounters.csv", 250, "DESCRIPTION", lambda f: f[:4] + b"\xff\xfe" + f[4:]
    )
    return "encounters.csv", 250


def nul_byte(export: Path) -> tuple[str, int]:
    _edit_field(export / "encounters.csv", 120, "DESCRIPTION", lambda f: f[:4] + b"\0" + f[4:])
    return "encounters.csv", 120


def missing_required_column(export: Path) -> tuple[str, int]:
    _rewrite(export / "providers.csv", _drop_column("ORGANIZATION"))
    return "providers.csv", 1


def unparseable_time(export: Path) -> tuple[str, int]:
    _edit_field(export / "encounters.csv", 77, "START", lambda _: b"2021-02-30T10:00:00Z")
    return "encounters.csv", 77


def unparseable_birth_date(export: Path) -> tuple[str, int]:
    _edit_field(export / "patients.csv", 5, "BIRTHDATE", lambda _: b"1949/11/22")
    return "patients.csv", 5


def unknown_patient(export: Path) -> tuple[str, int]:
    _edit_field(
        export / "encounters.csv",
        300,
        "PATIENT",
        lambda _: b"00000000-0000-0000-0000-000000000000",
    )
    return "encounters.csv", 300


def duplicated_id(export: Path) -> tuple[str, int]:
    path = export / "encounters.csv"
    earlier_id = path.read_bytes().split(b"\n")[98].split(b",")[0]  # line 99
    _edit_field(path, 100, "Id", lambda _: earlier_id)
    return "encounters.csv", 100


MALFORMED = [
    truncated,
    garbled,
    nul_byte,
    missing_required_column,
    unparseable_time,
    unparseable_birth_date,
    unknown_patient,
    duplicated_id,
]


@dataclass(frozen=True)
class Refusal:
    file_name: str
    line: int


@pytest.fixture(scope="module")
def earlier_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good, smaller export (four of the trimmed copy's patients) to import first."""
    export = copy_export(SYNTHEA_TRIMMED, tmp_path_factory.mktemp("earlier") / "export")
    kept = {row["Id"] for row in read_csv(export / "patients.csv")[:4]}
    _rewrite(export / "patients.csv", _keep_rows("Id", kept))
    _rewrite(export / "encounters.csv", _keep_rows("PATIENT", kept))
    return export


def _assert_refused(services: AppServices, export: Path, expected: Refusal) -> None:
    with pytest.raises(ImportFileError) as caught:
        run_import(services, export)
    error = caught.value
    assert (error.file_name, error.line) == (expected.file_name, expected.line), str(error)
    assert f"{expected.file_name}, line {expected.line}" in str(error)
    assert str(error).endswith("Nothing was imported.")


@pytest.mark.parametrize("breakage", MALFORMED, ids=lambda case: case.__name__)
def test_a_malformed_file_is_refused_whole(
    services: AppServices,
    tmp_path: Path,
    earlier_export: Path,
    breakage: Callable[[Path], tuple[str, int]],
) -> None:
    broken = copy_export(SYNTHEA_TRIMMED, tmp_path / "broken")
    expected = Refusal(*breakage(broken))

    empty = snapshot(services)
    _assert_refused(services, broken, expected)
    assert snapshot(services) == empty
    assert services.summary() == Summary(0, 0, 0, 0)

    run_import(services, earlier_export)
    before = snapshot(services)
    assert services.summary().patients == 4
    _assert_refused(services, broken, expected)
    assert snapshot(services) == before
