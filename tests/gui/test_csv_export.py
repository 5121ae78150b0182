"""Export CSV from any list: every row of the search (not only those loaded), UTF-8 with a
byte-order mark so spreadsheets read accents right, recorded in the audit trail."""

from __future__ import annotations

import csv

from hospital_desktop.core.domain.security import Role
from tests.gui.conftest import make_user


def test_the_patients_list_exports_every_row_with_a_bom(open_window, imported_url, qtbot, tmp_path):
    window = open_window(imported_url)  # set-up mode: every action open
    tab = window.patients_tab
    target = tmp_path / "patients.csv"
    tab.ask_save_path = lambda suggested: str(target)
    assert not tab.export_button.isHidden()
    with qtbot.waitSignal(tab.status_message, timeout=10_000) as shown:
        tab.export_button.click()
    assert "Exported 8 patients" in shown.args[0]
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:3] == ["Family name", "Given name", "Record no."]
    assert len(rows) == 1 + 8
    assert any("Jerónimo599" in row for row in rows)
    entries = [e for e in window.services.audit.entries() if e.action == "export-csv"]
    assert len(entries) == 1 and entries[0].changes["rows"] == [None, 8]


def test_a_receptionist_has_no_export(open_window, imported_url, qtbot):
    clerk = make_user(imported_url, Role.RECEPTIONIST, "carla")
    window = open_window(imported_url, clerk)
    assert all(tab.export_button.isHidden() for tab in window.record_tabs)
