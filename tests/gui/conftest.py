"""GUI fixtures: a real main window on a real SQLite file, offscreen."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from hospital_desktop.core.bootstrap import AppServices, open_services
from hospital_desktop.core.importers.synthea import SyntheaImporter
from hospital_desktop.gui.app import application, build_window
from hospital_desktop.gui.main_window import MainWindow
from tests.conftest import SYNTHEA_TRIMMED

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

    def open_on(url: str) -> MainWindow:
        services = open_services(url)
        window = build_window(services)
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


def save_screenshot(window, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    assert window.grab().save(str(path))
    return path
