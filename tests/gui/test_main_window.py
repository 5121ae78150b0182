"""The window as a whole: relationships between tabs, remembered layout, first start."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from tests.gui.conftest import save_screenshot


def select(qtbot, tab, predicate):
    row = tab.model.row_of(predicate)
    assert row >= 0
    tab.table.selectRow(row)
    qtbot.waitUntil(lambda: tab.form.record is not None and predicate(tab.form.record))
    return tab.form.record


def test_from_a_hospital_to_its_doctors_and_appointments(open_window, imported_url, qtbot):
    window = open_window(imported_url)
    hospital = select(qtbot, window.hospitals_tab, lambda h: h.name.startswith("CAREMORE"))
    window.hospitals_tab.form.navigate.emit("doctors", hospital)
    doctors = window.doctors_tab
    assert window.tabs.currentWidget() is doctors
    qtbot.waitUntil(lambda: not doctors.model.is_loading)
    assert doctors.model.rowCount() >= 1
    assert all(
        doctors.model.record(r).hospital_id == hospital.id for r in range(doctors.model.rowCount())
    )
    assert hospital.name in doctors.filter_chip.text

    window.hospitals_tab.form.navigate.emit("appointments", hospital)
    appointments = window.appointments_tab
    qtbot.waitUntil(
        lambda: (
            not appointments.model.is_loading
            and appointments.model.query.hospital_id == hospital.id
        )
    )
    rows = [appointments.model.record(r) for r in range(appointments.model.rowCount())]
    assert rows and all(a.hospital_id == hospital.id for a in rows)
    starts = [a.start_at for a in rows]
    assert starts == sorted(starts, reverse=True)  # newest first

    appointments.filter_chip._clear.click()
    qtbot.waitUntil(
        lambda: not appointments.model.is_loading and appointments.model.query.hospital_id is None
    )
    assert appointments.model.rowCount() > len(rows)


def test_from_a_doctor_to_their_patients_and_from_a_patient_to_appointments(
    open_window, imported_url, qtbot
):
    window = open_window(imported_url)
    doctor = select(qtbot, window.doctors_tab, lambda d: d.name.startswith("Dolores502"))
    window.doctors_tab.form.navigate.emit("patients", doctor)
    patients = window.patients_tab
    qtbot.waitUntil(
        lambda: not patients.model.is_loading and patients.model.query.doctor_id == doctor.id
    )
    names = [patients.model.record(r).full_name for r in range(patients.model.rowCount())]
    assert "Jerónimo599 Ruelas156" in names

    patient = select(qtbot, patients, lambda p: p.family_name == "Ruelas156")
    patients.form.navigate.emit("appointments", patient)
    appointments = window.appointments_tab
    qtbot.waitUntil(
        lambda: (
            not appointments.model.is_loading and appointments.model.query.patient_id == patient.id
        )
    )
    assert appointments.model.rowCount() > 0
    assert all(
        appointments.model.record(r).patient_id == patient.id
        for r in range(appointments.model.rowCount())
    )


def test_search_waits_for_a_pause_then_queries(open_window, imported_url, qtbot):
    window = open_window(imported_url)
    tab = window.patients_tab
    tab.search.setText("farí")
    tab.search.textEdited.emit("farí")
    assert tab.model.query.search == ""  # not yet: the box waits for a pause
    qtbot.waitUntil(lambda: tab.model.query.search == "farí" and not tab.model.is_loading)
    assert [tab.model.record(r).family_name for r in range(tab.model.rowCount())] == ["Farías160"]


def test_times_show_in_the_hospital_zone_with_its_name(open_window, imported_url, qtbot):
    window = open_window(imported_url)
    model = window.appointments_tab.model
    shown = model.data(model.index(0, 0))
    assert shown.endswith(("PST", "PDT"))


def test_window_size_and_tab_are_remembered(open_window, imported_url, qtbot):
    window = open_window(imported_url)
    window.resize(790, 590)  # inside the offscreen screen (800 x 600)
    window.tabs.setCurrentIndex(2)
    window.close()
    again = open_window(imported_url)
    assert again.tabs.currentIndex() == 2
    assert (again.width(), again.height()) == (790, 590)


def test_an_empty_database_offers_an_import(open_window, sqlite_url, qtbot):
    from hospital_desktop.gui.app import offer_import_when_empty

    window = open_window(sqlite_url)
    offer_import_when_empty(window)
    qtbot.waitUntil(lambda: getattr(window, "first_start_box", None) is not None)
    box = window.first_start_box
    assert box.text() == "The database is empty."
    import_button = next(b for b in box.buttons() if b.text().startswith("Import"))
    import_button.click()
    qtbot.waitUntil(lambda: window.findChild(QMessageBox) is None or not box.isVisible())
    from hospital_desktop.gui.dialogs.import_dialog import ImportDialog

    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(ImportDialog)))
    for dialog in window.findChildren(ImportDialog):
        dialog.close()


def test_screenshots_of_every_tab(open_window, imported_url, qtbot):
    window = open_window(imported_url)
    for index, tab in enumerate(window.record_tabs):
        window.tabs.setCurrentIndex(index)
        tab.table.selectRow(0)
        qtbot.waitUntil(lambda tab=tab: tab.form.record is not None)
        path = save_screenshot(window, f"main-window-{tab.plural}")
        assert path.stat().st_size > 10_000
