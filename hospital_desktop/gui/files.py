"""Asking where to save a file: one dialog, the right suffix added when it was left off."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget


def ask_save_path(
    parent: QWidget | None,
    title: str,
    suggested: str,
    file_filter: str,
    suffix: str,
    folder: str | Path | None = None,
) -> str | None:
    """The path the user chose (with ``suffix``, e.g. ".pdf"), or None if they cancelled."""
    start = str(Path(folder or Path.home()) / suggested)
    path, _chosen = QFileDialog.getSaveFileName(parent, title, start, file_filter)
    if path and not path.lower().endswith(suffix):
        path += suffix
    return path or None
