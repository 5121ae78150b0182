"""A signed-in session at one workstation: sign-in, the idle lock and the lock screen.

The lock hides what was on screen behind a password prompt without closing anything, so
a half-typed form is still there after unlocking; only logging out closes the window.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.domain.errors import DomainError
from hospital_desktop.core.domain.security import Actor, UserRecord
from hospital_desktop.gui.dialogs.sign_in import (
    ChangePasswordDialog,
    FirstAdministratorDialog,
    LoginDialog,
    password_field,
)
from hospital_desktop.gui.errors import message_for, show_error
from hospital_desktop.gui.tasks import TaskRunner
from hospital_desktop.gui.widgets.field_messages import ERROR_STYLE

USER_INPUT = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


def actor_of(user: UserRecord, workstation: str) -> Actor:
    return Actor(user.id, user.username, workstation)


def sign_in(
    services: AppServices,
    tasks: TaskRunner,
    workstation: str,
    username: str = "",
    parent: QWidget | None = None,
) -> UserRecord | None:
    """Ask who is at the desk until somebody is signed in; None when they chose to quit.

    A database with no users asks for its first administrator instead; an account with an
    initial password must choose its own before the window opens.
    """
    while True:
        try:
            has_users = services.accounts.has_users()
        except DomainError as error:
            show_error(parent, error, "The database could not be read")
            return None
        if not has_users:
            first = FirstAdministratorDialog(
                services.accounts, tasks, workstation, services.url, parent
            )
            return first.user if first.exec() else None
        login = LoginDialog(services.accounts, tasks, workstation, services.url, username, parent)
        if not login.exec() or login.user is None:
            return None
        user = login.user
        username = user.username
        if not user.must_change_password:
            return user
        change = ChangePasswordDialog(
            services.accounts,
            tasks,
            actor_of(user, workstation),
            current_password=login.typed_password,
            parent=parent,
        )
        if change.exec() and change.user is not None:
            return change.user
        # Without a new password there is no session: back to the login.


class IdleWatcher(QObject):
    """Emits ``idle`` after ``minutes`` without a key press, click or mouse move anywhere
    in the application (0 minutes: never)."""

    idle = Signal()

    def __init__(self, minutes: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self.set_minutes(minutes)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_minutes(self, minutes: float) -> None:
        self._interval = int(minutes * 60_000)
        self.restart()

    def restart(self) -> None:
        if self._interval > 0:
            self._timer.start(self._interval)
        else:
            self._timer.stop()

    def stop(self) -> None:
        """Until ``restart``: input does not count while nothing is being watched."""
        self._timer.stop()

    def detach(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in USER_INPUT and self._timer.isActive():
            self._timer.start(self._interval)
        return False


class LockScreen(QWidget):
    """What the window shows while locked: whose session it is and a password box.

    ``unlocked`` when the password is right (a wrong one counts towards the lockout, as at
    login); ``log_out_requested`` to hand the desk to someone else.
    """

    unlocked = Signal()
    log_out_requested = Signal()

    def __init__(
        self, services: AppServices, tasks: TaskRunner, user: UserRecord, workstation: str
    ) -> None:
        super().__init__()
        self.services, self.tasks, self.user = services, tasks, user
        self.workstation = workstation
        self.title = QLabel("The session is locked")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        # Two short lines, not wrapped: a wrapped label in a centred box loses its last line.
        self.who = QLabel(
            f"{user.full_name} ({user.username}) is signed in.\n"
            "Enter the password to go on where you left off."
        )
        self.password = password_field("Password")
        self.password.returnPressed.connect(self.submit)
        self.problem = QLabel()
        self.problem.setObjectName("lockProblem")
        self.problem.setStyleSheet(ERROR_STYLE)
        self.problem.setWordWrap(True)
        self.problem.setMinimumHeight(self.problem.fontMetrics().lineSpacing() * 3)
        self.problem.setVisible(False)
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.submit)
        self.log_out_button = QPushButton("Log out…")
        self.log_out_button.setToolTip("End this session so someone else can log in")
        self.log_out_button.clicked.connect(self.log_out_requested)

        box = QWidget()
        box.setMinimumWidth(420)
        column = QVBoxLayout(box)
        column.addWidget(self.title)
        column.addWidget(self.who)
        column.addSpacing(8)
        column.addWidget(self.password)
        column.addWidget(self.problem)
        buttons = QHBoxLayout()
        buttons.addWidget(self.log_out_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        column.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

    def prepare(self) -> None:
        self.password.clear()
        self.problem.setVisible(False)
        self.unlock_button.setEnabled(True)
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        if not self.unlock_button.isEnabled():
            return
        password = self.password.text()
        if not password:
            self._say("Enter your password.")
            return
        self.unlock_button.setEnabled(False)
        username, workstation = self.user.username, self.workstation
        self.tasks.run(
            lambda: self.services.accounts.login(username, password, workstation),
            lambda _user: self._on_unlocked(),
            self._on_failed,
        )

    def _on_unlocked(self) -> None:
        self.unlock_button.setEnabled(True)
        self.password.clear()
        self.unlocked.emit()

    def _on_failed(self, error: BaseException) -> None:
        self.unlock_button.setEnabled(True)
        self.password.clear()
        self._say(message_for(error))
        self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    def _say(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(True)
