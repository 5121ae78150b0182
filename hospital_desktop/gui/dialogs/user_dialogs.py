"""The administrator's account dialogs: register a new user, and reset a user's password.

Each runs its one service call on the task runner and stays open, with what was typed, until
the service accepts it; a ValidationError puts each message under its field. The dialogs are
non-blocking (``open()``), so the window keeps repainting while a password is hashed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QLineEdit,
    QWidget,
)

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.domain.security import Role, UserRecord
from hospital_desktop.core.domain.values import DoctorRecord, ListQuery
from hospital_desktop.core.services.accounts import MIN_PASSWORD_LENGTH
from hospital_desktop.gui.dialogs.service_dialog import ServiceDialog
from hospital_desktop.gui.dialogs.sign_in import PASSWORDS_DIFFER, password_field
from hospital_desktop.gui.errors import message_for
from hospital_desktop.gui.tabs.pickers import doctor_label
from hospital_desktop.gui.tasks import TaskRunner

log = logging.getLogger(__name__)

DOCTOR_LIMIT = 2000  # more doctors than a desk scrolls through in a combo box
NO_DOCTOR = "(none)"
TOO_SHORT = f"The password needs at least {MIN_PASSWORD_LENGTH} characters."


class _WithDoctorChoice(ServiceDialog):
    """A dialog with the list of doctors an account may be linked to, loaded on open."""

    doctors_loaded = Signal()

    def add_doctor_choice(self, services: AppServices, hint: str) -> None:
        self._services = services
        self.doctor = QComboBox()
        self.doctor.addItem("Loading the doctors…", None)
        self.doctor.setEnabled(False)
        self.fields.add("doctor_id", "Linked doctor", self.doctor, hint)
        self.run(self._load_doctors_work(), self._on_doctors, self._on_doctors_failed)

    @property
    def doctors_ready(self) -> bool:
        return self.doctor.isEnabled()

    def choose_doctor(self, doctor_id: int | None) -> bool:
        """Select the doctor (None: no link); False when that doctor is not in the list."""
        index = self.doctor.findData(doctor_id)
        if index < 0:
            return False
        self.doctor.setCurrentIndex(index)
        return True

    def chosen_doctor(self) -> int | None:
        return self.doctor.currentData() if self.doctors_ready else None

    def _load_doctors_work(self) -> Callable[[], list[DoctorRecord]]:
        doctors = self._services.doctors
        return lambda: doctors.list(ListQuery(sort="name", limit=DOCTOR_LIMIT)).items

    def _on_doctors(self, doctors: list[DoctorRecord]) -> None:
        self.doctor.clear()
        self.doctor.addItem(NO_DOCTOR, None)
        for doctor in doctors:
            if doctor.active:
                self.doctor.addItem(doctor_label(doctor), doctor.id)
        self.doctor.setEnabled(True)
        self.doctors_shown()
        self.doctors_loaded.emit()

    def doctors_shown(self) -> None:
        """Once the list is there (to select the doctor already linked, for example)."""

    def _on_doctors_failed(self, error: BaseException) -> None:
        """The account can still be saved, only without a doctor's record."""
        self.doctor.clear()
        self.doctor.addItem(NO_DOCTOR, None)
        self.doctor.setEnabled(True)
        self.fields.show({"doctor_id": f"The doctors could not be listed: {message_for(error)}"})
        self.doctors_loaded.emit()


class NewUserDialog(_WithDoctorChoice):
    """Register a user: who they are, their role, an optional doctor's record to link, and
    an initial password they must change at their first login."""

    def __init__(
        self, services: AppServices, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            tasks,
            "New user",
            "Register someone who works at the desk. They log in with the initial password "
            "and must choose their own at the first login.",
            "Register",
            parent,
        )
        self.username = self.fields.add(
            "username", "User name", QLineEdit(), "Letters, digits, '.', '-' and '_'."
        )
        self.full_name = self.fields.add("full_name", "Full name", QLineEdit())
        self.role = QComboBox()
        for role in Role:
            self.role.addItem(role.label, role)
        self.role.setCurrentIndex(self.role.findData(Role.RECEPTIONIST))
        self.fields.add("role", "Role", self.role)
        self.add_doctor_choice(
            services, "For the doctor role: lets the account manage that doctor's own timetable."
        )
        self.password = self.fields.add(
            "password",
            "Initial password",
            password_field(),
            f"At least {MIN_PASSWORD_LENGTH} characters; tell it to the user in person.",
        )
        self.repeat = self.fields.add("repeat", "Password again", password_field())
        self.username.setFocus()

    def choose_role(self, role: Role) -> None:
        self.role.setCurrentIndex(self.role.findData(role))

    def check(self) -> dict[str, str]:
        if self.password.text() != self.repeat.text():
            return {"repeat": PASSWORDS_DIFFER}
        return {}

    def work(self) -> Callable[[], UserRecord]:
        accounts, actor = self._services.accounts, self._services.actor
        username, full_name = self.username.text(), self.full_name.text()
        role = Role(self.role.currentData())  # Qt hands a StrEnum back as a plain str
        password = self.password.text()
        doctor_id = self.chosen_doctor()
        return lambda: accounts.register(
            actor,  # type: ignore[arg-type]  # the tab refuses services without an actor
            username,
            full_name,
            role,
            password,
            doctor_id=doctor_id,
        )


class ResetPasswordDialog(ServiceDialog):
    """A new password for someone who forgot theirs or locked their account."""

    def __init__(
        self,
        tasks: TaskRunner,
        user: UserRecord,
        reset: Callable[[str], UserRecord],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            tasks,
            "Reset password",
            f"Set a new password for {user.full_name} ({user.username}). The account is "
            "unlocked, and they must choose their own password at the next login.",
            "Reset password",
            parent,
        )
        self.user = user
        self._reset = reset
        self.new = self.fields.add(
            "new_password",
            "New password",
            password_field(),
            f"At least {MIN_PASSWORD_LENGTH} characters; tell it to the user in person.",
        )
        self.repeat = self.fields.add("repeat", "Password again", password_field())
        self.new.setFocus()

    def check(self) -> dict[str, str]:
        problems = {}
        if len(self.new.text()) < MIN_PASSWORD_LENGTH:
            problems["new_password"] = TOO_SHORT
        if self.new.text() != self.repeat.text():
            problems["repeat"] = PASSWORDS_DIFFER
        return problems

    def work(self) -> Callable[[], UserRecord]:
        reset, password = self._reset, self.new.text()
        return lambda: reset(password)


class LinkDoctorDialog(_WithDoctorChoice):
    """Link an account to a doctor's record (or remove the link): what lets a doctor's
    account open on their own week and manage their own timetable."""

    def __init__(
        self,
        services: AppServices,
        tasks: TaskRunner,
        user: UserRecord,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            tasks,
            "Linked doctor",
            f"The doctor's record {user.full_name} ({user.username}) works as.",
            "Save",
            parent,
        )
        self.user = user
        self.add_doctor_choice(services, "Choose (none) to remove the link.")

    def doctors_shown(self) -> None:
        self.choose_doctor(self.user.doctor_id)

    def work(self) -> Callable[[], UserRecord]:
        accounts, actor = self._services.accounts, self._services.actor
        user_id, version, doctor_id = self.user.id, self.user.version, self.chosen_doctor()
        assert actor is not None
        return lambda: accounts.update_user(
            actor, user_id, doctor_id=doctor_id, expected_version=version
        )
