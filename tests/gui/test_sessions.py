"""Signing in and out at the desk: first administrator, login, forced password change, the
idle lock that keeps the screen, and windows shaped by the user's role."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from hospital_desktop.core.bootstrap import open_services
from hospital_desktop.core.domain.security import Actor, Permission, Role
from hospital_desktop.gui.dialogs.sign_in import (
    ChangePasswordDialog,
    FirstAdministratorDialog,
    LoginDialog,
)
from hospital_desktop.gui.session import sign_in
from hospital_desktop.gui.tasks import TaskRunner
from tests.gui.conftest import DESK, PASSWORD, make_user, save_screenshot
from tests.integration.scheduling_fixtures import make_clinic


def runner() -> TaskRunner:
    def fail(error: BaseException) -> None:
        raise error

    return TaskRunner(fail)


def fill(dialog, **values: str) -> None:
    for name, text in values.items():
        getattr(dialog, name).setText(text)


def test_first_administrator_dialog(sqlite_url, qtbot):
    services, tasks = open_services(sqlite_url), runner()
    try:
        dialog = FirstAdministratorDialog(services.accounts, tasks, DESK, sqlite_url)
        qtbot.addWidget(dialog)
        dialog.show()
        fill(dialog, username="boss", full_name="Bea Boss", password=PASSWORD, repeat="other")
        dialog.submit()
        assert dialog.fields.error("repeat") == "The two passwords differ."
        fill(dialog, password="short", repeat="short")
        dialog.submit()
        qtbot.waitUntil(lambda: dialog.fields.error("password") != "")
        assert "8 characters" in dialog.fields.error("password")
        assert dialog.username.text() == "boss"  # what was typed stays
        fill(dialog, password=PASSWORD, repeat=PASSWORD)
        save_screenshot(dialog, "first-administrator")
        with qtbot.waitSignal(dialog.accepted):
            dialog.submit()
        assert dialog.user is not None and dialog.user.role is Role.ADMIN
        assert services.accounts.has_users()
    finally:
        tasks.shutdown()
        services.close()


def test_login_dialog_wrong_then_right_password(sqlite_url, qtbot):
    make_user(sqlite_url, Role.ADMIN, "admin")
    services, tasks = open_services(sqlite_url), runner()
    try:
        dialog = LoginDialog(services.accounts, tasks, DESK, sqlite_url, "admin")
        qtbot.addWidget(dialog)
        dialog.show()
        fill(dialog, password="not it at all")
        dialog.submit()
        qtbot.waitUntil(lambda: dialog.problem.isVisibleTo(dialog))
        assert dialog.problem.text() == "The user name or the password is wrong."
        assert dialog.password.text() == "" and dialog.username.text() == "admin"
        save_screenshot(dialog, "login-wrong-password")
        fill(dialog, password=PASSWORD)
        with qtbot.waitSignal(dialog.accepted):
            dialog.submit()
        assert dialog.user is not None and dialog.user.username == "admin"
    finally:
        tasks.shutdown()
        services.close()


def when_modal(kind: type, act: Callable[[QWidget], None]) -> None:
    """Act on the next modal dialog of ``kind`` once it is up (sign_in runs them with exec)."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind) and dialog.isVisible():
            act(dialog)
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def test_sign_in_forces_a_new_password_at_first_login(sqlite_url, qtbot):
    make_user(sqlite_url, Role.ADMIN, "admin")
    services, tasks = open_services(sqlite_url), runner()
    try:
        admin = services.accounts.login("admin", PASSWORD, DESK)
        services.accounts.register(
            Actor(admin.id, admin.username, DESK),
            "clerk",
            "Carla Clerk",
            Role.RECEPTIONIST,
            "initial-password",
        )

        def log_in(dialog) -> None:
            fill(dialog, username="clerk", password="initial-password")
            dialog.submit()
            when_modal(ChangePasswordDialog, choose)

        def choose(dialog) -> None:
            assert dialog.current is None  # just typed at the login: not asked again
            save_screenshot(dialog, "forced-password-change")
            fill(dialog, new="my own secret", repeat="my own secret")
            dialog.submit()

        when_modal(LoginDialog, log_in)
        user = sign_in(services, tasks, DESK)
        assert user is not None and user.username == "clerk" and not user.must_change_password
        assert services.accounts.login("clerk", "my own secret", DESK).username == "clerk"
    finally:
        tasks.shutdown()
        services.close()


def test_sign_in_on_an_empty_database_asks_for_the_first_administrator(sqlite_url, qtbot):
    services, tasks = open_services(sqlite_url), runner()
    try:

        def create(dialog) -> None:
            fill(dialog, username="boss", full_name="Bea Boss", password=PASSWORD, repeat=PASSWORD)
            dialog.submit()

        when_modal(FirstAdministratorDialog, create)
        user = sign_in(services, tasks, DESK)
        assert user is not None and user.role is Role.ADMIN
    finally:
        tasks.shutdown()
        services.close()


def test_idle_lock_keeps_what_was_on_screen(open_window, imported_url, qtbot):
    clerk = make_user(imported_url, Role.RECEPTIONIST, "carla")
    window = open_window(imported_url, clerk, idle_minutes=0.002)  # 120 ms
    patients = window.patients_tab
    window.tabs.setCurrentWidget(patients)
    patients.table.selectRow(0)
    qtbot.waitUntil(lambda: patients.form.record is not None)
    phone = patients.form.field_widget("phone")
    phone.clear()
    qtbot.keyClicks(phone, "020 7946 0999")
    assert patients.form.is_dirty
    qtbot.waitUntil(lambda: window.is_locked, timeout=3000)
    assert window.stack.currentWidget() is window.lock_screen
    assert not window.menuBar().isEnabled()
    save_screenshot(window, "idle-lock")

    window.lock_screen.password.setText("wrong password")
    window.lock_screen.submit()
    qtbot.waitUntil(lambda: window.lock_screen.problem.isVisibleTo(window.lock_screen))
    assert window.is_locked
    window.lock_screen.password.setText(PASSWORD)
    window.lock_screen.submit()
    qtbot.waitUntil(lambda: not window.is_locked)
    assert patients.form.is_dirty and phone.text() == "020 7946 0999"
    assert window.menuBar().isEnabled()
    window.idle.stop()


def test_a_receptionists_window_has_no_administration(open_window, imported_url, qtbot):
    clerk = make_user(imported_url, Role.RECEPTIONIST, "carla")
    window = open_window(imported_url, clerk)
    titles = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
    assert titles == ["Hospitals", "Doctors", "Patients", "Appointments", "Timetable"]
    assert window.users_tab is None and window.audit_tab is None
    menu_texts = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert "Administration" not in menu_texts
    assert window.hospitals_tab.new_button.isHidden()
    assert window.hospitals_tab.form.read_only
    assert not window.patients_tab.new_button.isHidden()
    assert not window.import_action.isVisible()  # importing is an administrator's job
    assert not window.database_action.isVisible()
    assert window.user_label.text() == "Carla (Receptionist)"
    window.tabs.setCurrentWidget(window.patients_tab)
    save_screenshot(window, "receptionist-window")


def test_an_administrators_window_has_users_and_audit(open_window, imported_url, qtbot):
    admin = make_user(imported_url, Role.ADMIN, "admin")
    window = open_window(imported_url, admin)
    titles = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
    assert titles[-2:] == ["Users", "Audit"]


def test_a_manager_sees_patients_but_does_not_edit_them(open_window, imported_url, qtbot):
    manager = make_user(imported_url, Role.MANAGER, "mona")
    window = open_window(imported_url, manager)
    assert window.patients_tab.form.read_only
    assert not window.import_action.isVisible()
    titles = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
    assert titles[-1] == "Reports" and window.reports_tab is not None
    window.tabs.setCurrentWidget(window.reports_tab)
    save_screenshot(window, "manager-window-reports")
    assert window.timetable_tab.next_available_button.isHidden()  # booking is not theirs


def test_a_doctor_starts_on_their_own_week_and_patients(open_window, sqlite_url, qtbot):
    services = open_services(sqlite_url)
    clinic = make_clinic(services)
    services.close()
    doctor = make_user(sqlite_url, Role.DOCTOR, "dr.ada", doctor_id=clinic.doctor_id)
    window = open_window(sqlite_url, doctor)
    tab = window.timetable_tab
    qtbot.waitUntil(lambda: tab.doctor is not None and tab.doctor.id == clinic.doctor_id)
    assert window.tabs.currentWidget() is tab
    assert window.patients_tab.model.query.doctor_id == clinic.doctor_id
    assert tab.entries_editor.read_only_note.isHidden()  # their own: editable
    assert tab.walk_in_button.isHidden()  # doctors do not book by default


def test_log_out_asks_about_unsaved_edits_and_names_the_user(open_window, imported_url, qtbot):
    clerk = make_user(imported_url, Role.RECEPTIONIST, "carla")
    window = open_window(imported_url, clerk)
    with qtbot.waitSignal(window.logout_requested) as signal:
        window.log_out()
    assert signal.args == ["carla"]
    with qtbot.waitSignal(window.logout_requested) as signal:
        window.log_out(keep_name=False)
    assert signal.args == [""]


def test_enter_in_a_dialog_saves_instead_of_cancelling(sqlite_url, qtbot):
    services, tasks = open_services(sqlite_url), runner()
    try:
        dialog = FirstAdministratorDialog(services.accounts, tasks, DESK, sqlite_url)
        qtbot.addWidget(dialog)
        dialog.show()
        fill(dialog, username="boss", full_name="Bea Boss", password=PASSWORD, repeat=PASSWORD)
        cancel = dialog.buttons.button(dialog.buttons.StandardButton.Cancel)
        cancel.setFocus()
        assert dialog.save_button.isDefault() and not cancel.isDefault()
        with qtbot.waitSignal(dialog.accepted):
            qtbot.keyClick(dialog.repeat, Qt.Key.Key_Return)
        assert services.accounts.has_users()
    finally:
        tasks.shutdown()
        services.close()


def test_the_window_offers_new_rights_and_hides_what_was_taken(open_window, imported_url, qtbot):
    clerk = make_user(imported_url, Role.RECEPTIONIST, "carla")
    window = open_window(imported_url, clerk)
    patients = window.patients_tab
    assert patients.model.rowCount() > 0
    admin_side = open_services(imported_url)
    try:
        boss = admin_side.accounts.login("admin", PASSWORD, DESK)
        admin_side.accounts.update_user(
            Actor(boss.id, boss.username, DESK),
            clerk.id,
            removed=frozenset({Permission.VIEW_PATIENTS}),
        )
    finally:
        admin_side.close()
    window.tabs.setCurrentWidget(patients)
    window._on_refresh()  # F5: the list is asked again, and so are the user's rights
    qtbot.waitUntil(lambda: not window.rights_changed_button.isHidden(), timeout=5000)
    qtbot.waitUntil(lambda: patients.model.rowCount() == 0, timeout=5000)
    assert "may not" in patients.count_label.text()
    with qtbot.waitSignal(window.reopen_requested):
        window.rights_changed_button.click()


def test_retyping_a_field_takes_its_message_away(sqlite_url, qtbot):
    services, tasks = open_services(sqlite_url), runner()
    try:
        dialog = FirstAdministratorDialog(services.accounts, tasks, DESK, sqlite_url)
        qtbot.addWidget(dialog)
        dialog.show()
        dialog.submit()
        assert dialog.fields.error("username") == "Enter a user name."
        qtbot.keyClicks(dialog.username, "b")
        assert dialog.fields.error("username") == ""
    finally:
        tasks.shutdown()
        services.close()
