"""Starts the GUI: checks the screen, opens the database, shows the main window."""

from __future__ import annotations

import logging
import sys

from hospital_desktop.config import DatabaseChoice, choose_database, data_dir
from hospital_desktop.gui.preflight import display_problem

log = logging.getLogger(__name__)


def launch(choice: DatabaseChoice) -> int:
    problem = display_problem()
    if problem:
        print(f"hospital-desktop: {problem}", file=sys.stderr)
        return 1
    _log_to_file()
    try:
        from hospital_desktop.gui.app import run_application
    except ImportError as error:  # a Qt library is missing despite the checks
        print(
            f"hospital-desktop: Qt could not be loaded ({error}). On Debian or Ubuntu: "
            "sudo apt-get install libegl1 libgl1 libfontconfig1 libxkbcommon0",
            file=sys.stderr,
        )
        return 1
    return run_application(choice, lambda: _next_choice(choice))


def _next_choice(first: DatabaseChoice) -> DatabaseChoice:
    """After File > Database: the saved choice, unless a flag or the environment decides."""
    if first.source == "command line":
        return first
    return choose_database()


def _log_to_file() -> None:
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        filename=folder / "hospital-desktop.log",
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
