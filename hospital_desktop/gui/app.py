"""The Qt application: builds the services and the window, and reopens on a new database."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from hospital_desktop import APP_NAME
from hospital_desktop.config import (
    DatabaseChoice,
    default_database_url,
    idle_lock_minutes,
    security_from_settings,
    settings_path,
    workstation_name,
)
from hospital_desktop.core.bootstrap import AppServices, open_services
from hospital_desktop.core.domain.errors import DomainError
from hospital_desktop.core.domain.security import Permission, UserRecord
from hospital_desktop.core.domain.values import Summary
from hospital_desktop.gui.errors import show_error
from hospital_desktop.gui.main_window import MainWindow
from hospital_desktop.gui.resources import icon_path
from hospital_desktop.gui.session import actor_of, sign_in
from hospital_desktop.gui.tasks import TaskRunner


def window_settings() -> QSettings:
    """Window size, tab and column layout, kept beside the other settings."""
    path = settings_path().with_name("window.ini")
    path.parent.mkdir(parents=True, exist_ok=True)
    return QSettings(str(path), QSettings.Format.IniFormat)


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("Hospital Desktop")
    app.setWindowIcon(QIcon(str(icon_path())))
    return app


def open_or_ask(url: str) -> AppServices | None:
    """Open ``url``; on failure let the user retry, fall back to the local file, or quit."""
    while True:
        try:
            return open_services(url, security=security_from_settings())
        except DomainError as error:
            box = QMessageBox(
                QMessageBox.Icon.Critical, APP_NAME, "The database could not be opened."
            )
            box.setInformativeText(error.message)
            retry = box.addButton("Try again", QMessageBox.ButtonRole.AcceptRole)
            local = None
            if url != default_database_url():
                local = box.addButton("Use the local database", QMessageBox.ButtonRole.ActionRole)
            box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
            box.exec()
            if box.clickedButton() is retry:
                continue
            if local is not None and box.clickedButton() is local:
                url = default_database_url()
                continue
            return None


def build_window(
    services: AppServices,
    user: UserRecord | None = None,
    workstation: str = "",
    idle_minutes: float = 0,
) -> MainWindow:
    """The window for ``user`` (None: set-up mode), its services acting as that user."""
    holder: dict[str, MainWindow] = {}
    tasks = TaskRunner(lambda error: show_error(holder.get("window"), error))
    if user is not None:
        services = services.for_actor(actor_of(user, workstation))
    window = MainWindow(services, tasks, window_settings(), user, workstation, idle_minutes)
    holder["window"] = window
    return window


def offer_import_when_empty(window: MainWindow) -> None:
    if not window.may(Permission.IMPORT):
        return

    def check(summary: Summary) -> None:
        empty = not (summary.hospitals or summary.doctors or summary.patients)
        declined = str(window.settings.value("welcome/declined", "false")).lower() == "true"
        if empty and not declined:
            window.offer_first_import()

    window.tasks.run(window.services.summary, check)


def run_application(choice: DatabaseChoice, next_choice: Callable[[], DatabaseChoice]) -> int:
    app = application()
    _close_on_interrupt(app)
    while True:
        services = open_or_ask(choice.url)
        if services is None:
            return 0  # the user chose to quit; that is not a failure
        try:
            restart, code = run_sessions(app, services)
        finally:
            services.close()
        if not restart:
            return code
        choice = next_choice()


def run_sessions(app: QApplication, services: AppServices) -> tuple[bool, int]:
    """Sign in, work, log out, sign in again... on one database.

    Returns (reopen on another database?, exit code).
    """
    workstation = workstation_name()
    username = ""
    user: UserRecord | None = None
    while True:
        if user is None:
            sign_in_tasks = TaskRunner(lambda error: show_error(None, error))
            try:
                user = sign_in(services, sign_in_tasks, workstation, username)
            finally:
                sign_in_tasks.shutdown()
            if user is None:
                return False, 0
        window = build_window(services, user, workstation, idle_lock_minutes())
        after: dict[str, Any] = {"next": "quit", "username": ""}

        def on_restart(window: MainWindow = window, after: dict[str, Any] = after) -> None:
            after["next"] = "restart"
            window.close_confirmed()

        def on_logout(
            name: str, window: MainWindow = window, after: dict[str, Any] = after
        ) -> None:
            after.update(next="logout", username=name)
            window.close_confirmed()

        def on_reopen(window: MainWindow = window, after: dict[str, Any] = after) -> None:
            after["next"] = "reopen"
            window.close_confirmed()

        window.restart_requested.connect(on_restart)
        window.logout_requested.connect(on_logout)
        window.reopen_requested.connect(on_reopen)
        window.show()
        QTimer.singleShot(0, lambda window=window: offer_import_when_empty(window))
        code = app.exec()
        window.tasks.shutdown()
        window.deleteLater()
        if after["next"] == "quit":
            return False, code
        if after["next"] == "restart":
            return True, code
        if after["next"] == "reopen":  # the same user, their rights read again
            username, user = user.username, _still_signed_in(services, user, workstation)
        else:
            username, user = after["username"], None


def _still_signed_in(
    services: AppServices, user: UserRecord, workstation: str
) -> UserRecord | None:
    """The user as the database has them now; None (log in again) if that fails."""
    try:
        return services.accounts.current(actor_of(user, workstation))
    except DomainError as error:
        show_error(None, error, "Please log in again")
        return None


def _close_on_interrupt(app: QApplication) -> None:
    """Ctrl+C in the terminal that started the window closes it as File > Quit does (unsaved
    edits are asked about), instead of a traceback from inside Qt's event loop."""
    signal.signal(signal.SIGINT, lambda _number, _frame: app.closeAllWindows())
    # Python sees a signal only when it runs: a timer wakes it a few times a second.
    ticker = QTimer(app)
    ticker.timeout.connect(lambda: None)
    ticker.start(250)
