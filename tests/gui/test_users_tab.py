"""The Users tab: an administrator registers accounts, changes per-user permissions and
resets passwords.

A real tab on a real SQLite file, driven through its own widgets and dialogs; what it wrote
is checked in the account service.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import QModelIndex, Qt

from hospital_desktop.core.bootstrap import AppServices, open_services
from hospital_desktop.core.domain.errors import DomainError
from hospital_desktop.core.domain.security import Actor, Permission, Role, UserRecord
from hospital_desktop.core.services.accounts import AccountLockedError, AuthenticationError
from hospital_desktop.core.services.changes import Change, Entity
from hospital_desktop.gui.app import application
from hospital_desktop.gui.tabs.users import GRANTED, OWN_ACCOUNT, REMOVED, UsersTab, UserTableModel
from hospital_desktop.gui.tasks import TaskRunner
from tests.gui.conftest import save_screenshot
from tests.integration.scheduling_fixtures import make_clinic

INITIAL = "initial-password"


@dataclass
class Desk:
    services: AppServices  # bound to the administrator at the desk
    tasks: TaskRunner
    tab: UsersTab
    admin: UserRecord
    doctor_id: int
    unhandled: list[BaseException] = field(default_factory=list)
    reported: list[BaseException] = field(default_factory=list)

    @property
    def accounts(self):
        return self.services.accounts

    def user(self, username: str) -> UserRecord:
        return next(u for u in self.accounts.users(self.services.actor) if u.username == username)

    def register(self, username: str, full_name: str, role: Role, **kwargs) -> UserRecord:
        return self.accounts.register(
            self.services.actor, username, full_name, role, INITIAL, **kwargs
        )

    def cell(self, username: str, column: str) -> str:
        model = self.tab.model
        row = next(r for r in range(model.rowCount()) if model.record(r).username == username)
        return model.data(model.index(row, model.column_of(column)))


def settle(qtbot, desk: Desk) -> None:
    """Wait until every write and reload has come back and been shown."""
    qtbot.waitUntil(lambda: not desk.tasks.busy and not desk.tab.is_busy)


def open_tab(qtbot, services: AppServices, admin: UserRecord, doctor_id: int) -> Desk:
    """The tab as the window hosts it, for ``admin``; message boxes are collected instead."""
    unhandled: list[BaseException] = []
    tasks = TaskRunner(unhandled.append)
    tab = UsersTab(services, tasks)
    qtbot.addWidget(tab)
    desk = Desk(services, tasks, tab, admin, doctor_id, unhandled)
    tab.report_error = lambda error, _title: desk.reported.append(error)  # type: ignore[method-assign]
    tab.confirm_discard = lambda _record: True  # type: ignore[method-assign]
    tab.resize(1200, 700)
    tab.show()  # the first show loads the list
    settle(qtbot, desk)
    return desk


@pytest.fixture
def opened(sqlite_url: str) -> Iterator[tuple[AppServices, UserRecord, int]]:
    """Services bound to the first administrator, and a doctor to link accounts to."""
    application()
    base = open_services(sqlite_url)
    admin = base.accounts.create_first_admin("admin", "Ada Admin", "admin-password", "desk")
    services = base.for_actor(Actor(admin.id, admin.username, "desk"))
    clinic = make_clinic(services, patients=0)
    yield services, admin, clinic.doctor_id
    base.close()


@pytest.fixture
def desk(qtbot, opened) -> Iterator[Desk]:
    services, admin, doctor_id = opened
    desk = open_tab(qtbot, services, admin, doctor_id)
    yield desk
    settle(qtbot, desk)
    desk.tasks.shutdown()
    assert desk.unhandled == []


def test_the_list_shows_every_user_and_no_password(desk, qtbot):
    assert [u.username for u in desk.tab.users()] == ["admin"]
    assert desk.cell("admin", "User name") == "admin (you)"
    assert desk.cell("admin", "Role") == "Admin"
    assert desk.cell("admin", "Status") == "Active"
    assert desk.cell("admin", "Must change password") == "No"
    assert desk.tab.count_label.text() == "1 user"
    model = desk.tab.model
    everything = [
        str(model.data(model.index(r, c), role))
        for r in range(model.rowCount())
        for c in range(model.columnCount())
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
    ]
    assert not any("argon2" in text or "admin-password" in text for text in everything)


def test_registering_a_receptionist_through_the_dialog_lists_them(desk, qtbot):
    desk.tab.new_button.click()
    dialog = desk.tab.new_user_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.doctors_ready)
    dialog.username.setText("Rita.Reyes")
    dialog.full_name.setText("Rita Reyes")
    dialog.choose_role(Role.RECEPTIONIST)
    dialog.password.setText(INITIAL)
    dialog.repeat.setText(INITIAL)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: desk.tab.new_user_dialog is None)
    settle(qtbot, desk)

    rita = desk.user("rita.reyes")
    assert rita.role is Role.RECEPTIONIST and rita.must_change_password
    assert [u.username for u in desk.tab.users()] == ["admin", "rita.reyes"]
    assert desk.cell("rita.reyes", "Full name") == "Rita Reyes"
    assert desk.cell("rita.reyes", "Role") == "Receptionist"
    assert desk.cell("rita.reyes", "Linked doctor") == ""
    assert desk.cell("rita.reyes", "Must change password") == "Yes"
    assert desk.tab.selected().id == rita.id  # the new user is shown, ready to adjust
    assert "must change the initial password" in desk.tab.message.text()


def test_a_doctor_account_is_linked_to_the_doctors_record(desk, qtbot):
    desk.tab.new_button.click()
    dialog = desk.tab.new_user_dialog
    qtbot.waitUntil(lambda: dialog.doctors_ready)
    assert dialog.doctor.itemText(0) == "(none)"
    assert dialog.choose_doctor(desk.doctor_id)
    dialog.username.setText("nunez")
    dialog.full_name.setText("Ada Núñez")
    dialog.choose_role(Role.DOCTOR)
    dialog.password.setText(INITIAL)
    dialog.repeat.setText(INITIAL)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: desk.tab.new_user_dialog is None)
    settle(qtbot, desk)

    assert desk.user("nunez").doctor_id == desk.doctor_id
    assert desk.cell("nunez", "Linked doctor") == "Dr Ada Núñez"
    assert desk.tab.details.doctor.text() == "Dr Ada Núñez"


def test_a_too_short_password_keeps_the_new_user_dialog_open_with_what_was_typed(desk, qtbot):
    desk.tab.new_button.click()
    dialog = desk.tab.new_user_dialog
    qtbot.waitUntil(lambda: dialog.doctors_ready)
    dialog.username.setText("sam")
    dialog.full_name.setText("Sam Short")
    dialog.password.setText("short")
    dialog.repeat.setText("short")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: bool(dialog.field_error("password")))

    assert "at least 8 characters" in dialog.field_error("password")
    assert dialog.isVisible() and desk.tab.new_user_dialog is dialog
    assert (dialog.username.text(), dialog.full_name.text()) == ("sam", "Sam Short")
    assert dialog.field_error("username") == ""
    assert [u.username for u in desk.accounts.users(desk.services.actor)] == ["admin"]

    dialog.repeat.setText("something-else")  # passwords that differ: caught before asking
    dialog.save_button.click()
    assert dialog.field_error("repeat") == "The two passwords differ."
    dialog.reject()
    qtbot.waitUntil(lambda: desk.tab.new_user_dialog is None)


def test_a_taken_user_name_is_shown_by_its_field(desk, qtbot):
    desk.register("rita", "Rita Reyes", Role.RECEPTIONIST)
    desk.tab.new_button.click()
    dialog = desk.tab.new_user_dialog
    qtbot.waitUntil(lambda: dialog.doctors_ready)
    dialog.username.setText("Rita")
    dialog.full_name.setText("Another Rita")
    dialog.password.setText(INITIAL)
    dialog.repeat.setText(INITIAL)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: bool(dialog.field_error("username")))
    assert "taken" in dialog.field_error("username") and dialog.isVisible()
    dialog.reject()
    qtbot.waitUntil(lambda: desk.tab.new_user_dialog is None)


def test_removing_book_from_a_receptionist_takes_effect(desk, qtbot):
    rita = desk.register("rita", "Rita Reyes", Role.RECEPTIONIST)
    desk.tab.on_change(Change.of(Entity.USER, rita.id))  # as the window passes it on
    settle(qtbot, desk)
    assert desk.tab.select_user(rita.id)
    details = desk.tab.details
    book = details.boxes[Permission.BOOK]
    assert book.isChecked() and book.isEnabled() and book.text() == "Book"
    assert not desk.tab.save_button.isEnabled()  # nothing changed yet

    book.click()
    assert not book.isChecked() and book.text() == "Book (removed)" and book.font().bold()
    assert details.state_of(Permission.BOOK) == REMOVED
    assert desk.tab.save_button.isEnabled()
    desk.tab.save_button.click()
    settle(qtbot, desk)

    saved = desk.user("rita")
    assert saved.removed == frozenset({Permission.BOOK}) and saved.granted == frozenset()
    assert Permission.BOOK not in saved.permissions
    assert desk.tab.selected().version == saved.version
    assert details.boxes[Permission.BOOK].text() == "Book (removed)"
    assert not details.boxes[Permission.BOOK].isChecked()
    assert not desk.tab.save_button.isEnabled()
    assert "Saved" in desk.tab.message.text()


def test_a_new_role_keeps_the_users_own_grants_and_removals(desk, qtbot):
    rita = desk.register("rita", "Rita Reyes", Role.RECEPTIONIST)
    desk.tab.refresh()
    settle(qtbot, desk)
    desk.tab.select_user(rita.id)
    details = desk.tab.details
    details.boxes[Permission.BOOK].click()  # removed from the receptionist's defaults
    details.boxes[Permission.VIEW_REPORTS].click()  # granted beyond them
    assert details.state_of(Permission.VIEW_REPORTS) == GRANTED
    assert details.boxes[Permission.VIEW_REPORTS].text() == "View reports (granted)"

    details.role.setCurrentIndex(details.role.findData(Role.MANAGER))
    # A manager may view reports anyway and may not book anyway: nothing differs now.
    assert details.boxes[Permission.VIEW_REPORTS].isChecked()
    assert details.state_of(Permission.VIEW_REPORTS) == ""
    assert not details.boxes[Permission.BOOK].isChecked()
    assert details.state_of(Permission.BOOK) == ""
    # The manager's own defaults come in; the receptionist's go.
    assert details.boxes[Permission.MANAGE_TIMETABLES].isChecked()
    assert not details.boxes[Permission.EDIT_PATIENTS].isChecked()

    details.role.setCurrentIndex(details.role.findData(Role.RECEPTIONIST))
    assert details.state_of(Permission.BOOK) == REMOVED
    assert details.state_of(Permission.VIEW_REPORTS) == GRANTED

    details.role.setCurrentIndex(details.role.findData(Role.MANAGER))
    desk.tab.save_button.click()
    settle(qtbot, desk)
    saved = desk.user("rita")
    assert saved.role is Role.MANAGER
    assert saved.granted == frozenset() and saved.removed == frozenset()  # no empty rules kept


def test_deactivating_a_user_shows_them_inactive(desk, qtbot):
    rita = desk.register("rita", "Rita Reyes", Role.RECEPTIONIST)
    desk.tab.refresh()
    settle(qtbot, desk)
    desk.tab.select_user(rita.id)
    desk.tab.details.active.click()
    desk.tab.save_button.click()
    settle(qtbot, desk)
    assert not desk.user("rita").active
    assert desk.cell("rita", "Status") == "Inactive"
    assert "can no longer log in" in desk.tab.message.text()


def test_reset_password_unlocks_a_locked_account(desk, qtbot):
    lena = desk.register("lena", "Lena Locked", Role.RECEPTIONIST)
    for _attempt in range(5):
        with pytest.raises((AuthenticationError, AccountLockedError)):
            desk.accounts.login("lena", "wrong-password", "desk")
    locked = desk.user("lena")
    assert locked.failed_logins == 5 and locked.locked_until is not None
    desk.tab.refresh()
    settle(qtbot, desk)
    assert desk.cell("lena", "Status").startswith("Locked until ")
    expected = f"{locked.locked_until.astimezone():%H:%M}"
    assert desk.cell("lena", "Status") == f"Locked until {expected}"

    desk.tab.select_user(lena.id)
    desk.tab.reset_button.click()
    dialog = desk.tab.reset_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.new.setText("short")
    dialog.repeat.setText("short")
    dialog.save_button.click()  # checked before asking the service
    assert "at least 8 characters" in dialog.field_error("new_password")
    dialog.new.setText("a-new-password")
    dialog.repeat.setText("a-new-password!")
    dialog.save_button.click()
    assert dialog.field_error("repeat") == "The two passwords differ."
    dialog.repeat.setText("a-new-password")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: desk.tab.reset_dialog is None)
    settle(qtbot, desk)

    reset = desk.user("lena")
    assert reset.failed_logins == 0 and reset.locked_until is None
    assert reset.must_change_password
    assert desk.cell("lena", "Status") == "Active"
    assert desk.cell("lena", "Must change password") == "Yes"
    message = desk.tab.message.text()
    assert "unlocked" in message and "must change the password at the next login" in message
    assert desk.accounts.login("lena", "a-new-password", "desk").id == lena.id


def test_the_administrators_own_row_cannot_be_changed(desk, qtbot):
    desk.register("rita", "Rita Reyes", Role.RECEPTIONIST)
    desk.tab.refresh()
    settle(qtbot, desk)
    assert desk.tab.select_user(desk.admin.id)
    details = desk.tab.details
    assert details.own_note.isVisible() and OWN_ACCOUNT in details.own_note.text()
    assert not details.role.isEnabled() and not details.active.isEnabled()
    assert not any(box.isEnabled() for box in details.boxes.values())
    assert all(box.isChecked() for box in details.boxes.values())  # an admin has them all
    assert not desk.tab.save_button.isEnabled() and not desk.tab.reset_button.isEnabled()

    desk.tab.select_user(desk.user("rita").id)  # another user's row is editable again
    assert not details.own_note.isVisible() and details.role.isEnabled()
    assert desk.tab.reset_button.isEnabled()


def test_a_manager_with_user_administration_cannot_demote_the_administrator(opened, qtbot):
    """A manager trusted with user administration may not change an account with more
    rights than her own (here the only administrator); the refused edit stays to undo."""
    services, admin, doctor_id = opened
    mia = services.accounts.register(services.actor, "mia", "Mia Manager", Role.MANAGER, INITIAL)
    services.accounts.update_user(
        services.actor,
        mia.id,
        granted=frozenset({Permission.MANAGE_USERS}),
        expected_version=mia.version,
    )
    as_mia = services.for_actor(Actor(mia.id, "mia", "desk"))
    desk = open_tab(qtbot, as_mia, services.accounts.current(services.actor), doctor_id)
    try:
        desk.tab.select_user(admin.id)
        details = desk.tab.details
        assert details.role.isEnabled()  # not her own row: the service decides
        details.role.setCurrentIndex(details.role.findData(Role.MANAGER))
        desk.tab.save_button.click()
        settle(qtbot, desk)

        assert len(desk.reported) == 1 and isinstance(desk.reported[0], DomainError)
        assert "do not have yourself" in desk.tab.message.text()
        assert services.accounts.current(services.actor).role is Role.ADMIN
        assert details.chosen_role() is Role.MANAGER  # the refused edit is still there to undo
        desk.tab.revert_button.click()
        assert details.chosen_role() is Role.ADMIN and not desk.tab.save_button.isEnabled()
    finally:
        settle(qtbot, desk)
        desk.tasks.shutdown()
    assert desk.unhandled == []


def test_the_model_passes_the_model_tester(desk, qtbot, qtmodeltester):
    desk.register("rita", "Rita Reyes", Role.RECEPTIONIST)
    desk.register("nunez", "Ada Núñez", Role.DOCTOR, doctor_id=desk.doctor_id)
    desk.tab.refresh()
    settle(qtbot, desk)
    assert desk.tab.model.rowCount() == 3
    qtmodeltester.check(desk.tab.model)
    empty = UserTableModel(own_id=desk.admin.id)
    qtmodeltester.check(empty)
    assert empty.rowCount() == 0 and empty.rowCount(empty.index(0, 0)) == 0
    assert empty.data(QModelIndex()) is None


def test_screenshot(desk, qtbot):
    desk.register("nunez", "Ada Núñez", Role.DOCTOR, doctor_id=desk.doctor_id)
    rita = desk.register("rita", "Rita Reyes", Role.RECEPTIONIST)
    desk.accounts.update_user(
        desk.services.actor,
        rita.id,
        removed=frozenset({Permission.BOOK}),
        granted=frozenset({Permission.VIEW_REPORTS}),
        expected_version=rita.version,
    )
    tom = desk.register("tom", "Tom Temporary", Role.RECEPTIONIST)
    desk.accounts.update_user(
        desk.services.actor, tom.id, active=False, expected_version=tom.version
    )
    desk.register("lena", "Lena Locked", Role.MANAGER)
    for _attempt in range(5):
        with pytest.raises((AuthenticationError, AccountLockedError)):
            desk.accounts.login("lena", "wrong-password", "desk")
    desk.tab.refresh()
    settle(qtbot, desk)
    desk.tab.select_user(rita.id)
    desk.tab.details.boxes[Permission.CANCEL].click()  # an unsaved edit: Save is enabled
    path = save_screenshot(desk.tab, "users-tab")
    assert path.exists()


def test_linking_an_account_to_a_doctor_and_back(desk, qtbot):
    nora = desk.register("nora", "Nora Núñez", Role.DOCTOR)
    desk.tab.refresh()
    settle(qtbot, desk)
    desk.tab.select_user(nora.id)
    dialog = desk.tab.open_link_doctor()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.doctors_ready)
    assert dialog.chosen_doctor() is None
    assert dialog.choose_doctor(desk.doctor_id)
    with qtbot.waitSignal(dialog.succeeded, timeout=10000):
        dialog.submit()
    settle(qtbot, desk)
    assert desk.user("nora").doctor_id == desk.doctor_id
    assert desk.cell("nora", "Linked doctor") == "Dr Ada Núñez"
    again = desk.tab.open_link_doctor()
    qtbot.waitUntil(lambda: again.doctors_ready)
    assert again.chosen_doctor() == desk.doctor_id  # the link it has is chosen
    again.choose_doctor(None)
    with qtbot.waitSignal(again.succeeded, timeout=10000):
        again.submit()
    settle(qtbot, desk)
    assert desk.user("nora").doctor_id is None
