"""Several workstations (processes, each with its own connection) race for the same slots.

On SQLite and on PostgreSQL: every slot is won exactly once, every loser is told it was
just taken, and no two active appointments of the doctor overlap afterwards.
"""

from __future__ import annotations

import multiprocessing
import random
from datetime import datetime
from typing import Any

from hospital_desktop.core.bootstrap import open_services
from hospital_desktop.core.domain.values import ACTIVE_STATUSES, BookingRequest
from hospital_desktop.core.scheduling.local_time import overlaps
from hospital_desktop.core.services.booking import SlotTakenError
from tests.integration.scheduling_fixtures import make_clinic

WORKSTATIONS = 4
SLOTS = 6


def workstation(
    url: str,
    doctor_id: int,
    patient_id: int,
    starts: list[str],
    seed: int,
    barrier: Any,
    results: Any,
) -> None:
    services = open_services(url)
    order = list(starts)
    random.Random(seed).shuffle(order)
    outcomes = []
    barrier.wait()
    for start in order:
        try:
            services.booking.book(
                BookingRequest(
                    patient_id=patient_id,
                    doctor_id=doctor_id,
                    start_at=datetime.fromisoformat(start),
                )
            )
            outcomes.append(("won", start, ""))
        except SlotTakenError as error:
            outcomes.append(("taken", start, error.message))
        except Exception as error:  # reported to the test, which fails on it
            outcomes.append(("error", start, repr(error)))
    services.close()
    results.put(outcomes)


def test_racing_workstations_never_double_book(services, backend_url):
    clinic = make_clinic(services, patients=WORKSTATIONS)
    slots = services.booking.free_slots(clinic.doctor_id, clinic.at(0, 0), clinic.at(1, 0))[:SLOTS]
    starts = [slot.start.isoformat() for slot in slots]
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKSTATIONS)
    results = context.Queue()
    workers = [
        context.Process(
            target=workstation,
            args=(
                backend_url,
                clinic.doctor_id,
                clinic.patient_ids[n],
                starts,
                n,
                barrier,
                results,
            ),
        )
        for n in range(WORKSTATIONS)
    ]
    for worker in workers:
        worker.start()
    outcomes = [item for _ in workers for item in results.get(timeout=120)]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0

    errors = [o for o in outcomes if o[0] == "error"]
    assert errors == []
    winners = [start for kind, start, _ in outcomes if kind == "won"]
    assert sorted(winners) == sorted(starts)  # each slot won exactly once
    losers = [message for kind, _, message in outcomes if kind == "taken"]
    assert len(losers) == (WORKSTATIONS - 1) * SLOTS
    assert all("just taken" in message for message in losers)

    with services.unit_of_work() as uow:
        active = uow.appointments.in_range(
            clinic.doctor_id, clinic.at(-1, 0), clinic.at(2, 0), ACTIVE_STATUSES
        )
    assert len(active) == SLOTS
    for index, first in enumerate(active):
        for second in active[index + 1 :]:
            assert not overlaps((first.start_at, first.end_at), (second.start_at, second.end_at))
