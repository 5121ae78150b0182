"""Reading the audit trail (administrators): newest first, filtered, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select

from hospital_desktop.core.db.models import AuditEntry, Doctor, Hospital, Patient, User
from hospital_desktop.core.db.repositories import in_chunks
from hospital_desktop.core.db.uow import UnitOfWork
from hospital_desktop.core.domain.security import Permission
from hospital_desktop.core.domain.values import ListQuery, Page
from hospital_desktop.core.services.audit import AuditRecord, audit_record
from hospital_desktop.core.services.base import Service


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Who (user name), on what (kind of record and its number) and when (UTC, end excluded)."""

    username: str = ""
    entity: str = ""
    record_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    refusals_only: bool = False


class AuditTrailService(Service):
    def page(self, query: ListQuery, only: AuditFilter | None = None) -> Page[AuditRecord]:
        """One page, newest first; the cursor is the last entry's (time, id)."""
        self._require(Permission.VIEW_AUDIT, "read-audit-trail")
        only = only or AuditFilter()
        statement = select(AuditEntry)
        if only.username.strip():
            statement = statement.where(AuditEntry.username == only.username.strip().lower())
        if only.entity:
            statement = statement.where(AuditEntry.entity == only.entity)
        if only.record_id is not None:
            statement = statement.where(AuditEntry.record_id == only.record_id)
        if only.since is not None:
            statement = statement.where(AuditEntry.at >= only.since)
        if only.until is not None:
            statement = statement.where(AuditEntry.at < only.until)
        if only.refusals_only:
            statement = statement.where(AuditEntry.outcome != "ok")
        if query.after is not None:
            at, entry_id = query.after
            statement = statement.where(
                or_(AuditEntry.at < at, and_(AuditEntry.at == at, AuditEntry.id < entry_id))
            )
        statement = statement.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        with self._uow() as uow:
            rows = [audit_record(r) for r in uow.session.scalars(statement.limit(query.limit + 1))]
            items, more = rows[: query.limit], len(rows) > query.limit
            items = _with_names(uow, items)
        return Page(items, (items[-1].at, items[-1].id) if more and items else None)

    def entries(self, only: AuditFilter | None = None, limit: int = 500) -> list[AuditRecord]:
        return self.page(ListQuery(limit=limit), only).items

    def kinds(self) -> list[str]:
        """The kinds of record the trail names, for the filter's choices."""
        self._require(Permission.VIEW_AUDIT, "read-audit-trail")
        with self._uow() as uow:
            return [
                kind for kind in uow.session.scalars(select(AuditEntry.entity).distinct()) if kind
            ]


def _with_names(uow: UnitOfWork, items: list[AuditRecord]) -> list[AuditRecord]:
    """Name the page's records (one query per kind, for the ids on the page), so the trail
    reads "Patient 43 · Zoë Ångström" rather than a bare number."""
    wanted: dict[str, set[int]] = {}
    for item in items:
        if item.record_id is not None and item.entity in NAMED:
            wanted.setdefault(item.entity, set()).add(item.record_id)
    names: dict[tuple[str, int], str] = {}
    for entity, ids in wanted.items():
        model, label = NAMED[entity]
        for chunk in in_chunks(sorted(ids)):
            for record_id, name in uow.session.execute(
                select(model.id, label).where(model.id.in_(chunk))
            ):
                names[(entity, record_id)] = name
    return [
        replace(item, record_name=names.get((item.entity, item.record_id or 0), ""))
        for item in items
    ]


NAMED: dict[str, tuple[Any, Any]] = {
    "patient": (Patient, Patient.given_name + " " + Patient.family_name),
    "doctor": (Doctor, Doctor.name),
    "hospital": (Hospital, Hospital.name),
    "user": (User, User.username),
}
