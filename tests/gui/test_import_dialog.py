"""File > Import: a Synthea export comes in with progress; a damaged one changes nothing."""

from __future__ import annotations

import shutil

from hospital_desktop.core.domain.values import Summary
from hospital_desktop.gui.dialogs.import_dialog import ImportDialog
from tests.conftest import SYNTHEA_TRIMMED

TRIMMED_COUNTS = Summary(hospitals=24, doctors=24, patients=8, appointments=335)


def test_importing_through_the_dialog_fills_every_tab(open_window, sqlite_url, qtbot, monkeypatch):
    window = open_window(sqlite_url)
    monkeypatch.setattr(
        ImportDialog, "ask_directory", classmethod(lambda cls, parent, start: str(SYNTHEA_TRIMMED))
    )
    dialog = window.open_import_dialog()
    dialog._on_browse_clicked()
    assert dialog.folder.text() == str(SYNTHEA_TRIMMED)
    with qtbot.waitSignal(dialog.finished_import, timeout=20000):
        dialog.import_button.click()
    assert dialog.progress.value() == 100
    assert "8 patients" in dialog.status.text()
    assert window.services.summary() == TRIMMED_COUNTS
    patients = window.patients_tab.model
    qtbot.waitUntil(lambda: patients.rowCount() == 8)
    names = {patients.record(row).given_name for row in range(8)}
    assert {"Jerónimo599", "María Luisa888", "Silvia880"} <= names
    dialog.close_button.click()


def test_a_damaged_export_shows_the_file_and_line_and_imports_nothing(
    open_window, sqlite_url, qtbot, tmp_path
):
    damaged = tmp_path / "export"
    shutil.copytree(SYNTHEA_TRIMMED, damaged)
    encounters = damaged / "encounters.csv"
    data = encounters.read_bytes()
    encounters.write_bytes(data[: len(data) // 2])  # cut in the middle of a line
    window = open_window(sqlite_url)
    dialog = window.open_import_dialog()
    dialog.folder.setText(str(damaged))
    dialog.import_button.click()
    qtbot.waitUntil(lambda: not dialog.running, timeout=20000)
    message = dialog.status.text()
    assert "encounters.csv, line" in message
    assert "Nothing was imported" in message
    assert window.services.summary() == Summary(0, 0, 0, 0)
    dialog.close_button.click()
