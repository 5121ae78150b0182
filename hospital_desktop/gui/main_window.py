"""The main window: assembles the tabs and menus and wires their signals, nothing more."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from hospital_desktop import APP_NAME, __version__
from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.db.engine import describe
from hospital_desktop.core.domain.security import Permission, Role, UserRecord
from hospital_desktop.core.domain.values import DoctorRecord, HospitalRecord, PatientRecord
from hospital_desktop.core.services.changes import Change, Entity
from hospital_desktop.gui.changes import ChangeSignals
from hospital_desktop.gui.dialogs.database_dialog import DatabaseDialog
from hospital_desktop.gui.dialogs.import_dialog import ImportDialog
from hospital_desktop.gui.dialogs.sign_in import ChangePasswordDialog
from hospital_desktop.gui.errors import message_for
from hospital_desktop.gui.session import IdleWatcher, LockScreen, actor_of
from hospital_desktop.gui.tabs.appointments import make_appointments_tab
from hospital_desktop.gui.tabs.audit import AuditTab
from hospital_desktop.gui.tabs.doctors import make_doctors_tab
from hospital_desktop.gui.tabs.hospitals import make_hospitals_tab
from hospital_desktop.gui.tabs.patients import make_patients_tab
from hospital_desktop.gui.tabs.record_tab import RecordTab
from hospital_desktop.gui.tabs.reports import ReportsTab
from hospital_desktop.gui.tabs.timetable import TimetableTab
from hospital_desktop.gui.tabs.users import UsersTab
from hospital_desktop.gui.tasks import TaskRunner

PERMISSION_CHECK_MS = 60_000  # how often the window asks whether the user's rights changed
READ_ONLY_RECORDS = "You can see these records; changing them needs the {what} permission."


class MainWindow(QMainWindow):
    """The tabs and menus the signed-in ``user`` may use (``user`` None: a database with no
    users yet, in set-up mode, where everything is open).

    ``restart_requested`` asks the launcher to reopen on another database;
    ``logout_requested(username)`` to close the session and ask who is next (the name is
    offered at the login, empty for "switch user").
    """

    restart_requested = Signal()
    logout_requested = Signal(str)
    reopen_requested = Signal()  # the same user, with the permissions they have now

    def __init__(
        self,
        services: AppServices,
        tasks: TaskRunner,
        settings: QSettings,
        user: UserRecord | None = None,
        workstation: str = "",
        idle_minutes: float = 0,
    ) -> None:
        super().__init__()
        self.services = services
        self.tasks = tasks
        self.settings = settings
        self.user = user
        self.workstation = workstation
        self.setWindowTitle(APP_NAME if user is None else f"{APP_NAME} — {user.full_name}")

        self.hospitals_tab = self._if(Permission.VIEW_RECORDS, make_hospitals_tab)
        self.doctors_tab = self._if(Permission.VIEW_RECORDS, make_doctors_tab)
        self.patients_tab = self._if(Permission.VIEW_PATIENTS, make_patients_tab)
        self.appointments_tab = self._if(Permission.VIEW_PATIENTS, make_appointments_tab)
        titles = {
            "hospitals": "&Hospitals",
            "doctors": "&Doctors",
            "patients": "&Patients",
            "appointments": "&Appointments",
        }
        self.record_tabs: list[RecordTab[Any]] = [
            tab
            for tab in (
                self.hospitals_tab,
                self.doctors_tab,
                self.patients_tab,
                self.appointments_tab,
            )
            if tab is not None
        ]
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for tab in self.record_tabs:
            self.tabs.addTab(tab, titles[tab.plural])
        self._limit_editing()
        if self.may(Permission.EXPORT):
            for tab in self.record_tabs:
                tab.enable_export(
                    lambda path, headers, rows, description, entity=tab.entity: (
                        services.reports.export_table(path, headers, rows, entity, description)
                    )
                )
        self.timetable_tab = TimetableTab(services, tasks)
        self.timetable_tab.set_user(user)
        if self.may(Permission.VIEW_PATIENTS):
            self.tabs.addTab(self.timetable_tab, "&Timetable")
        self.reports_tab: ReportsTab | None = None
        if self.may(Permission.VIEW_REPORTS):
            self.reports_tab = ReportsTab(services, tasks, user=user)
            self.tabs.addTab(self.reports_tab, "&Reports")
        self.users_tab: UsersTab | None = None
        self.audit_tab: AuditTab | None = None
        if user is not None and self.may(Permission.MANAGE_USERS):
            self.users_tab = UsersTab(services, tasks)
            self.tabs.addTab(self.users_tab, "U&sers")
        if user is not None and self.may(Permission.VIEW_AUDIT):
            self.audit_tab = AuditTab(services, tasks)
            self.tabs.addTab(self.audit_tab, "Aud&it")
        if self.tabs.count() == 0:
            self.tabs.addTab(self._nothing_to_show(), "Welcome")

        self.lock_screen: LockScreen | None = None
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tabs)
        if user is not None:
            self.lock_screen = LockScreen(services, tasks, user, workstation)
            self.lock_screen.unlocked.connect(self.unlock)
            self.lock_screen.log_out_requested.connect(lambda: self.log_out(keep_name=False))
            self.stack.addWidget(self.lock_screen)
        self.setCentralWidget(self.stack)
        self._hidden_dialogs: list[QDialog] = []
        self._close_confirmed = False
        self.idle = IdleWatcher(idle_minutes if user is not None else 0, self)
        self.idle.idle.connect(self.lock)

        self._build_menus()
        self._build_status_bar()
        self._wire()
        self._restore_settings()
        self._permission_check = QTimer(self)
        self._permission_check.setInterval(PERMISSION_CHECK_MS)
        self._permission_check.timeout.connect(self.check_permissions)
        if user is not None:
            self._permission_check.start()
        for tab in self.record_tabs:
            tab.refresh()
        self._open_on_own_week()

    @property
    def extra_tabs(self) -> list[Any]:
        """The tabs beyond the record lists and the timetable that this user has."""
        return [t for t in (self.reports_tab, self.users_tab, self.audit_tab) if t is not None]

    def may(self, permission: Permission) -> bool:
        return self.user is None or permission in self.user.permissions

    @property
    def is_locked(self) -> bool:
        return self.lock_screen is not None and self.stack.currentWidget() is self.lock_screen

    def _if(self, permission: Permission, make: Any) -> Any:
        return make(self.services, self.tasks) if self.may(permission) else None

    def _limit_editing(self) -> None:
        needs = {
            "hospitals": (Permission.EDIT_RECORDS, "edit records"),
            "doctors": (Permission.EDIT_RECORDS, "edit records"),
            "patients": (Permission.EDIT_PATIENTS, "edit patients"),
            "appointments": (Permission.BOOK, "book"),
        }
        for tab in self.record_tabs:
            permission, what = needs[tab.plural]
            if not self.may(permission):
                tab.set_editable(False, READ_ONLY_RECORDS.format(what=what))

    def _nothing_to_show(self) -> QWidget:
        label = QLabel(
            "Your account may not see any records yet. Ask an administrator to give you the "
            "permissions your work needs."
        )
        label.setWordWrap(True)
        label.setMargin(24)
        return label

    def _open_on_own_week(self) -> None:
        """A doctor starts on their own week, and their patients."""
        user = self.user
        if user is None or user.role is not Role.DOCTOR or user.doctor_id is None:
            return
        if self.tabs.indexOf(self.timetable_tab) < 0:
            return
        doctor_id = user.doctor_id

        def show(doctor: DoctorRecord) -> None:
            self.timetable_tab.show_doctor(doctor)
            self.tabs.setCurrentWidget(self.timetable_tab)
            for tab in (self.patients_tab, self.appointments_tab):
                if tab is not None:
                    tab.filter_by(
                        f"{tab.plural.capitalize()} of {doctor.name}", doctor_id=doctor.id
                    )

        self.tasks.run(lambda: self.services.doctors.get(doctor_id), show)

    # --- assembly ------------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.import_action = self._action(
            file_menu, "&Import Synthea export…", "Ctrl+I", self.open_import_dialog
        )
        self.import_action.setVisible(self.may(Permission.IMPORT))
        # Which database a workstation uses is set up by an administrator.
        self.database_action = self._action(
            file_menu, "&Database…", None, self.open_database_dialog
        )
        self.database_action.setVisible(self.may(Permission.MANAGE_USERS))
        file_menu.addSeparator()
        if self.user is not None:
            self._action(file_menu, "Change &password…", None, self.open_change_password)
            self.lock_action = self._action(file_menu, "&Lock", "Ctrl+L", self.lock)
            self._action(file_menu, "&Switch user…", None, lambda: self.log_out(keep_name=False))
            self._action(file_menu, "Log &out", "Ctrl+Shift+L", lambda: self.log_out())
            file_menu.addSeparator()
        self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit, self.close)

        edit_menu = self.menuBar().addMenu("&Edit")
        self._action(edit_menu, "&New record", QKeySequence.StandardKey.New, self._on_new)
        self._action(edit_menu, "&Find", QKeySequence.StandardKey.Find, self._on_find)

        view_menu = self.menuBar().addMenu("&View")
        for number in range(self.tabs.count()):
            self._action(
                view_menu,
                self.tabs.tabText(number).replace("&", ""),
                f"Ctrl+{number + 1}" if number < 9 else None,
                lambda checked=False, n=number: self.tabs.setCurrentIndex(n),
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
        self.rights_changed_button = QPushButton("Your permissions changed: apply them")
        self.rights_changed_button.setObjectName("rightsChanged")
        self.rights_changed_button.setToolTip(
            "An administrator changed what your account may do. Reopen the window with the "
            "new permissions (unsaved edits are asked about first)."
        )
        self.rights_changed_button.clicked.connect(self.apply_new_rights)
        self.rights_changed_button.setVisible(False)
        self.statusBar().addPermanentWidget(self.rights_changed_button)  # messages keep it
        if self.user is not None:
            self.user_label = QLabel(f"{self.user.full_name} ({self.user.role.label})")
            self.user_label.setObjectName("signedInUser")
            self.statusBar().addPermanentWidget(self.user_label)
        self.statusBar().addPermanentWidget(self.database_label)

    def _wire(self) -> None:
        self.changes = ChangeSignals(self.services.changes, self)
        self.changes.changed.connect(self._on_change)
        self.tasks.busy_changed.connect(self._on_busy_changed)
        for tab in self.record_tabs:
            tab.navigate.connect(self._on_navigate)
            tab.status_message.connect(self._on_status_message)
        self.timetable_tab.status_message.connect(self._on_status_message)
        for extra in self.extra_tabs:
            extra.status_message.connect(self._on_status_message)
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
        for extra in self.extra_tabs:
            extra.on_change(change)
        if self.user is not None and change.touches(Entity.USER):
            self.check_permissions()

    def _on_status_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _on_navigate(self, target: str, record: object) -> None:
        if target == "timetable" and self.tabs.indexOf(self.timetable_tab) < 0:
            self.statusBar().showMessage("Your account may not see timetables.", 8000)
            return
        if target == "timetable" and isinstance(record, DoctorRecord):
            self.timetable_tab.show_doctor(record)
            self.tabs.setCurrentWidget(self.timetable_tab)
            return
        tabs = {
            "doctors": self.doctors_tab,
            "patients": self.patients_tab,
            "appointments": self.appointments_tab,
        }
        tab = tabs.get(target)
        if tab is None:
            self.statusBar().showMessage(f"Your account may not see {target}.", 8000)
            return
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
        self.check_permissions()
        current = self.tabs.currentWidget()
        if current is self.timetable_tab:
            self.timetable_tab.reload()
        elif hasattr(current, "refresh"):
            current.refresh()

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

    # --- the session -----------------------------------------------------------------

    def lock(self) -> None:
        """Hide everything behind the password prompt; forms and dialogs keep their state."""
        if self.lock_screen is None or self.is_locked:
            return
        self._hidden_dialogs = [
            dialog for dialog in self.findChildren(QDialog) if dialog.isVisible()
        ]
        for dialog in self._hidden_dialogs:
            dialog.hide()
        self.menuBar().setEnabled(False)
        self.stack.setCurrentWidget(self.lock_screen)
        self.lock_screen.prepare()
        self.idle.stop()

    def unlock(self) -> None:
        self.stack.setCurrentWidget(self.tabs)
        self.menuBar().setEnabled(True)
        for dialog in self._hidden_dialogs:
            dialog.show()
        self._hidden_dialogs = []
        self.idle.restart()

    def log_out(self, keep_name: bool = True) -> None:
        """End the session (after asking about unsaved edits); the launcher asks who is next."""
        if self.is_locked:
            self.unlock()  # so unsaved edits can be shown and confirmed
        if not self._confirm_close():
            return
        self.logout_requested.emit(self.user.username if keep_name and self.user else "")

    def check_permissions(self) -> None:
        """Ask the database whether an administrator changed this user's rights; the
        services already enforce the change, this brings the window in line with it."""
        if self.user is None or self.is_locked:
            return
        actor = actor_of(self.user, self.workstation)
        self.tasks.run(
            lambda: self.services.accounts.current(actor),
            self._on_current_user,
            self._on_current_user_refused,
        )

    def _on_current_user(self, current: UserRecord) -> None:
        if self.user is None:
            return
        same = (current.permissions, current.role, current.doctor_id) == (
            self.user.permissions,
            self.user.role,
            self.user.doctor_id,
        )
        self.rights_changed_button.setVisible(not same)

    def _on_current_user_refused(self, error: BaseException) -> None:
        self._permission_check.stop()
        QMessageBox.information(self, "Your account was changed", message_for(error))
        self.log_out()

    def apply_new_rights(self) -> None:
        """Reopen the window with the user's new rights (after asking about unsaved edits)."""
        if self._confirm_close():
            self.reopen_requested.emit()

    def open_change_password(self) -> ChangePasswordDialog | None:
        if self.user is None:
            return None
        dialog = ChangePasswordDialog(
            self.services.accounts, self.tasks, actor_of(self.user, self.workstation), None, self
        )
        dialog.accepted.connect(
            lambda: self.statusBar().showMessage("Your password was changed.", 8000)
        )
        dialog.open()
        return dialog

    def _confirm_close(self) -> bool:
        for tab in self.record_tabs:
            if tab.form.is_dirty:
                self.tabs.setCurrentWidget(tab)
                if not tab.form.confirm_discard():
                    return False
        return True

    def close_confirmed(self) -> None:
        """Close without asking again about unsaved edits (the user was just asked)."""
        self._close_confirmed = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._close_confirmed and not self._confirm_close():
            event.ignore()
            return
        self.save_settings()
        self.changes.detach()
        self.idle.detach()
        self._permission_check.stop()
        event.accept()
