"""GUI fixtures: a real main window on a real SQLite file, offscreen."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from hospital_desktop.core.bootstrap import AppServices, open_services
from hospital_desktop.core.domain.security import Actor, Role, UserRecord
from hospital_desktop.core.importers.synthea import SyntheaImporter
from hospital_desktop.gui.app import application, build_window
from hospital_desktop.gui.main_window import MainWindow
from tests.conftest import SYNTHEA_TRIMMED

DESK = "desk-test"
PASSWORD = "correct horse battery"

SCREENSHOTS = Path(os.environ.get("HOSPITAL_DESKTOP_SCREENSHOTS", "screenshots"))


@pytest.fixture
def imported_url(sqlite_url: str) -> str:
    """A SQLite file holding the trimmed Synthea export."""
    services = open_services(sqlite_url)
    SyntheaImporter(services.unit_of_work, services.changes).run(SYNTHEA_TRIMMED)
    services.close()
    return sqlite_url


@pytest.fixture
def open_window(qtbot) -> Iterator[Callable[[str], MainWindow]]:
    """Opens main windows on a database URL; closes them and their services afterwards."""
    application()
    opened: list[tuple[MainWindow, AppServices]] = []

    def open_on(url: str, user: UserRecord | None = None, idle_minutes: float = 0) -> MainWindow:
        """``user`` None: set-up mode (no accounts), where every tab and action is open."""
        services = open_services(url)
        window = build_window(services, user, DESK, idle_minutes)
        window.show()
        for tab in window.record_tabs:
            qtbot.waitUntil(lambda tab=tab: not tab.model.is_loading)
        opened.append((window, services))
        return window

    yield open_on
    for window, services in opened:
        for tab in window.record_tabs:
            tab.form.revert()  # so closing does not stop to ask about unsaved edits
        window.close()
        window.tasks.shutdown()
        services.close()


def make_user(url: str, role: Role, username: str, doctor_id: int | None = None) -> UserRecord:
    """An account on the database at ``url`` (the administrator "admin" is made first), with
    the password ``PASSWORD`` already its own."""
    services = open_services(url)
    try:
        if not services.accounts.has_users():
            services.accounts.create_first_admin("admin", "Ada Admin", PASSWORD, DESK)
        if role is Role.ADMIN and username == "admin":
            return services.accounts.login("admin", PASSWORD, DESK)
        admin = services.accounts.login("admin", PASSWORD, DESK)
        services.accounts.register(
            Actor(admin.id, admin.username, DESK),
            username,
            username.replace(".", " ").title(),
            role,
            "initial-password",
            doctor_id=doctor_id,
        )
        user = services.accounts.login(username, "initial-password", DESK)
        return services.accounts.change_password(
            Actor(user.id, user.username, DESK), "initial-password", PASSWORD
        )
    finally:
        services.close()


def save_screenshot(window, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert window.grab().save(str(path))
    return path
