"""Every table model passes Qt's model tester, empty and full, and pages lazily."""

from __future__ import annotations

import pytest

from hospital_desktop.core.domain.values import PatientDraft
from hospital_desktop.gui.models.record_table import PAGE_SIZE


@pytest.mark.parametrize(
    "tab_name", ["hospitals_tab", "doctors_tab", "patients_tab", "appointments_tab"]
)
def test_models_pass_the_model_tester(open_window, imported_url, qtmodeltester, tab_name):
    window = open_window(imported_url)
    model = getattr(window, tab_name).model
    assert model.rowCount() > 0
    qtmodeltester.check(model)


def test_empty_models_pass_the_model_tester(open_window, sqlite_url, qtmodeltester):
    window = open_window(sqlite_url)
    for tab in window.record_tabs:
        assert tab.model.rowCount() == 0
        qtmodeltester.check(tab.model)


def test_patients_load_page_by_page_in_database_order(open_window, sqlite_url, qtbot):
    window = open_window(sqlite_url)
    patients = window.services.patients
    for number in range(PAGE_SIZE + 50):
        patients.create(
            PatientDraft(
                given_name="Ana", family_name=f"Family{number:04d}", date_of_birth="1990-01-01"
            )
        )
    model = window.patients_tab.model
    qtbot.waitUntil(lambda: not model.is_loading and model.rowCount() == PAGE_SIZE)
    assert model.canFetchMore()
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == PAGE_SIZE + 50)
    assert not model.canFetchMore()
    names = [model.record(row).family_name for row in range(model.rowCount())]
    assert names == sorted(names)


def test_sorting_happens_in_the_database(open_window, imported_url, qtbot):
    from PySide6.QtCore import Qt

    window = open_window(imported_url)
    model = window.patients_tab.model
    born_column = next(
        i
        for i in range(model.columnCount())
        if model.headerData(i, Qt.Orientation.Horizontal) == "Born"
    )
    model.sort(born_column, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: not model.is_loading and model.query.sort == "date_of_birth")
    births = [model.record(row).date_of_birth for row in range(model.rowCount())]
    assert births == sorted(births, reverse=True)
