"""File > Import: load a Synthea CSV export, with progress and a cancel button."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.domain.errors import DomainError
from hospital_desktop.core.importers.synthea import ImportReport
from hospital_desktop.gui.errors import message_for
from hospital_desktop.gui.tasks import TaskRunner

log = logging.getLogger(__name__)


class ImportDialog(QDialog):
    """``finished_import(report)`` after a successful import."""

    finished_import = Signal(object)
    _progressed = Signal(str, int, int)

    def __init__(
        self, services: AppServices, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import a Synthea export")
        self.setMinimumWidth(520)
        self._services = services
        self._tasks = tasks
        self._cancel = threading.Event()
        self._running = False

        intro = QLabel(
            "Choose the folder of a Synthea CSV export (organizations.csv, providers.csv, "
            "patients.csv, encounters.csv and payers.csv). Hospitals, doctors, patients and "
            "appointments are added; records imported before are kept as they are. If any "
            "file is damaged, nothing is imported."
        )
        intro.setWordWrap(True)
        self.folder = QLineEdit()
        self.folder.setPlaceholderText("Folder of the export")
        self.folder.textChanged.connect(self._update_buttons)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(
            "Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.import_button.clicked.connect(self.start)
        self.close_button.clicked.connect(self._on_close_clicked)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self._progressed.connect(self._on_progress)
        self._update_buttons()

    @classmethod
    def ask_directory(cls, parent: QWidget | None, start: str) -> str:
        """The folder picker; tests replace it."""
        return QFileDialog.getExistingDirectory(parent, "Folder of the Synthea export", start)

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        folder = self.folder.text().strip()
        if not folder or self._running:
            return
        self._running = True
        self._cancel.clear()
        self.progress.setValue(0)
        self.status.setText("Reading the files…")
        self._update_buttons()
        importer = self._services.importer()
        self._tasks.run(
            lambda: importer.run(
                Path(folder),
                progress=lambda kind, done, total: self._progressed.emit(kind, done, total),
                should_cancel=self._cancel.is_set,
            ),
            self._on_done,
            self._on_failed,
        )

    def _on_browse_clicked(self) -> None:
        chosen = self.ask_directory(self, self.folder.text() or str(Path.home()))
        if chosen:
            self.folder.setText(chosen)

    def _on_progress(self, kind: str, done: int, total: int) -> None:
        self.progress.setValue(100 * done // max(total, 1))
        self.status.setText(f"Importing {kind}… {done:,} of {total:,} rows")

    def _on_done(self, report: ImportReport) -> None:
        self._running = False
        self.progress.setValue(100)
        self.status.setText(report.describe())
        self._update_buttons()
        self.finished_import.emit(report)

    def _on_failed(self, error: BaseException) -> None:
        self._running = False
        self.progress.setValue(0)
        self._update_buttons()
        if not isinstance(error, DomainError):
            log.error("import failed unexpectedly", exc_info=error)
        self.status.setText(message_for(error))
        self.status.setStyleSheet("color: #b3261e;")
        self.adjustSize()  # room for a long message; nothing clipped

    def _on_close_clicked(self) -> None:
        if self._running:
            self._cancel.set()
            self.status.setText("Cancelling… nothing of this import will be kept.")
            return
        self.accept()

    def reject(self) -> None:  # Escape or the window's close button
        if self._running:
            self._on_close_clicked()
            return
        super().reject()

    def _update_buttons(self) -> None:
        self.status.setStyleSheet("")
        self.import_button.setEnabled(bool(self.folder.text().strip()) and not self._running)
        self.close_button.setText("Cancel import" if self._running else "Close")
