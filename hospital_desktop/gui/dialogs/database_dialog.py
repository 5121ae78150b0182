"""File > Database: which database this workstation uses, and switching to another one."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.engine import make_url

from hospital_desktop.config import (
    DATABASE_ENV,
    choose_database,
    default_database_url,
    save_database_url,
)
from hospital_desktop.core.bootstrap import open_services
from hospital_desktop.core.db.engine import describe
from hospital_desktop.gui.errors import message_for
from hospital_desktop.gui.tasks import TaskRunner


def _has_password(url: str) -> bool:
    try:
        return bool(make_url(url).password)
    except Exception:  # not a URL at all: the connection check will say so
        return False


def _check_connection(url: str) -> None:
    """Open (and upgrade) the database once, so a switch never lands on a broken one."""
    open_services(url).close()


class DatabaseDialog(QDialog):
    """``switch_requested`` after a new database was checked and saved."""

    switch_requested = Signal()

    def __init__(self, current_url: str, tasks: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Database")
        self.setMinimumWidth(560)
        self._tasks = tasks
        choice = choose_database()
        current = QLabel(f"This workstation uses <b>{describe(current_url)}</b>.")
        current.setWordWrap(True)
        explain = QLabel(
            "To share records between several workstations, point each of them at the same "
            "PostgreSQL database, for example <tt>postgresql+psycopg://user@server/hospital"
            "</tt>. Leave the field empty to use the local file on this computer."
        )
        explain.setWordWrap(True)
        self.url = QLineEdit(choice.url if choice.source == "settings" else "")
        self.url.setPlaceholderText(describe(default_database_url()))
        self.status = QLabel()
        self.status.setWordWrap(True)
        if choice.source in ("command line", "environment"):
            where = "--database" if choice.source == "command line" else DATABASE_ENV
            self.status.setText(
                f"Note: {where} is set and wins over the saved choice until it is removed."
            )
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.switch_button = self.buttons.addButton(
            "Check and switch", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.switch_button.clicked.connect(self.check_and_switch)
        self.buttons.rejected.connect(self.reject)
        self._password_warned = False
        layout = QVBoxLayout(self)
        for widget in (current, explain, self.url, self.status, self.buttons):
            layout.addWidget(widget)

    def check_and_switch(self) -> None:
        url = self.url.text().strip() or default_database_url()
        if _has_password(url) and not self._password_warned:
            self._password_warned = True
            self.status.setText(
                "This address holds a password, and it would be saved in plain text in the "
                "settings file. Prefer a password file (~/.pgpass) and an address without it; "
                "press 'Check and switch' again to save it anyway."
            )
            return
        self.switch_button.setEnabled(False)
        self.status.setText("Connecting…")
        self._tasks.run(
            lambda: _check_connection(url), lambda _: self._on_checked(url), self._on_failed
        )

    def _on_checked(self, url: str) -> None:
        save_database_url(None if url == default_database_url() else url)
        self.accept()
        self.switch_requested.emit()

    def _on_failed(self, error: BaseException) -> None:
        self.switch_button.setEnabled(True)
        self.status.setText(message_for(error))
