"""The insurance choice of a form: 'None / self-paying' or one of the payers."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

from hospital_desktop.core.domain.values import PayerRecord

NO_PAYER = "None / self-paying"


class PayerBox(QComboBox):
    """Refilling the list keeps the payer chosen and does not count as the user's edit.

    A payer chosen before the list has loaded (a record shown at once) is selected when it
    arrives.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._wanted: int | None = None
        self.currentIndexChanged.connect(self._on_current_index_changed)
        self.set_payers([])

    def value(self) -> int | None:
        data = self.currentData()
        return int(data) if data is not None else None

    def select(self, payer_id: int | None) -> None:
        self._wanted = payer_id
        index = self.findData(payer_id) if payer_id is not None else 0
        self.setCurrentIndex(max(index, 0))
        self._wanted = payer_id

    def set_payers(self, payers: list[PayerRecord]) -> None:
        chosen = self._wanted
        self.blockSignals(True)
        try:
            self.clear()
            self.addItem(NO_PAYER, None)
            for payer in payers:
                self.addItem(payer.name, payer.id)
            self.select(chosen)
        finally:
            self.blockSignals(False)

    def _on_current_index_changed(self, _index: int) -> None:
        self._wanted = self.value()
