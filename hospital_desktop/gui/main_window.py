"""The main window: assembles the tabs and menus and wires their signals, nothing more."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QTabWidget

from hospital_desktop import APP_NAME, __version__
from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.db.engine import describe
from hospital_desktop.core.domain.values import DoctorRecord, HospitalRecord, PatientRecord
from hospital_desktop.core.services.changes import Change
from hospital_desktop.gui.changes import ChangeSignals
from hospital_desktop.gui.dialogs.database_dialog import DatabaseDialog
from hospital_desktop.gui.dialogs.import_dialog import ImportDialog
from hospital_desktop.gui.tabs.appointments import make_appointments_tab
from hospital_desktop.gui.tabs.doctors import make_doctors_tab
from hospital_desktop.gui.tabs.hospitals import make_hospitals_tab
from hospital_desktop.gui.tabs.patients import make_patients_tab
from hospital_desktop.gui.tabs.record_tab import RecordTab
from hospital_desktop.gui.tabs.timetable import TimetableTab
from hospital_desktop.gui.tasks import TaskRunner


class MainWindow(QMainWindow):
    """``restart_requested`` asks the launcher to reopen on another database."""

    restart_requested = Signal()

    def __init__(self, services: AppServices, tasks: TaskRunner, settings: QSettings) -> None:
        super().__init__()
        self.services = services
        self.tasks = tasks
        self.settings = settings
        self.setWindowTitle(APP_NAME)

        self.hospitals_tab = make_hospitals_tab(services, tasks)
        self.doctors_tab = make_doctors_tab(services, tasks)
        self.patients_tab = make_patients_tab(services, tasks)
        self.appointments_tab = make_appointments_tab(services, tasks)
        self.record_tabs: list[RecordTab[Any]] = [
            self.hospitals_tab,
            self.doctors_tab,
            self.patients_tab,
            self.appointments_tab,
        ]
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for tab, title in zip(
            self.record_tabs, ("&Hospitals", "&Doctors", "&Patients", "&Appointments"), strict=True
        ):
            self.tabs.addTab(tab, title)
        self.timetable_tab = TimetableTab(services, tasks)
        self.tabs.addTab(self.timetable_tab, "&Timetable")
        self.setCentralWidget(self.tabs)

        self._build_menus()
        self._build_status_bar()
        self._wire()
        self._restore_settings()
        for tab in self.record_tabs:
            tab.refresh()

    # --- assembly ------------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.import_action = self._action(
            file_menu, "&Import Synthea export…", "Ctrl+I", self.open_import_dialog
        )
        self._action(file_menu, "&Database…", None, self.open_database_dialog)
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)

        edit_menu = self.menuBar().addMenu("&Edit")
        self._action(edit_menu, "&New record", QKeySequence.StandardKey.New, self._on_new)
        self._action(edit_menu, "&Find", QKeySequence.StandardKey.Find, self._on_find)

        view_menu = self.menuBar().addMenu("&View")
        for number, tab in enumerate(self.record_tabs, start=1):
            self._action(
                view_menu,
                tab.plural.capitalize(),
                f"Ctrl+{number}",
                lambda checked=False, t=tab: self.tabs.setCurrentWidget(t),
            )
        self._action(
            view_menu,
            "Timetable",
            f"Ctrl+{len(self.record_tabs) + 1}",
            lambda checked=False: self.tabs.setCurrentWidget(self.timetable_tab),
        )
        view_menu.addSeparator()
        self._action(view_menu, "&Refresh", QKeySequence.StandardKey.Refresh, self._on_refresh)

        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, f"&About {APP_NAME}", None, self._on_about)

    def _action(self, menu: Any, text: str, shortcut: Any, slot: Any) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_status_bar(self) -> None:
        self.database_label = QLabel(f"Database: {describe(self.services.url)}")
        self.busy_label = QLabel("")
        self.statusBar().addPermanentWidget(self.busy_label)
        self.statusBar().addPermanentWidget(self.database_label)

    def _wire(self) -> None:
        self.changes = ChangeSignals(self.services.changes, self)
        self.changes.changed.connect(self._on_change)
        self.tasks.busy_changed.connect(self._on_busy_changed)
        for tab in self.record_tabs:
            tab.navigate.connect(self._on_navigate)
            tab.status_message.connect(self._on_status_message)
        self.timetable_tab.status_message.connect(self._on_status_message)
        self.tabs.currentChanged.connect(self._on_tab_changed)

    # --- settings ------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        index = int(self.settings.value("window/tab", 0) or 0)
        self.tabs.setCurrentIndex(min(max(index, 0), self.tabs.count() - 1))
        timetable_splitter = self.settings.value("timetable/splitter")
        if isinstance(timetable_splitter, QByteArray):
            self.timetable_tab.splitter.restoreState(timetable_splitter)
        for tab in self.record_tabs:
            splitter = self.settings.value(f"{tab.entity}/splitter")
            if isinstance(splitter, QByteArray):
                tab.splitter.restoreState(splitter)
            header = self.settings.value(f"{tab.entity}/header")
            if isinstance(header, QByteArray) and tab.table.horizontalHeader().restoreState(header):
                tab.keep_column_layout()

    def save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/tab", self.tabs.currentIndex())
        self.settings.setValue("timetable/splitter", self.timetable_tab.splitter.saveState())
        for tab in self.record_tabs:
            self.settings.setValue(f"{tab.entity}/splitter", tab.splitter.saveState())
            self.settings.setValue(f"{tab.entity}/header", tab.table.horizontalHeader().saveState())
        self.settings.sync()

    # --- actions -------------------------------------------------------------------------

    def current_tab(self) -> RecordTab[Any] | None:
        current = self.tabs.currentWidget()
        return current if isinstance(current, RecordTab) else None

    def open_import_dialog(self) -> ImportDialog:
        dialog = ImportDialog(self.services, self.tasks, self)
        dialog.finished_import.connect(
            lambda report: self.statusBar().showMessage(report.describe(), 10000)
        )
        dialog.open()
        return dialog

    def open_database_dialog(self) -> DatabaseDialog:
        dialog = DatabaseDialog(self.services.url, self.tasks, self)
        dialog.switch_requested.connect(self._on_switch_database)
        dialog.open()
        return dialog

    def offer_first_import(self) -> None:
        """On an empty database, offer a Synthea import or an empty start (asked once)."""
        box = QMessageBox(self)
        box.setWindowTitle("Welcome")
        box.setIcon(QMessageBox.Icon.Information)
        box.setText("The database is empty.")
        box.setInformativeText(
            "You can import a Synthea export (synthetic hospitals, doctors, patients and "
            "visits) to try the application, or start empty and register your own records."
        )
        import_button = box.addButton("Import a Synthea export…", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Start empty", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(import_button)

        def on_finished(_result: int) -> None:
            if box.clickedButton() is import_button:
                self.open_import_dialog()
            else:  # "Start empty" is an answer: do not ask on every start
                self.settings.setValue("welcome/declined", True)

        box.finished.connect(on_finished)
        box.open()
        self.first_start_box = box

    # --- handlers ------------------------------------------------------------------------

    def _on_change(self, change: Change) -> None:
        for tab in self.record_tabs:
            tab.on_change(change)
        self.timetable_tab.on_change(change)

    def _on_status_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _on_navigate(self, target: str, record: object) -> None:
        if target == "timetable" and isinstance(record, DoctorRecord):
            self.timetable_tab.show_doctor(record)
            self.tabs.setCurrentWidget(self.timetable_tab)
            return
        tabs = {
            "doctors": self.doctors_tab,
            "patients": self.patients_tab,
            "appointments": self.appointments_tab,
        }
        tab = tabs[target]
        if isinstance(record, HospitalRecord):
            tab.filter_by(f"{tab.plural.capitalize()} at {record.name}", hospital_id=record.id)
        elif isinstance(record, DoctorRecord):
            tab.filter_by(f"{tab.plural.capitalize()} of {record.name}", doctor_id=record.id)
        elif isinstance(record, PatientRecord):
            tab.filter_by(f"{tab.plural.capitalize()} of {record.full_name}", patient_id=record.id)
        self.tabs.setCurrentWidget(tab)

    def _on_new(self) -> None:
        tab = self.current_tab()
        if tab is not None:
            tab.start_new()

    def _on_find(self) -> None:
        tab = self.current_tab()
        if tab is not None:
            tab.focus_search()
        else:
            self.timetable_tab.doctor_picker.setFocus()

    def _on_refresh(self) -> None:
        tab = self.current_tab()
        if tab is not None:
            tab.refresh()
        else:
            self.timetable_tab.reload()

    def _on_tab_changed(self, _index: int) -> None:
        self.statusBar().clearMessage()

    def _on_busy_changed(self, busy: bool) -> None:
        self.busy_label.setText("Working…" if busy else "")

    def _on_switch_database(self) -> None:
        if self._confirm_close():
            self.restart_requested.emit()

    def _on_about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<b>{APP_NAME}</b> {__version__}<br>Patients, doctors and appointments at the "
            f"front desk.<br><br>Database: {describe(self.services.url)}",
        )

    def _confirm_close(self) -> bool:
        for tab in self.record_tabs:
            if tab.form.is_dirty:
                self.tabs.setCurrentWidget(tab)
                if not tab.form.confirm_discard():
                    return False
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._confirm_close():
            event.ignore()
            return
        self.save_settings()
        self.changes.detach()
        event.accept()
