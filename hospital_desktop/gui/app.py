"""The Qt application: builds the services and the window, and reopens on a new database."""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from hospital_desktop import APP_NAME
from hospital_desktop.config import DatabaseChoice, default_database_url, settings_path
from hospital_desktop.core.bootstrap import AppServices, open_services
from hospital_desktop.core.domain.errors import DomainError
from hospital_desktop.core.domain.values import Summary
from hospital_desktop.gui.errors import show_error
from hospital_desktop.gui.main_window import MainWindow
from hospital_desktop.gui.resources import icon_path
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
            return open_services(url)
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


def build_window(services: AppServices) -> MainWindow:
    holder: dict[str, MainWindow] = {}
    tasks = TaskRunner(lambda error: show_error(holder.get("window"), error))
    window = MainWindow(services, tasks, window_settings())
    holder["window"] = window
    return window


def offer_import_when_empty(window: MainWindow) -> None:
    def check(summary: Summary) -> None:
        empty = not (summary.hospitals or summary.doctors or summary.patients)
        declined = str(window.settings.value("welcome/declined", "false")).lower() == "true"
        if empty and not declined:
            window.offer_first_import()

    window.tasks.run(window.services.summary, check)


def run_application(choice: DatabaseChoice, next_choice: Callable[[], DatabaseChoice]) -> int:
    app = application()
    while True:
        services = open_or_ask(choice.url)
        if services is None:
            return 0  # the user chose to quit; that is not a failure
        window = build_window(services)
        restart = {"wanted": False}

        def on_restart(window: MainWindow = window, restart: dict[str, bool] = restart) -> None:
            restart["wanted"] = True
            window.close()

        window.restart_requested.connect(on_restart)
        window.show()
        QTimer.singleShot(0, lambda window=window: offer_import_when_empty(window))
        code = app.exec()
        window.tasks.shutdown()
        services.close()
        window.deleteLater()
        if not restart["wanted"]:
            return code
        choice = next_choice()
