"""CSV files: a BOM for spreadsheets, formulas kept as text, and all or nothing."""

from __future__ import annotations

import pytest

from hospital_desktop.core.domain.errors import DomainError
from hospital_desktop.core.reports.csv_export import write_csv


def test_bom_accents_and_formulas_kept_as_text(tmp_path):
    path = tmp_path / "out.csv"
    count = write_csv(
        path, ["Name", "Phone"], [["Zoë Ångström", "=HYPERLINK(1)"], ["王小明", "-5"]]
    )
    assert count == 2
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeffName,Phone")
    assert "'=HYPERLINK(1)" in text and "王小明,-5" in text


def test_a_failure_half_way_leaves_no_file(tmp_path):
    path = tmp_path / "out.csv"

    def rows():
        yield ["one"]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        write_csv(path, ["Name"], rows())
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_folder_is_said_in_words(tmp_path):
    with pytest.raises(DomainError, match="could not be written"):
        write_csv(tmp_path / "missing" / "out.csv", ["Name"], [])


def test_an_export_gets_the_users_usual_permissions(tmp_path):
    import os

    path = tmp_path / "out.csv"
    write_csv(path, ["Name"], [["Zoë"]])
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask
