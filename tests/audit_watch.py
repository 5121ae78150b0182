"""Watches every transaction the suite commits: a write without its audit entry fails.

Each committed transaction that inserted, changed or deleted a business row must carry
audit entries; all of them in one user's name (one actor per write); one entry per record
and action (no write recorded twice); and an entry for a create or an update names the
fields that changed. Writes made behind the services' back (raw SQL in a test's set-up)
do not pass through the ORM session and are not watched.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from hospital_desktop.core.db.models import AuditEntry

CHANGES_EXPECTED = {"create", "update"}
violations: list[str] = []


def behind_the_services(session: Session) -> Session:
    """Mark a test's own set-up write (a setting no service edits yet) as deliberately
    unaudited, so the watch does not count it against the services."""
    session.info["audit_watch_off"] = True
    return session


def _state(session: Session) -> dict[str, Any]:
    return session.info.setdefault("audit_watch", {"changed": [], "entries": []})


def _after_flush(session: Session, _context: Any) -> None:
    state = _state(session)
    for obj in list(session.new) + list(session.deleted):
        target = state["entries"] if isinstance(obj, AuditEntry) else state["changed"]
        target.append(obj if isinstance(obj, AuditEntry) else type(obj).__name__)
    for obj in session.dirty:
        if not isinstance(obj, AuditEntry) and session.is_modified(obj, include_collections=False):
            state["changed"].append(type(obj).__name__)


def _after_commit(session: Session) -> None:
    state = session.info.pop("audit_watch", None)
    if not state or not state["changed"] or session.info.get("audit_watch_off"):
        return
    entries = [
        (e.user_id, e.action, e.entity, e.record_id, e.outcome, e.changes) for e in state["entries"]
    ]
    changed = sorted(set(state["changed"]))
    if not entries:
        violations.append(f"a write of {changed} left no audit entry")
        return
    users = {user for user, *_ in entries}
    if len(users) > 1:
        violations.append(f"one write audited under several users {users}: {entries}")
    twice = [key for key, n in Counter((a, en, r) for _, a, en, r, *_ in entries).items() if n > 1]
    if twice:
        violations.append(f"a write recorded twice: {twice}")
    for _, action, entity, _record, outcome, changes in entries:
        if action in CHANGES_EXPECTED and outcome == "ok" and not json.loads(changes or "{}"):
            violations.append(f"the {action} of a {entity} names no changed field")


def _after_rollback(session: Session) -> None:
    session.info.pop("audit_watch", None)


def install() -> None:
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", lambda session, _t: _after_rollback(session))
