"""Brings the core's 'what changed' announcements onto the GUI thread as a Qt signal."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from hospital_desktop.core.services.changes import Change, ChangeHub


class ChangeSignals(QObject):
    """Emits ``changed(Change)`` on the GUI thread, whichever thread made the change."""

    changed = Signal(object)

    def __init__(self, hub: ChangeHub, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hub = hub
        hub.subscribe(self._relay)

    def _relay(self, change: Change) -> None:
        self.changed.emit(change)  # queued to the GUI thread when called from the worker

    def detach(self) -> None:
        self._hub.unsubscribe(self._relay)
