"""What every service shares: its unit-of-work factory and the change hub."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from hospital_desktop.core.db.uow import UnitOfWork, UnitOfWorkFactory
from hospital_desktop.core.domain.errors import DomainError, NotFoundError, StaleRecordError
from hospital_desktop.core.domain.security import Actor, Permission
from hospital_desktop.core.services.audit import differences, write_entry
from hospital_desktop.core.services.changes import ChangeHub
from hospital_desktop.core.services.guard import AccessGuard

STALE_EDIT = (
    "This {kind} was changed by someone else while you were editing it. Your changes were "
    "not saved; reload it to see the new version."
)


NOT_AUDITED = frozenset({"version", "created_at", "updated_at"})


class Service:
    """``actor`` is who acts: every call is checked against their permissions and audited
    in their name (None only on a database with no users yet, in set-up mode)."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        changes: ChangeHub,
        actor: Actor | None = None,
        guard: AccessGuard | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._changes = changes
        self._actor = actor
        self._guard = guard or AccessGuard(uow_factory)

    @property
    def actor(self) -> Actor | None:
        return self._actor

    def _require(
        self, permission: Permission, action: str, *, doctor_id: int | None = None
    ) -> None:
        self._guard.require(self._actor, permission, action, doctor_id=doctor_id)

    def _uow(self, *, serialized: bool = False) -> UnitOfWork:
        return self._uow_factory(serialized=serialized)

    def _audit(
        self,
        uow: UnitOfWork,
        action: str,
        entity: str,
        record_id: int | None,
        before: Any,
        after: Any,
    ) -> None:
        """Record a write in the same transaction as the write itself."""
        write_entry(
            uow,
            self._actor,
            action,
            entity=entity,
            record_id=record_id,
            changes=differences(_fields(before), _fields(after)),
        )


def _fields(record: Any) -> dict[str, Any] | None:
    if record is None:
        return None
    values = (
        asdict(record) if is_dataclass(record) and not isinstance(record, type) else dict(record)
    )
    return {name: value for name, value in values.items() if name not in NOT_AUDITED}


def require(entity: Any, kind: str, record_id: int) -> Any:
    if entity is None:
        raise NotFoundError(f"The {kind} (number {record_id}) no longer exists.")
    return entity


def check_version(entity: Any, kind: str, expected_version: int | None) -> None:
    """Refuse an edit made from a stale view; the database re-checks on commit."""
    if expected_version is not None and entity.version != expected_version:
        raise StaleRecordError(STALE_EDIT.format(kind=kind))


def resolve_by_name(uow: UnitOfWork, model: Any, kind: str, text: str) -> int:
    """A record named on the command line: its number, or its exact name (then without
    regard to case); a name that several records share is refused with their numbers."""
    wanted = (text or "").strip()
    if wanted.isdigit():
        found = uow.session.get(model, int(wanted))
        if found is None:
            raise NotFoundError(f"There is no {kind} number {int(wanted)}.")
        return int(found.id)
    for condition in (model.name == wanted, func.lower(model.name) == wanted.lower()):
        ids = list(uow.session.scalars(select(model.id).where(condition).order_by(model.id)))
        if len(ids) == 1:
            return int(ids[0])
        if ids:
            numbers = ", ".join(str(i) for i in ids[:10])
            raise DomainError(
                f"Several {kind}s are named '{wanted}' (numbers {numbers}); give the number."
            )
    raise NotFoundError(f"No {kind} is named '{wanted}'. Give its exact name or its number.")


def archive_time(archived: bool, now: datetime) -> datetime | None:
    return now if archived else None
