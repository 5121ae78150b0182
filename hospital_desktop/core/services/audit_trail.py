"""Reading the audit trail (administrators): newest first, filtered, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select

from hospital_desktop.core.db.models import AuditEntry
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
