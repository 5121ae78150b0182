"""'What changed' announcements: every write says which records it touched.

Views subscribe and decide for themselves whether to refresh. Subscribers may be called from
a worker thread; the GUI bridges them onto its own thread with a queued signal.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass


class Entity(enum.StrEnum):
    HOSPITAL = "hospital"
    DOCTOR = "doctor"
    PATIENT = "patient"
    APPOINTMENT = "appointment"
    PAYER = "payer"
    TIMETABLE = "timetable"  # entries and exceptions; ids are doctors' where known
    WAITLIST = "waitlist"
    USER = "user"  # accounts, roles and permissions


@dataclass(frozen=True, slots=True)
class Change:
    """``ids`` empty means 'many or unknown records of these kinds' (for example an import)."""

    entities: frozenset[Entity]
    ids: frozenset[int] = frozenset()

    @classmethod
    def of(cls, entity: Entity, *ids: int) -> Change:
        return cls(frozenset({entity}), frozenset(ids))

    @classmethod
    def bulk(cls, entities: Iterable[Entity]) -> Change:
        return cls(frozenset(entities))

    def touches(self, entity: Entity) -> bool:
        return entity in self.entities


Subscriber = Callable[[Change], None]


class ChangeHub:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()

    def subscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.append(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

    def publish(self, change: Change) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            subscriber(change)
