"""The audit trail: every write, login and refusal, with who, when, where and what changed.

Entries are written in the same transaction as the change they describe, so there is never
a change without its entry nor an entry for a change that was rolled back. Refusals and
failed logins are written on their own, since the work they describe did not happen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import select

from hospital_desktop.core.db.models import AuditEntry
from hospital_desktop.core.db.uow import UnitOfWork
from hospital_desktop.core.domain.security import Actor


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    at: datetime
    user_id: int | None
    username: str
    workstation: str
    action: str
    entity: str
    record_id: int | None
    outcome: str
    changes: dict[str, list[Any]]
    record_name: str = ""  # who or what the record is, as it is named now (for display)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    return value


def differences(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields that differ (a create has before=None)."""
    before, after = before or {}, after or {}
    fields = sorted(set(before) | set(after))
    return {
        name: [_plain(before.get(name)), _plain(after.get(name))]
        for name in fields
        if _plain(before.get(name)) != _plain(after.get(name))
    }


def write_entry(
    uow: UnitOfWork,
    actor: Actor | None,
    action: str,
    *,
    entity: str = "",
    record_id: int | None = None,
    changes: dict[str, list[Any]] | None = None,
    outcome: str = "ok",
    username: str = "",
    workstation: str = "",
) -> None:
    uow.session.add(
        AuditEntry(
            user_id=actor.user_id if actor else None,
            username=actor.username if actor else username,
            workstation=actor.workstation if actor else workstation,
            action=action,
            entity=entity,
            record_id=record_id,
            outcome=outcome,
            changes=json.dumps(changes or {}, ensure_ascii=False, sort_keys=True),
        )
    )


def audit_record(entry: AuditEntry) -> AuditRecord:
    return AuditRecord(
        id=entry.id,
        at=entry.at,
        user_id=entry.user_id,
        username=entry.username,
        workstation=entry.workstation,
        action=entry.action,
        entity=entry.entity or "",
        record_id=entry.record_id,
        outcome=entry.outcome,
        changes=json.loads(entry.changes or "{}"),
    )


def recent_entries(
    uow: UnitOfWork,
    *,
    username: str | None = None,
    entity: str | None = None,
    record_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
) -> list[AuditRecord]:
    statement = select(AuditEntry)
    if username:
        statement = statement.where(AuditEntry.username == username.strip().lower())
    if entity:
        statement = statement.where(AuditEntry.entity == entity)
    if record_id is not None:
        statement = statement.where(AuditEntry.record_id == record_id)
    if since is not None:
        statement = statement.where(AuditEntry.at >= since)
    if until is not None:
        statement = statement.where(AuditEntry.at < until)
    rows = uow.session.scalars(
        statement.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    )
    return [audit_record(row) for row in rows]
