"""What every service shares: its unit-of-work factory and the change hub."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hospital_desktop.core.db.uow import UnitOfWork, UnitOfWorkFactory
from hospital_desktop.core.domain.errors import NotFoundError, StaleRecordError
from hospital_desktop.core.services.changes import ChangeHub

STALE_EDIT = (
    "This {kind} was changed by someone else while you were editing it. Your changes were "
    "not saved; reload it to see the new version."
)


class Service:
    def __init__(self, uow_factory: UnitOfWorkFactory, changes: ChangeHub) -> None:
        self._uow_factory = uow_factory
        self._changes = changes

    def _uow(self, *, serialized: bool = False) -> UnitOfWork:
        return self._uow_factory(serialized=serialized)


def require(entity: Any, kind: str, record_id: int) -> Any:
    if entity is None:
        raise NotFoundError(f"The {kind} (number {record_id}) no longer exists.")
    return entity


def check_version(entity: Any, kind: str, expected_version: int | None) -> None:
    """Refuse an edit made from a stale view; the database re-checks on commit."""
    if expected_version is not None and entity.version != expected_version:
        raise StaleRecordError(STALE_EDIT.format(kind=kind))


def archive_time(archived: bool, now: datetime) -> datetime | None:
    return now if archived else None
