"""Damage a tester found: absurd amounts and dates, repeated headers, unclosed quotes,
over-long values and an unknown fallback zone: each named by file and line, nothing kept."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.db.models import Appointment
from hospital_desktop.core.domain.errors import DomainError, ImportFileError
from hospital_desktop.core.importers.synthea import SyntheaImporter
from tests.conftest import SYNTHEA_TRIMMED
from tests.integration.test_synthea_import import copy_export, snapshot


def set_cell(path: Path, row_number: int, column: str, value: str) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[row_number][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def refused(services: AppServices, folder: Path) -> str:
    before = snapshot(services)
    with pytest.raises(ImportFileError) as error:
        SyntheaImporter(services.unit_of_work, services.changes).run(folder)
    assert snapshot(services) == before
    return error.value.message


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("TOTAL_CLAIM_COST", "1e30"),
        ("TOTAL_CLAIM_COST", "1e999999"),
        ("TOTAL_CLAIM_COST", "100000000000000000000"),
        ("START", "0001-01-01T00:00:00+05:00"),
        ("START", "9999-12-31T23:59:59-05:00"),
        ("ENCOUNTERCLASS", "x" * 150),
    ],
)
def test_absurd_encounter_values_name_the_line(services, tmp_path, column, value):
    folder = copy_export(SYNTHEA_TRIMMED, tmp_path / "export")
    set_cell(folder / "encounters.csv", 5, column, value)
    message = refused(services, folder)
    assert "encounters.csv, line 6" in message and column in message


def test_a_huge_fee_that_fits_is_stored_exactly(services, tmp_path):
    folder = copy_export(SYNTHEA_TRIMMED, tmp_path / "export")
    set_cell(folder / "encounters.csv", 1, "TOTAL_CLAIM_COST", "30000000.01")
    SyntheaImporter(services.unit_of_work, services.changes).run(folder)
    with services.unit_of_work() as uow:
        fees = list(uow.session.scalars(select(Appointment.fee_cents)))
    assert 3_000_000_001 in fees


def test_a_header_that_names_a_column_twice_is_refused(services, tmp_path):
    folder = copy_export(SYNTHEA_TRIMMED, tmp_path / "export")
    path = folder / "organizations.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[0] = lines[0].replace("ADDRESS", "NAME", 1)
    path.write_text("".join(lines), encoding="utf-8")
    assert "names NAME more than once" in refused(services, folder)


def test_an_unclosed_quote_is_reported_where_it_opens(services, tmp_path):
    folder = copy_export(SYNTHEA_TRIMMED, tmp_path / "export")
    path = folder / "providers.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[10] = lines[10].replace(",", ',"', 1)
    path.write_text("".join(lines), encoding="utf-8")
    message = refused(services, folder)
    assert "providers.csv, line 11" in message and "never closed" in message


def test_dates_must_be_written_as_the_header_says(services, tmp_path):
    folder = copy_export(SYNTHEA_TRIMMED, tmp_path / "export")
    set_cell(folder / "patients.csv", 2, "BIRTHDATE", "19991231")
    assert "patients.csv, line 3" in refused(services, folder)
    set_cell(folder / "patients.csv", 2, "BIRTHDATE", "2150-01-01")
    assert "future" in refused(services, folder)


def test_an_unknown_fallback_zone_is_refused_before_anything_is_read(services):
    with pytest.raises(DomainError, match="not a known time zone"):
        SyntheaImporter(services.unit_of_work, services.changes, fallback_time_zone="Mars/Olympus")
    zoned = SyntheaImporter(
        services.unit_of_work, services.changes, fallback_time_zone="europe/paris"
    )
    assert zoned is not None
