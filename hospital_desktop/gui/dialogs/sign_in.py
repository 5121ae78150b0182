"""Who is at the desk: the first administrator, the login, and a new password.

Each dialog checks its answer with the account service on the task runner (hashing a
password takes a noticeable moment) and stays open, with what was typed, until the answer
is right; the password fields are the only thing cleared after a wrong try.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget

from hospital_desktop import APP_NAME
from hospital_desktop.core.db.engine import describe
from hospital_desktop.core.domain.security import Actor, UserRecord
from hospital_desktop.core.services.accounts import MIN_PASSWORD_LENGTH, AccountService
from hospital_desktop.gui.dialogs.service_dialog import ServiceDialog
from hospital_desktop.gui.tasks import TaskRunner
from hospital_desktop.gui.widgets.field_messages import hint_label

PASSWORDS_DIFFER = "The two passwords differ."


def password_field(placeholder: str = "") -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    return field


class _AccountDialog(ServiceDialog):
    """An account form: the service's answer is the signed-in user; a wrong try clears
    the password fields and puts the cursor back in the first of them."""

    def __init__(
        self,
        accounts: AccountService,
        tasks: TaskRunner,
        title: str,
        intro: str,
        ok_text: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(tasks, title, intro, ok_text, parent, heading=True)
        self.accounts = accounts
        self.setMinimumWidth(440)

    @property
    def user(self) -> UserRecord | None:
        return self.record  # type: ignore[no-any-return]

    def passwords_to_clear(self) -> list[QLineEdit]:
        return []

    def after_failure(self) -> None:
        fields = self.passwords_to_clear()
        for field in fields:
            field.clear()
        if fields:
            fields[0].setFocus(Qt.FocusReason.OtherFocusReason)


class FirstAdministratorDialog(_AccountDialog):
    """On a database with no users: the person setting it up becomes its administrator."""

    def __init__(
        self,
        accounts: AccountService,
        tasks: TaskRunner,
        workstation: str,
        database_url: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            accounts,
            tasks,
            f"Set up {APP_NAME}",
            "This database has no users yet. Create the first administrator: the account "
            "that registers everyone else and gives them their roles.\n\n"
            f"Database: {describe(database_url)}",
            "Create administrator",
            parent,
        )
        self.workstation = workstation
        self.username = self.fields.add("username", "User name", QLineEdit())
        self.full_name = self.fields.add("full_name", "Full name", QLineEdit())
        self.password = self.fields.add(
            "password",
            "Password",
            password_field(),
            f"At least {MIN_PASSWORD_LENGTH} characters. Keep it somewhere safe.",
        )
        self.repeat = self.fields.add("repeat", "Password again", password_field())
        self.username.setFocus()

    def check(self) -> dict[str, str]:
        problems = {}
        if not self.username.text().strip():
            problems["username"] = "Enter a user name."
        if not self.full_name.text().strip():
            problems["full_name"] = "Enter the administrator's full name."
        if self.password.text() != self.repeat.text():
            problems["repeat"] = PASSWORDS_DIFFER
        return problems

    def work(self) -> Callable[[], UserRecord]:
        username, full_name = self.username.text(), self.full_name.text()
        password, workstation = self.password.text(), self.workstation
        return lambda: self.accounts.create_first_admin(username, full_name, password, workstation)

    def passwords_to_clear(self) -> list[QLineEdit]:
        return [self.password, self.repeat]


class LoginDialog(_AccountDialog):
    """Before the main window, and to switch to another user."""

    def __init__(
        self,
        accounts: AccountService,
        tasks: TaskRunner,
        workstation: str,
        database_url: str,
        username: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            accounts,
            tasks,
            f"Log in to {APP_NAME}",
            f"Database: {describe(database_url)}",
            "Log in",
            parent,
        )
        self.workstation = workstation
        self.typed_password = ""
        self.username = self.fields.add("username", "User name", QLineEdit(username))
        self.password = self.fields.add("password", "Password", password_field())
        (self.password if username else self.username).setFocus()

    def check(self) -> dict[str, str]:
        problems = {}
        if not self.username.text().strip():
            problems["username"] = "Enter your user name."
        if not self.password.text():
            problems["password"] = "Enter your password."
        return problems

    def work(self) -> Callable[[], UserRecord]:
        username, password, workstation = (
            self.username.text(),
            self.password.text(),
            self.workstation,
        )
        self.typed_password = password  # for a forced change, so it is not asked twice
        return lambda: self.accounts.login(username, password, workstation)

    def passwords_to_clear(self) -> list[QLineEdit]:
        return [self.password]


class ChangePasswordDialog(_AccountDialog):
    """A new password: forced at first login (the current one is already known then)."""

    def __init__(
        self,
        accounts: AccountService,
        tasks: TaskRunner,
        actor: Actor,
        current_password: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        forced = current_password is not None
        super().__init__(
            accounts,
            tasks,
            "Choose a new password",
            (
                "This is your first login with the password an administrator gave you. "
                "Choose your own password to continue."
            )
            if forced
            else f"Change the password of {actor.username}.",
            "Change password",
            parent,
        )
        self.actor = actor
        self._known_current = current_password
        self.current: QLineEdit | None = None
        if not forced:
            self.current = self.fields.add("old_password", "Current password", password_field())
        self.new = self.fields.add(
            "new_password",
            "New password",
            password_field(),
            f"At least {MIN_PASSWORD_LENGTH} characters, different from the old one.",
        )
        self.repeat = self.fields.add("repeat", "New password again", password_field())
        (self.current or self.new).setFocus()
        self.layout().insertWidget(3, hint_label("Nobody else, administrators included, sees it."))

    def check(self) -> dict[str, str]:
        problems = {}
        if self.current is not None and not self.current.text():
            problems["old_password"] = "Enter your current password."
        if self.new.text() != self.repeat.text():
            problems["repeat"] = PASSWORDS_DIFFER
        return problems

    def work(self) -> Callable[[], UserRecord]:
        old = self._known_current if self.current is None else self.current.text()
        new, actor = self.new.text(), self.actor
        return lambda: self.accounts.change_password(actor, old or "", new)

    def passwords_to_clear(self) -> list[QLineEdit]:
        return [field for field in (self.current, self.new, self.repeat) if field is not None]
