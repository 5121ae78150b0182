"""Reports: a hospital's statistics, a doctor's metrics, and satisfaction scores.

Reading figures needs the report permission; each computed report is recorded in the
audit trail (what was looked at, for which period), as exports are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from hospital_desktop.core.db.models import Appointment
from hospital_desktop.core.db.uow import UnitOfWork
from hospital_desktop.core.domain.clock import utc_now
from hospital_desktop.core.domain.errors import DomainError, ValidationError
from hospital_desktop.core.domain.security import Permission
from hospital_desktop.core.domain.validation import FieldChecker
from hospital_desktop.core.domain.values import AppointmentRecord, AppointmentStatus
from hospital_desktop.core.reports.csv_export import write_csv
from hospital_desktop.core.reports.figures import Period, Statistics
from hospital_desktop.core.reports.statistics import compute_statistics
from hospital_desktop.core.scheduling.week import WeekLayout
from hospital_desktop.core.services.audit import write_entry
from hospital_desktop.core.services.base import Service, check_version, require
from hospital_desktop.core.services.changes import Change, Entity

T = TypeVar("T")
MAX_PERIOD_DAYS = 366 * 200  # a Synthea history reaches back decades


def checked_period(first: date | str | None, last: date | str | None) -> Period:
    check = FieldChecker()
    start = check.date("first", "From", first, required=True)
    end = check.date("last", "To", last, required=True)
    if start is not None and end is not None:
        if end < start:
            check.fail("last", "The period must end on or after the day it starts.")
        elif (end - start).days > MAX_PERIOD_DAYS:
            check.fail("last", "Choose a period of at most two hundred years.")
    check.done()
    assert start is not None and end is not None
    return Period(start, end)


class ReportService(Service):
    def hospital_statistics(
        self,
        hospital_id: int,
        first: date | str | None,
        last: date | str | None,
        now: datetime | None = None,
    ) -> Statistics:
        """The seed's GET /hospitals/{id}/statistics, for local dates first..last."""
        self._require(Permission.VIEW_REPORTS, "hospital-statistics")
        period = checked_period(first, last)
        with self._uow() as uow:
            require(uow.hospitals.get(hospital_id), "hospital", hospital_id)
            stats = compute_statistics(
                uow.session,
                period,
                hospital_id=hospital_id,
                generated_by=self._generated_by(),
                now=now,
            )
            self._record_view(uow, "hospital", hospital_id, period)
            return stats

    def doctor_metrics(
        self,
        doctor_id: int,
        first: date | str | None,
        last: date | str | None,
        now: datetime | None = None,
    ) -> Statistics:
        """The seed's GET /doctors/{id}/metrics: one doctor's figures at their hospital."""
        self._require(Permission.VIEW_REPORTS, "doctor-metrics")
        period = checked_period(first, last)
        with self._uow() as uow:
            doctor = require(uow.doctors.get(doctor_id), "doctor", doctor_id)
            if doctor.hospital_id is None:
                raise DomainError(f"{doctor.name} works at no hospital, so has no figures.")
            stats = compute_statistics(
                uow.session,
                period,
                hospital_id=doctor.hospital_id,
                doctor_id=doctor_id,
                generated_by=self._generated_by(),
                now=now,
            )
            self._record_view(uow, "doctor", doctor_id, period)
            return stats

    def export_table(
        self,
        path: Path,
        headers: Sequence[str],
        rows: Iterable[Sequence[object]],
        entity: str,
        description: str = "",
    ) -> int:
        """Any list as a CSV file (UTF-8 with BOM), checked and recorded like every export."""
        return self._export(
            "csv",
            entity,
            None,
            Path(path),
            lambda target: write_csv(target, headers, rows),
            lambda count: {"file": str(Path(path).resolve()), "rows": count, "list": description},
        )

    def export_pdf(
        self,
        stats: Statistics,
        out: Path,
        render: Callable[[Statistics, Path], None],
    ) -> None:
        """Render ``stats`` to ``out`` whole or not at all, checked and audited."""
        self._export_report("pdf", stats, Path(out), lambda target: render(stats, target))

    def export_report_csv(self, stats: Statistics, out: Path, rows: list[list[str]]) -> None:
        """The report's tables as one CSV file (the rows as the Reports tab lays them out)."""
        self._export_report(
            "csv", stats, Path(out), lambda target: write_csv(target, rows[0], rows[1:])
        )

    def export_week(self, doctor_id: int, layout: WeekLayout, out: Path) -> None:
        """A doctor's week as a printable PDF (a doctor may print their own)."""
        self._export(
            "week",
            "doctor",
            doctor_id,
            Path(out),
            lambda target: self._render_week(doctor_id, layout, target),
            lambda _result: {
                "file": str(Path(out).resolve()),
                "week": layout.monday.isoformat(),
            },
            doctor_id=doctor_id,
        )

    def _render_week(self, doctor_id: int, layout: WeekLayout, target: Path) -> None:
        from hospital_desktop.core.reports.week_pdf import render_doctor_week

        with self._uow() as uow:
            doctor = require(uow.doctors.get(doctor_id), "doctor", doctor_id)
            doctor_name = doctor.name
            hospital_name = doctor.hospital.name if doctor.hospital is not None else ""
        render_doctor_week(
            layout,
            target,
            doctor_name=doctor_name,
            hospital_name=hospital_name,
            generated_by=self._generated_by(),
            generated_at=utc_now(),
        )

    def _export_report(
        self, what: str, stats: Statistics, out: Path, write: Callable[[Path], object]
    ) -> None:
        entity, record_id = report_subject(stats)
        self._export(what, entity, record_id, out, write, lambda _result: report_detail(stats, out))

    def _export(
        self,
        what: str,
        entity: str,
        record_id: int | None,
        out: Path,
        write: Callable[[Path], T],
        detail: Callable[[T], dict],
        *,
        doctor_id: int | None = None,
    ) -> T:
        """Every export: the permission first, the file written whole (or not at all), then
        one audit entry saying what left and where to."""
        self._require(Permission.EXPORT, f"export-{what}", doctor_id=doctor_id)
        result = _write_whole(out, write)
        with self._uow() as uow:
            self._audit(uow, f"export-{what}", entity, record_id, None, detail(result))
            uow.commit()
        return result

    def record_export(self, what: str, entity: str, record_id: int | None, detail: dict) -> None:
        """An export (PDF, CSV, print) leaves the application: the trail says who took what."""
        self._require(Permission.EXPORT, f"export-{what}")
        with self._uow() as uow:
            self._audit(uow, f"export-{what}", entity, record_id, None, detail)
            uow.commit()

    def satisfaction(self, appointment_id: int) -> tuple[int | None, str]:
        """The score and comment given so far (to show them before they are changed)."""
        self._require(Permission.VIEW_PATIENTS, "view-appointment")
        with self._uow() as uow:
            appointment = require(
                uow.session.get(Appointment, appointment_id), "appointment", appointment_id
            )
            return appointment.satisfaction_score, appointment.satisfaction_comment

    def record_satisfaction(
        self,
        appointment_id: int,
        score: int | str | None,
        comment: str = "",
        expected_version: int | None = None,
    ) -> AppointmentRecord:
        """The patient's 1-5 score (and a comment) for a fulfilled appointment, given at the
        front desk (with the booking permission: a doctor does not score their own visits)."""
        self._require(Permission.BOOK, "record-satisfaction")
        check = FieldChecker()
        try:
            value = int(str(score).strip()) if score is not None and str(score).strip() else None
        except ValueError:
            value = None
        if value is None or not 1 <= value <= 5:
            check.fail("satisfaction_score", "Give a score from 1 (poor) to 5 (excellent).")
        text = check.text("satisfaction_comment", "Comment", comment, max_length=2000)
        check.done()
        with self._uow() as uow:
            appointment = require(
                uow.session.get(Appointment, appointment_id), "appointment", appointment_id
            )
            check_version(appointment, "appointment", expected_version)
            if appointment.status != AppointmentStatus.FULFILLED.value:
                raise ValidationError(
                    {
                        "satisfaction_score": "A score can be given once the appointment has "
                        "taken place (completed)."
                    }
                )
            before = {
                "satisfaction_score": appointment.satisfaction_score,
                "satisfaction_comment": appointment.satisfaction_comment,
            }
            appointment.satisfaction_score = value
            appointment.satisfaction_comment = text
            uow.session.flush()
            self._audit(
                uow,
                "record-satisfaction",
                "appointment",
                appointment_id,
                before,
                {"satisfaction_score": value, "satisfaction_comment": text},
            )
            uow.commit()
            record = require(
                uow.appointments.record_by_id(appointment_id), "appointment", appointment_id
            )
        self._changes.publish(Change.of(Entity.APPOINTMENT, appointment_id))
        return record

    def _record_view(self, uow: UnitOfWork, entity: str, record_id: int, period: Period) -> None:
        """Who looked at which figures, for which period: reports are audited too."""
        write_entry(
            uow,
            self._actor,
            "view-report",
            entity=entity,
            record_id=record_id,
            changes={"period": [None, period.describe()]},
        )
        uow.commit()

    def _generated_by(self) -> str:
        return self._actor.username if self._actor is not None else "(set-up, no user)"


def report_subject(stats: Statistics) -> tuple[str, int]:
    """What a report is of, as the audit trail names it."""
    if stats.doctor_id is None:
        return "hospital", stats.hospital_id
    return "doctor", stats.doctor_id


def report_detail(stats: Statistics, out: Path | None = None) -> dict[str, str]:
    detail = {
        "subject": stats.subject,
        "hospital": stats.hospital_name,
        "period": stats.period.describe(),
    }
    if out is not None:
        detail["file"] = str(Path(out).resolve())
    return detail


def _write_whole(out: Path, render: Callable[[Path], T]) -> T:
    """Render to a temporary file beside ``out`` and move it into place: a failure leaves
    no half-written file, and an existing one untouched."""
    temporary = out.with_name(f".{out.name}.part")
    try:
        result = render(temporary)
        temporary.replace(out)
        return result
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise DomainError(
            f"The file could not be written to {out}: {error.strerror or error}. "
            "Choose a folder you may write to."
        ) from error
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
