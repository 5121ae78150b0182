"""The Users tab: administrators register accounts, set roles and per-user permissions,
deactivate accounts and reset passwords.

The list and every write go through the account service on the task runner; the service
checks the administrator's permission on every call and refuses what must not happen (one's
own role, the last administrator), so this tab only shows and asks. No password or password
hash is ever shown: the records the service returns hold none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.domain.clock import utc_now
from hospital_desktop.core.domain.errors import (
    DomainError,
    NotFoundError,
    StaleRecordError,
    ValidationError,
)
from hospital_desktop.core.domain.security import (
    ROLE_PERMISSIONS,
    Actor,
    Permission,
    Role,
    UserRecord,
)
from hospital_desktop.core.services.changes import Change, Entity
from hospital_desktop.core.services.guard import PermissionDeniedError
from hospital_desktop.gui.dialogs.user_dialogs import (
    LinkDoctorDialog,
    NewUserDialog,
    ResetPasswordDialog,
)
from hospital_desktop.gui.errors import message_for, show_error
from hospital_desktop.gui.models.record_table import Column, ColumnTableModel
from hospital_desktop.gui.tasks import TaskRunner
from hospital_desktop.gui.widgets.field_messages import ERROR_STYLE, FieldMessages
from hospital_desktop.gui.widgets.list_view import list_view

AnyIndex = QModelIndex | QPersistentModelIndex
OWN_ACCOUNT = "You cannot change your own role or permissions; ask another administrator."
OWN_PASSWORD = "Your own password is changed by you, not reset here."
NOTHING_CHOSEN = "Choose a user in the list to see their role and permissions."
GRANTED, REMOVED = "granted", "removed"


# --- how a user reads on screen ----------------------------------------------------------


def is_locked(user: UserRecord, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def user_status(user: UserRecord, now: datetime) -> str:
    """'Active', 'Inactive' or 'Locked until 14:05' (this computer's clock)."""
    if not user.active:
        return "Inactive"
    if is_locked(user, now) and user.locked_until is not None:
        return f"Locked until {user.locked_until.astimezone():%H:%M}"
    return "Active"


def status_details(user: UserRecord, now: datetime) -> str:
    """The status with why: the failed logins, the full date of a lock."""
    text = user_status(user, now)
    if is_locked(user, now) and user.locked_until is not None:
        text = f"Locked until {user.locked_until.astimezone():%Y-%m-%d %H:%M %Z}"
        if not user.active:
            text = f"Inactive; {text[0].lower()}{text[1:]}"
    if user.failed_logins:
        noun = "wrong password" if user.failed_logins == 1 else "wrong passwords"
        text += f" ({user.failed_logins} {noun} since the last login)"
    return text


def doctor_text(user: UserRecord, doctor_names: dict[int, str]) -> str:
    if user.doctor_id is None:
        return ""
    return doctor_names.get(user.doctor_id, f"Doctor #{user.doctor_id}")


def permission_state(permission: Permission, role: Role, checked: bool) -> str:
    """GRANTED or REMOVED when the checkbox differs from the role's default, else ''."""
    in_role = permission in ROLE_PERMISSIONS[role]
    if checked and not in_role:
        return GRANTED
    if not checked and in_role:
        return REMOVED
    return ""


# --- the list ------------------------------------------------------------------------------


class UserTableModel(ColumnTableModel[UserRecord]):
    """Every user (there are tens, not millions: loaded whole, in the service's order)."""

    def __init__(self, own_id: int, parent: Any = None) -> None:
        self._own_id = own_id
        self._doctor_names: dict[int, str] = {}
        columns = [
            Column("User name", self._username),
            Column("Full name", lambda user: user.full_name),
            Column("Role", lambda user: user.role.label),
            Column("Linked doctor", lambda user: doctor_text(user, self._doctor_names)),
            Column(
                "Status",
                lambda user: user_status(user, utc_now()),
                lambda user: status_details(user, utc_now()),
            ),
            Column(
                "Must change password",
                lambda user: "Yes" if user.must_change_password else "No",
                lambda user: "At the next login" if user.must_change_password else "",
            ),
        ]
        super().__init__(columns, parent)

    def set_users(self, users: list[UserRecord], doctor_names: dict[int, str]) -> None:
        self.beginResetModel()
        self._rows = list(users)
        self._doctor_names = dict(doctor_names)
        self.endResetModel()

    def row_of_user(self, user_id: int) -> int:
        return self.row_of(lambda user: user.id == user_id)

    def doctor_name(self, user: UserRecord) -> str:
        return doctor_text(user, self._doctor_names)

    def column_of(self, title: str) -> int:
        return next((i for i, c in enumerate(self._columns) if c.title == title), -1)

    def _username(self, user: UserRecord) -> str:
        return f"{user.username} (you)" if user.id == self._own_id else user.username


# --- the details of one user ----------------------------------------------------------------


@dataclass
class _Explicit:
    """The per-user differences from the role, kept across role changes in the combo."""

    granted: set[Permission] = field(default_factory=set)
    removed: set[Permission] = field(default_factory=set)


class UserDetails(QWidget):
    """Role, active flag and permissions of one user, as edited but not yet saved.

    ``edited`` after every change the user makes here. Programmatic fills do not count.
    """

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record: UserRecord | None = None
        self.own = False
        self._explicit = _Explicit()
        self._filling = False

        self.title = QLabel()
        self.title.setObjectName("formTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.own_note = QLabel(f"{OWN_ACCOUNT} {OWN_PASSWORD}")
        self.own_note.setObjectName("ownAccountNote")
        self.own_note.setWordWrap(True)
        self.own_note.setStyleSheet("font-style: italic;")
        self.own_note.setVisible(False)

        self.username = QLabel()
        self.doctor = QLabel()
        self.doctor.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.password = QLabel()
        self.password.setWordWrap(True)
        about = QFormLayout()
        about.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        about.addRow("User name:", self.username)
        about.addRow("Linked doctor:", self.doctor)
        about.addRow("Status:", self.status)
        about.addRow("Password:", self.password)

        self.role = QComboBox()
        for role in Role:
            self.role.addItem(role.label, role)
        self.role.currentIndexChanged.connect(self._on_role_changed)
        self.active = QCheckBox("Active: may log in")
        self.active.toggled.connect(self._on_active_toggled)
        self.permissions = QFrame()
        self.permissions.setObjectName("permissions")
        self.permissions.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(self.permissions)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(4)
        self.boxes: dict[Permission, QCheckBox] = {}
        rows = (len(Permission) + 1) // 2
        for number, permission in enumerate(Permission):
            box = QCheckBox(permission.label)
            box.setObjectName(f"permission-{permission.value}")
            box.toggled.connect(
                lambda checked, p=permission: self._on_permission_toggled(p, checked)
            )
            self.boxes[permission] = box
            grid.addWidget(box, number % rows, number // rows)
        settings = QFormLayout()
        settings.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        settings.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.fields = FieldMessages(settings)
        self.fields.add(
            "role",
            "Role",
            self.role,
            "Another role starts from its own permissions; the user's own differences stay.",
        )
        self.fields.add("active", "Account", self.active)
        wrapped = QFormLayout()
        wrapped.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.permission_fields = FieldMessages(wrapped)
        self.permission_fields.add(
            "permissions",
            "Permissions",
            self.permissions,
            "Ticked: what this user may do. In bold: differs from the role's defaults, "
            "granted to or removed from this user only.",
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(about)
        layout.addWidget(self.own_note)
        layout.addLayout(settings)
        layout.addLayout(wrapped)
        self.show_user(None)

    # --- filling -------------------------------------------------------------------------

    def show_user(
        self, record: UserRecord | None, doctor_name: str = "", own: bool = False
    ) -> None:
        """Show ``record`` as saved (None: nothing chosen); unsaved edits are dropped."""
        self.record, self.own = record, own
        self._explicit = _Explicit(
            set(record.granted) if record else set(), set(record.removed) if record else set()
        )
        self._filling = True
        try:
            if record is None:
                self.title.setText(NOTHING_CHOSEN)
                for label in (self.username, self.doctor, self.status, self.password):
                    label.clear()
                self.role.setCurrentIndex(self.role.findData(Role.RECEPTIONIST))
                self.active.setChecked(False)
            else:
                self.title.setText(record.full_name)
                self.username.setText(record.username)
                self.doctor.setText(doctor_name or "None")
                self.status.setText(status_details(record, utc_now()))
                self.password.setText(
                    "Must be changed at the next login"
                    if record.must_change_password
                    else "Chosen by the user"
                )
                self.role.setCurrentIndex(self.role.findData(record.role))
                self.active.setChecked(record.active)
            self._apply_permissions()
        finally:
            self._filling = False
        self.fields.clear()
        self.permission_fields.clear()
        self.own_note.setVisible(own)
        self.set_editable(True)

    def revert(self) -> None:
        if self.record is not None:
            self.show_user(self.record, self.doctor.text(), self.own)

    def set_editable(self, editable: bool) -> None:
        """Editable when a user other than oneself is shown and nothing is being saved."""
        allowed = editable and self.record is not None and not self.own
        for widget in (self.role, self.active, *self.boxes.values()):
            widget.setEnabled(allowed)

    def show_errors(self, errors: dict[str, str]) -> list[str]:
        """Messages under the role, active and permission fields; returns the others."""
        placed = {"role", "active"}
        unplaced = self.fields.show({k: v for k, v in errors.items() if k in placed})
        unplaced += self.permission_fields.show(
            {k: v for k, v in errors.items() if k not in placed}
        )
        return unplaced

    # --- what is shown ---------------------------------------------------------------------

    def chosen_role(self) -> Role:
        # Qt hands a StrEnum back as a plain str.
        return Role(self.role.currentData() or Role.RECEPTIONIST)

    def effective(self) -> frozenset[Permission]:
        return frozenset(p for p, box in self.boxes.items() if box.isChecked())

    def changes(self) -> tuple[Role, bool, frozenset[Permission], frozenset[Permission]]:
        """Role, active, granted and removed as the service takes them: only the real
        differences from the chosen role's defaults."""
        role = self.chosen_role()
        base, checked = ROLE_PERMISSIONS[role], self.effective()
        return role, self.active.isChecked(), checked - base, base - checked

    @property
    def is_dirty(self) -> bool:
        record = self.record
        if record is None or self.own:
            return False
        base = ROLE_PERMISSIONS[record.role]
        saved = (record.role, record.active, record.granted - base, record.removed & base)
        return self.changes() != saved

    def state_of(self, permission: Permission) -> str:
        """GRANTED, REMOVED or '' as shown now."""
        return permission_state(permission, self.chosen_role(), self.boxes[permission].isChecked())

    # --- internals -----------------------------------------------------------------------

    def _apply_permissions(self) -> None:
        """Tick the boxes from the role's defaults and the user's own differences."""
        base = ROLE_PERMISSIONS[self.chosen_role()] if self.record is not None else frozenset()
        shown = (base | self._explicit.granted) - self._explicit.removed
        for permission, box in self.boxes.items():
            blocked = box.blockSignals(True)
            box.setChecked(permission in shown)
            box.blockSignals(blocked)
            self._mark(permission)

    def _mark(self, permission: Permission) -> None:
        box = self.boxes[permission]
        state = self.state_of(permission) if self.record is not None else ""
        role = self.chosen_role().label
        box.setText(f"{permission.label} ({state})" if state else permission.label)
        font = box.font()
        font.setBold(bool(state))
        box.setFont(font)
        tips = {
            GRANTED: f"Not in the {role} role's defaults: granted to this user only.",
            REMOVED: f"In the {role} role's defaults, but removed from this user.",
            "": "",
        }
        box.setToolTip(tips[state])

    def _on_role_changed(self, _index: int) -> None:
        self._apply_permissions()
        self._edited()

    def _on_active_toggled(self, _checked: bool) -> None:
        self._edited()

    def _on_permission_toggled(self, permission: Permission, checked: bool) -> None:
        if not self._filling:
            base = ROLE_PERMISSIONS[self.chosen_role()]
            explicit = self._explicit
            explicit.granted.discard(permission)
            explicit.removed.discard(permission)
            if checked and permission not in base:
                explicit.granted.add(permission)
            elif not checked and permission in base:
                explicit.removed.add(permission)
        self._mark(permission)
        self._edited()

    def _edited(self) -> None:
        if not self._filling:
            self.permission_fields.clear()
            self.edited.emit()


# --- the tab -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Loaded:
    users: list[UserRecord]
    doctor_names: dict[int, str]


class UsersTab(QWidget):
    """The list of accounts on the left, the chosen one's role and permissions on the right.

    ``status_message(text)`` tells the window's status bar what was done.
    """

    status_message = Signal(str)
    loaded = Signal()  # after each list arrives (tests wait on it)

    def __init__(
        self, services: AppServices, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        if services.actor is None:
            raise ValueError("The Users tab needs services bound to a logged-in administrator.")
        self.services, self.tasks = services, tasks
        self.actor: Actor = services.actor
        self._loading = False
        self._load_again = False
        self._loads_started = 0
        self._writing = False
        self._select_after_load: int | None = None
        self._ignore_selection = False
        self.new_user_dialog: NewUserDialog | None = None
        self.reset_dialog: ResetPasswordDialog | None = None

        self.model = UserTableModel(self.actor.user_id, self)
        self.table = list_view(self.model, "usersTable")
        # Tens of rows: every column fits its content, and the full name takes what is left.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(
            self.model.column_of("Full name"), QHeaderView.ResizeMode.Stretch
        )
        header.setMinimumSectionSize(60)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.new_button = QPushButton("New user…")
        self.new_button.setToolTip("Register a new user with a role and an initial password")
        self.new_button.clicked.connect(self.open_new_user)
        self.count_label = QLabel()
        self.count_label.setObjectName("countLabel")
        bar = QHBoxLayout()
        bar.addWidget(self.new_button)
        bar.addStretch(1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(bar)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count_label)

        self.details = UserDetails()
        self.details.edited.connect(self._update_buttons)
        self.save_button = QPushButton("Save changes")
        self.save_button.setToolTip("Save the role, active flag and permissions")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Throw away the unsaved changes")
        self.revert_button.clicked.connect(self.revert)
        self.link_button = QPushButton("Linked doctor…")
        self.link_button.setToolTip("Link this account to a doctor's record, or remove the link")
        self.link_button.clicked.connect(self.open_link_doctor)
        self.reset_button = QPushButton("Reset password…")
        self.reset_button.setToolTip("Set a new password; this also unlocks the account")
        self.reset_button.clicked.connect(self.open_reset_password)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addStretch(1)
        buttons.addWidget(self.link_button)
        buttons.addWidget(self.reset_button)
        self.message = QLabel()
        self.message.setObjectName("panelMessage")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(self.details)
        body_layout.addLayout(buttons)
        body_layout.addWidget(self.message)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        scroll.setMinimumWidth(380)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        self._update_buttons()

    # --- what the window asks ------------------------------------------------------------

    def refresh(self) -> None:
        """Load the list again; a refresh asked for during a load runs once it is back."""
        if self._loading:
            self._load_again = True
            return
        self._loading = True
        self._loads_started += 1
        accounts, doctors, actor = self.services.accounts, self.services.doctors, self.actor

        def load() -> _Loaded:  # on the worker thread: service calls only
            users = accounts.users(actor)
            names: dict[int, str] = {}
            for doctor_id in sorted({u.doctor_id for u in users if u.doctor_id is not None}):
                try:
                    names[doctor_id] = doctors.get(doctor_id).name
                except NotFoundError:
                    names[doctor_id] = f"Doctor #{doctor_id} (deleted)"
                except PermissionDeniedError:
                    break  # not allowed to see doctors: their numbers are shown instead
            return _Loaded(users, names)

        self.tasks.run(load, self._on_loaded, self._on_load_failed)

    def on_change(self, change: Change) -> None:
        if change.touches(Entity.USER) or change.touches(Entity.DOCTOR):
            self.refresh()

    @property
    def is_busy(self) -> bool:
        return self._loading or self._writing

    def selected(self) -> UserRecord | None:
        return self.details.record

    def select_user(self, user_id: int) -> bool:
        """Select the user's row and show their details."""
        row = self.model.row_of_user(user_id)
        if row < 0:
            return False
        self.table.selectRow(row)
        return True

    def users(self) -> list[UserRecord]:
        return [user for row in range(self.model.rowCount()) if (user := self.model.record(row))]

    # --- actions -------------------------------------------------------------------------

    def save(self) -> None:
        record = self.details.record
        if record is None or self.details.own or self._writing:
            return
        role, active, granted, removed = self.details.changes()
        accounts, actor = self.services.accounts, self.actor
        self._write(
            lambda: accounts.update_user(
                actor,
                record.id,
                role=role,
                active=active,
                granted=granted,
                removed=removed,
                expected_version=record.version,
            ),
            self._on_saved,
            lambda error: self._on_save_failed(record, error),
        )

    def revert(self) -> None:
        self.details.revert()
        self.say("")
        self._update_buttons()

    def open_new_user(self) -> None:
        if self.new_user_dialog is not None:
            self.new_user_dialog.raise_()
            return
        dialog = NewUserDialog(self.services, self.tasks, self)
        dialog.succeeded.connect(self._on_registered)
        dialog.finished.connect(lambda _result: self._forget_new_user_dialog())
        self.new_user_dialog = dialog
        dialog.open()

    def open_reset_password(self) -> None:
        record = self.details.record
        if record is None or self.details.own or self.reset_dialog is not None:
            return
        accounts, actor = self.services.accounts, self.actor
        dialog = ResetPasswordDialog(
            self.tasks,
            record,
            lambda password: accounts.reset_password(actor, record.id, password),
            self,
        )
        dialog.succeeded.connect(self._on_password_reset)
        dialog.finished.connect(lambda _result: self._forget_reset_dialog())
        self.reset_dialog = dialog
        dialog.open()

    def open_link_doctor(self) -> LinkDoctorDialog | None:
        record = self.details.record
        if record is None or self.details.own or self.details.is_dirty:
            return None
        dialog = LinkDoctorDialog(self.services, self.tasks, record, self)
        dialog.succeeded.connect(self._on_doctor_linked)
        dialog.open()
        return dialog

    def _on_doctor_linked(self, record: UserRecord) -> None:
        self._select_after_load = record.id
        self.status_message.emit(f"The linked doctor of {record.full_name} was saved.")
        self.refresh()

    def report_error(self, error: BaseException, title: str) -> None:
        """A message box; tests replace it."""
        show_error(self, error, title)

    def confirm_discard(self, record: UserRecord) -> bool:
        """Ask before unsaved changes are thrown away; tests replace this."""
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"The changes to {record.full_name} are not saved. Throw them away?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard

    def say(self, text: str, *, error: bool = False) -> None:
        """A line under the buttons: what was done, or why it was not."""
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else "")
        self.message.setVisible(bool(text))

    # --- internals -----------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._loads_started == 0:  # the first time the tab is shown
            width = self.splitter.width()
            self.splitter.setSizes([width * 3 // 5, width - width * 3 // 5])
            self.refresh()

    def _write(
        self,
        work: Callable[[], UserRecord],
        on_done: Callable[[UserRecord], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        self._writing = True
        self._update_buttons()
        loads_before = self._loads_started

        def done(record: UserRecord) -> None:
            self._writing = False
            on_done(record)
            self._update_buttons()
            # The change announcement reloads the list when the window passes it on; a
            # load started after the write was queued sees it (one worker, first in first out).
            if self._loads_started == loads_before:
                self.refresh()

        def failed(error: BaseException) -> None:
            self._writing = False
            on_error(error)
            self._update_buttons()

        if self.tasks.run(work, done, failed) is None:
            self._writing = False
            self._update_buttons()

    def _update_buttons(self) -> None:
        record, own, idle = self.details.record, self.details.own, not self._writing
        dirty = self.details.is_dirty
        self.details.set_editable(idle)
        self.save_button.setEnabled(idle and record is not None and not own and dirty)
        self.revert_button.setEnabled(idle and dirty)
        self.reset_button.setEnabled(idle and record is not None and not own)
        self.link_button.setEnabled(idle and record is not None and not own and not dirty)
        self.new_button.setEnabled(idle)
        tip = OWN_PASSWORD if own else "Set a new password; this also unlocks the account"
        self.reset_button.setToolTip(tip)

    def _on_loaded(self, loaded: _Loaded) -> None:
        self._loading = False
        if self._load_again:  # something changed meanwhile; this list is already old
            self._load_again = False
            self.refresh()
            return
        shown = self.details.record
        wanted = self._select_after_load or (shown.id if shown is not None else None)
        self._select_after_load = None
        self._ignore_selection = True
        try:
            self.model.set_users(loaded.users, loaded.doctor_names)
            row = self.model.row_of_user(wanted) if wanted is not None else -1
            if row >= 0:
                self.table.selectRow(row)
        finally:
            self._ignore_selection = False
        fresh = self.model.record(row) if row >= 0 else None
        if fresh is None:
            if shown is not None:
                self.details.show_user(None)
        elif shown is None or fresh.id != shown.id or not self.details.is_dirty:
            self._show(fresh)
        count = self.model.rowCount()
        self.count_label.setText(f"{count} user" if count == 1 else f"{count} users")
        self._update_buttons()
        self.loaded.emit()

    def _on_load_failed(self, error: BaseException) -> None:
        self._loading = False
        self._load_again = False
        self.count_label.setText(f"Could not load the users: {message_for(error)}")
        self.status_message.emit(message_for(error))
        if not isinstance(error, DomainError):
            self.report_error(error, "The users could not be shown")
        self.loaded.emit()

    def _show(self, record: UserRecord | None) -> None:
        if record is None:
            self.details.show_user(None)
        else:
            own = record.id == self.actor.user_id
            self.details.show_user(record, self.model.doctor_name(record), own)
        self._update_buttons()

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        if self._ignore_selection:
            return
        rows = self.table.selectionModel().selectedRows()
        record = self.model.record(rows[0].row()) if rows else None
        if record is None:
            return
        shown = self.details.record
        if shown is not None and record.id == shown.id:
            return
        if shown is not None and self.details.is_dirty and not self.confirm_discard(shown):
            self._ignore_selection = True
            self.table.selectRow(self.model.row_of_user(shown.id))
            self._ignore_selection = False
            return
        self.say("")
        self._show(record)

    def _on_saved(self, record: UserRecord) -> None:
        self._select_after_load = record.id
        self._show(record)
        text = f"Saved the role and permissions of {record.full_name} ({record.username})."
        if not record.active:
            text = f"Saved; {record.full_name} ({record.username}) can no longer log in."
        self.say(text)
        self.status_message.emit(text)

    def _on_save_failed(self, record: UserRecord, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            unplaced = self.details.show_errors(error.field_errors)
            self.say("\n".join(unplaced), error=bool(unplaced))
            return
        self.say(f"Not saved: {message_for(error)}", error=True)
        if isinstance(error, StaleRecordError):
            self._select_after_load = record.id
            self.details.show_user(None)  # the reload shows what is saved now
            self.refresh()
        self.report_error(error, "The changes were not saved")

    def _on_registered(self, record: UserRecord) -> None:
        self._select_after_load = record.id
        text = (
            f"Registered {record.full_name} ({record.username}) as {record.role.label.lower()}; "
            "they must change the initial password at the first login."
        )
        self.say(text)
        self.status_message.emit(text)
        self.refresh()

    def _on_password_reset(self, record: UserRecord) -> None:
        self._select_after_load = record.id
        text = (
            f"The password of {record.full_name} ({record.username}) was reset. The account "
            "is unlocked, and they must change the password at the next login."
        )
        self.say(text)
        self.status_message.emit(text)
        self.refresh()

    def _forget_new_user_dialog(self) -> None:
        self.new_user_dialog = None

    def _forget_reset_dialog(self) -> None:
        self.reset_dialog = None
