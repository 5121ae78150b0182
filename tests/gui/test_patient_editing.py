"""Editing a patient in the window: saved edits survive a restart, bad input writes nothing."""

from __future__ import annotations

from hospital_desktop.core.bootstrap import open_services
from hospital_desktop.core.domain.values import ListQuery


def select_patient(qtbot, window, family_name: str):
    tab = window.patients_tab
    window.tabs.setCurrentWidget(tab)
    row = tab.model.row_of(lambda p: p.family_name == family_name)
    assert row >= 0, family_name
    tab.table.selectRow(row)
    qtbot.waitUntil(
        lambda: tab.form.record is not None and tab.form.record.family_name == family_name
    )
    return tab.form


def test_an_edit_persists_across_a_restart(open_window, imported_url, qtbot):
    window = open_window(imported_url)
    form = select_patient(qtbot, window, "Ruelas156")
    form.phone.setText("+1 619 555 0100")
    form.phone.textEdited.emit(form.phone.text())
    form.city.setText("San Diegó")
    form.city.textEdited.emit(form.city.text())
    assert form.is_dirty
    with qtbot.waitSignal(form.saved, timeout=5000):
        form.save_button.click()
    window.close()

    reopened = open_window(imported_url)
    form = select_patient(qtbot, reopened, "Ruelas156")
    assert form.phone.text() == "+1 619 555 0100"
    assert form.city.text() == "San Diegó"
    assert form.given_name.text() == "Jerónimo599"


def test_an_invalid_date_gets_a_field_message_and_writes_nothing(open_window, imported_url, qtbot):
    window = open_window(imported_url)
    form = select_patient(qtbot, window, "Ruelas156")
    before = window.services.patients.get(form.record.id)
    form.date_of_birth.setText("1999-02-30")
    form.date_of_birth.textEdited.emit(form.date_of_birth.text())
    form.phone.setText("12345")
    form.save_button.click()
    qtbot.waitUntil(lambda: form.field_error("date_of_birth") != "")
    assert "February 1999 has no day 30" in form.field_error("date_of_birth")
    assert form.is_dirty  # the user's edits are still on screen
    assert window.services.patients.get(before.id) == before


def test_an_overlong_name_gets_a_field_message_and_writes_nothing(open_window, imported_url, qtbot):
    window = open_window(imported_url)
    form = select_patient(qtbot, window, "Ruelas156")
    before = window.services.patients.get(form.record.id)
    form.family_name.setText("é" * 101)
    form.family_name.textEdited.emit(form.family_name.text())
    form.save_button.click()
    qtbot.waitUntil(lambda: form.field_error("family_name") != "")
    assert "101 characters" in form.field_error("family_name")
    assert window.services.patients.get(before.id) == before


def test_registering_a_new_patient(open_window, imported_url, qtbot):
    window = open_window(imported_url)
    tab = window.patients_tab
    window.tabs.setCurrentWidget(tab)
    tab.start_new()
    form = tab.form
    form.given_name.setText("Zoë")
    form.family_name.setText("Ångström")
    form.date_of_birth.setText("2001-07-04")
    form.sex.setCurrentIndex(form.sex.findData("female"))
    with qtbot.waitSignal(form.saved, timeout=5000):
        form.save_button.click()
    assert form.record is not None and form.record.medical_record_number.startswith("M")
    qtbot.waitUntil(lambda: tab.model.row_of(lambda p: p.family_name == "Ångström") >= 0)
    services = open_services(imported_url)
    try:
        found = services.patients.list(ListQuery(search="Ångström")).items
    finally:
        services.close()
    assert [p.given_name for p in found] == ["Zoë"]


def test_switching_rows_with_unsaved_edits_asks_first(
    open_window, imported_url, qtbot, monkeypatch
):
    from PySide6.QtWidgets import QMessageBox

    window = open_window(imported_url)
    form = select_patient(qtbot, window, "Ruelas156")
    form.phone.setText("555")
    form.phone.textEdited.emit("555")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    other = window.patients_tab.model.row_of(lambda p: p.family_name == "Vela532")
    window.patients_tab.table.selectRow(other)
    assert form.record.family_name == "Ruelas156"
    assert form.phone.text() == "555"
