"""How long the hospital report takes at 100,000 appointments, and that the window stays live.

    .venv/bin/python benchmarks/report_benchmark.py [--appointments N] [--postgresql URL]

Seeds a throw-away database (SQLite by default) with one hospital, 40 doctors with weekly
timetables, 20,000 patients and N appointments in one year, then times:

1. the statistics (every figure, aggregated by the database);
2. the PDF (ReportLab, fonts embedded);
3. both again as the Reports tab runs them, on the task runner's worker thread, while a
   50 ms timer ticks on the GUI thread: the longest gap between two ticks is how long the
   window could not answer (it should stay well under a tenth of a second).

The numbers are printed and appended to benchmarks/results.jsonl with the date and machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from hospital_desktop.core.bootstrap import AppServices, open_services
from hospital_desktop.core.db.models import Appointment, Doctor, Patient
from hospital_desktop.core.domain.values import HospitalDraft, TimetableEntryDraft

YEAR = 2025
RESULTS = Path(__file__).with_name("results.jsonl")
SERVICES = ["General examination", "Follow-up", "Vaccination", "Blood test", "Consultation"]
STATUSES = ["fulfilled"] * 70 + ["cancelled"] * 12 + ["noshow"] * 8 + ["booked"] * 10
NAMES = ["Zoë Ångström", "Δημήτρης", "Юлия", "محمد", "王小明", "山田太郎", "김민준", "José"]


def seed(services: AppServices, appointments: int, patients: int = 20_000) -> int:
    """The data, written in bulk (a benchmark's set-up, not a user's work)."""
    rng = random.Random(7)
    hospital = services.hospitals.create(HospitalDraft("Benchmark General", "Europe/London"))
    with services.unit_of_work() as uow:
        uow.session.execute(
            insert(Doctor),
            [
                {
                    "name": f"Dr {NAMES[i % len(NAMES)]} {i}",
                    "hospital_id": hospital.id,
                    "specialty": "General practice",
                    "consultation_fee_cents": 50_00 + 500 * (i % 10),
                }
                for i in range(40)
            ],
        )
        uow.session.execute(
            insert(Patient),
            [
                {
                    "given_name": NAMES[i % len(NAMES)],
                    "family_name": f"Patient{i}",
                    "medical_record_number": f"B{i:07d}",
                    "date_of_birth": date(1950 + i % 60, 1 + i % 12, 1 + i % 28),
                }
                for i in range(patients)
            ],
        )
        uow.commit()
        doctor_ids = [d.id for d in uow.session.query(Doctor).filter_by(hospital_id=hospital.id)]
        first_patient = uow.session.query(Patient.id).order_by(Patient.id).first()[0]
    for doctor_id in doctor_ids:
        for weekday in range(5):
            services.timetable.create_entry(
                doctor_id, TimetableEntryDraft(weekday, "08:00", "17:00", 15)
            )
    # Every doctor's day has 36 quarter-hour slots; appointments fill them without overlap.
    start = datetime(YEAR, 1, 1, 8, tzinfo=UTC)
    rows: list[dict[str, Any]] = []
    slot = 0
    while len(rows) < appointments:
        day, rest = divmod(slot, len(doctor_ids) * 36)
        doctor_index, quarter = divmod(rest, 36)
        slot += 1
        moment = start + timedelta(days=day % 365, minutes=15 * quarter)
        if moment.weekday() >= 5:
            continue
        status = rng.choice(STATUSES)
        fee = 50_00 + 500 * (doctor_index % 10)
        rows.append(
            {
                "patient_id": first_patient + rng.randrange(patients),
                "doctor_id": doctor_ids[doctor_index],
                "hospital_id": hospital.id,
                "start_at": moment,
                "end_at": moment + timedelta(minutes=15),
                "blocked_until": moment + timedelta(minutes=15),
                "status": status,
                "service": rng.choice(SERVICES),
                "fee_cents": fee,
                "payer_coverage_cents": fee * rng.choice([0, 50, 80]) // 100,
                "cancelled_at": moment - timedelta(hours=rng.choice([2, 30, 200]))
                if status == "cancelled"
                else None,
                "satisfaction_score": rng.randint(1, 5) if status == "fulfilled" else None,
            }
        )
    with services.unit_of_work() as uow:
        for chunk in range(0, len(rows), 10_000):
            uow.session.execute(insert(Appointment), rows[chunk : chunk + 10_000])
        uow.commit()
    return hospital.id


def timed(work: Any) -> tuple[Any, float]:
    began = time.perf_counter()
    result = work()
    return result, time.perf_counter() - began


def window_stays_live(services: AppServices, hospital_id: int, out: Path) -> float:
    """The longest the GUI thread waited between 50 ms ticks while the report was made."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from hospital_desktop.core.reports.pdf import render_hospital_report
    from hospital_desktop.gui.tasks import TaskRunner

    app = QApplication.instance() or QApplication([])
    tasks = TaskRunner(lambda error: print("failed:", error))
    loop = QEventLoop()
    clock = QElapsedTimer()
    longest = {"gap": 0}
    last = {"at": 0}

    def tick() -> None:
        now = clock.elapsed()
        longest["gap"] = max(longest["gap"], now - last["at"])
        last["at"] = now

    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(tick)

    def work() -> None:
        stats = services.reports.hospital_statistics(hospital_id, f"{YEAR}-01-01", f"{YEAR}-12-31")
        render_hospital_report(stats, out)

    clock.start()
    timer.start()
    tasks.run(work, lambda _result: loop.quit(), lambda error: (print(error), loop.quit()))
    loop.exec()
    timer.stop()
    tasks.shutdown()
    del app
    return max(longest["gap"] - 50, 0) / 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, default=100_000)
    parser.add_argument("--postgresql", metavar="URL", help="an empty PostgreSQL database")
    parser.add_argument("--no-record", action="store_true", help="do not append to results")
    arguments = parser.parse_args()
    from hospital_desktop.core.reports.pdf import render_hospital_report

    with tempfile.TemporaryDirectory() as folder:
        url = arguments.postgresql or f"sqlite:///{folder}/benchmark.sqlite3"
        services = open_services(url)
        try:
            hospital_id, seeding = timed(lambda: seed(services, arguments.appointments))
            stats, statistics_time = timed(
                lambda: services.reports.hospital_statistics(
                    hospital_id, f"{YEAR}-01-01", f"{YEAR}-12-31"
                )
            )
            out = Path(folder) / "report.pdf"
            _, pdf_time = timed(lambda: render_hospital_report(stats, out))
            freeze = window_stays_live(services, hospital_id, Path(folder) / "again.pdf")
            result = {
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": f"{platform.machine()}, {os.cpu_count()} cpus, "
                f"Python {platform.python_version()}",
                "backend": "postgresql" if arguments.postgresql else "sqlite",
                "appointments": stats.total.appointments,
                "seed_s": round(seeding, 2),
                "statistics_s": round(statistics_time, 2),
                "pdf_s": round(pdf_time, 2),
                "pdf_bytes": out.stat().st_size,
                "longest_gui_wait_s": round(freeze, 3),
            }
        finally:
            services.close()
    print(json.dumps(result, indent=2))
    if not arguments.no_record:
        with RESULTS.open("a", encoding="utf-8") as stream:
            stream.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
