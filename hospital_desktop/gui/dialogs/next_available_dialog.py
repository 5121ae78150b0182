"""'Next available': the first free slots across a hospital's doctors, of one specialty or
any; choosing one shows that doctor's week to book it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hospital_desktop.core.bootstrap import AppServices
from hospital_desktop.core.domain.clock import format_local
from hospital_desktop.core.services.booking import AvailableSlot
from hospital_desktop.gui.errors import message_for
from hospital_desktop.gui.tabs.pickers import hospital_picker
from hospital_desktop.gui.tasks import TaskRunner

SHOWN = 20
SLOT_ROLE = Qt.ItemDataRole.UserRole + 1


class NextAvailableDialog(QDialog):
    """``chosen(AvailableSlot)`` when the user picks a slot to book."""

    chosen = Signal(object)
    loaded = Signal()

    def __init__(
        self,
        services: AppServices,
        tasks: TaskRunner,
        hospital: tuple[int, str] | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Next available")
        self.setMinimumWidth(480)
        self._services, self._tasks = services, tasks
        self.hospital = hospital_picker(services, tasks)
        if hospital is not None:
            self.hospital.set_choice(*hospital)
        self.specialty = QLineEdit()
        self.specialty.setPlaceholderText("Any specialty")
        self.search_button = QPushButton("Find")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)
        self.results = QListWidget()
        self.results.itemActivated.connect(self._on_results_item_activated)
        self.status = QLabel()
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Hospital:", self.hospital)
        form.addRow("Specialty:", self.specialty)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.book_button = buttons.addButton(
            "Show and book", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.book_button.setAutoDefault(False)
        self.book_button.clicked.connect(self._on_book_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.search_button)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        if hospital is not None:
            self.search()

    def search(self) -> None:
        hospital_id = self.hospital.value()
        if hospital_id is None:
            self.status.setText("Choose the hospital first.")
            return
        specialty = self.specialty.text().strip() or None
        self.status.setText("Looking…")
        self._tasks.run(
            lambda: self._services.booking.next_available(hospital_id, specialty, limit=SHOWN),
            self._show,
            lambda error: self.status.setText(message_for(error)),
        )

    def _show(self, found: list[AvailableSlot]) -> None:
        self.results.clear()
        for available in found:
            when = format_local(available.slot.start, available.time_zone)
            item = QListWidgetItem(f"{when} · {available.doctor_name} · {available.specialty}")
            item.setData(SLOT_ROLE, available)
            self.results.addItem(item)
        self.status.setText(
            f"The first {len(found)} free times in the next two weeks."
            if found
            else "No free time in the next two weeks (doctors need a timetable)."
        )
        if found:
            self.results.setCurrentRow(0)
            self.results.setFocus()
        self.loaded.emit()

    def _on_results_item_activated(self, item: QListWidgetItem) -> None:
        self.chosen.emit(item.data(SLOT_ROLE))
        self.accept()

    def _on_book_clicked(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self._on_results_item_activated(item)
