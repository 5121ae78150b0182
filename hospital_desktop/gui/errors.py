"""The one place that turns errors into messages for the person at the desk."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from hospital_desktop.core.domain.errors import DomainError

log = logging.getLogger(__name__)


def message_for(error: BaseException) -> str:
    """What to tell the user: a domain error speaks for itself; anything else is a bug."""
    if isinstance(error, DomainError):
        return error.message
    return (
        "Something unexpected went wrong and the action was not completed. Nothing was "
        f"saved by it. If this happens again, tell your administrator.\n\nDetails: {error}"
    )


def show_error(
    parent: QWidget | None, error: BaseException, title: str = "Could not complete"
) -> None:
    if not isinstance(error, DomainError):
        log.error("unexpected error", exc_info=error)
    QMessageBox.warning(parent, title, message_for(error))
