"""timetables, exceptions, booking fields and waitlist

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hospital_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hospital_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["hospital_id"],
            ["hospitals.id"],
            name=op.f("fk_hospital_closures_hospital_id_hospitals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hospital_closures")),
        sa.UniqueConstraint("hospital_id", "day", name=op.f("uq_hospital_closures_hospital_id")),
    )
    op.create_table(
        "doctor_absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doctor_id", sa.Integer(), nullable=False),
        sa.Column("starts_local", sa.DateTime(), nullable=False),
        sa.Column("ends_local", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "ends_local > starts_local", name=op.f("ck_doctor_absences_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["doctor_id"], ["doctors.id"], name=op.f("fk_doctor_absences_doctor_id_doctors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_doctor_absences")),
    )
    with op.batch_alter_table("doctor_absences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_doctor_absences_doctor_id"), ["doctor_id"], unique=False
        )

    op.create_table(
        "timetable_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doctor_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_minutes", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "buffer_minutes >= 0", name=op.f("ck_timetable_entries_buffer_not_negative")
        ),
        sa.CheckConstraint("slot_minutes > 0", name=op.f("ck_timetable_entries_slot_positive")),
        sa.CheckConstraint(
            "weekday BETWEEN 0 AND 6", name=op.f("ck_timetable_entries_weekday_range")
        ),
        sa.ForeignKeyConstraint(
            ["doctor_id"], ["doctors.id"], name=op.f("fk_timetable_entries_doctor_id_doctors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timetable_entries")),
    )
    with op.batch_alter_table("timetable_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_timetable_entries_doctor_id"), ["doctor_id"], unique=False
        )

    op.create_table(
        "cancelled_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["timetable_entries.id"],
            name=op.f("fk_cancelled_occurrences_entry_id_timetable_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cancelled_occurrences")),
        sa.UniqueConstraint("entry_id", "day", name=op.f("uq_cancelled_occurrences_entry_id")),
    )
    op.create_table(
        "waitlist_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("doctor_id", sa.Integer(), nullable=False),
        sa.Column("earliest_day", sa.Date(), nullable=True),
        sa.Column("latest_day", sa.Date(), nullable=True),
        sa.Column("earliest_time", sa.Time(), nullable=True),
        sa.Column("latest_time", sa.Time(), nullable=True),
        sa.Column("notes", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_waitlist_entries_appointment_id_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["doctor_id"], ["doctors.id"], name=op.f("fk_waitlist_entries_doctor_id_doctors")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_waitlist_entries_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waitlist_entries")),
    )
    with op.batch_alter_table("waitlist_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_waitlist_entries_doctor_id"), ["doctor_id"], unique=False
        )

    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("blocked_until", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("booked_outside_timetable", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("override_reason", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("arrived_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("cancelled_by", sa.String(length=100), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("cancel_reason", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("rescheduled_from_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_appointments_doctor_blocked", ["doctor_id", "blocked_until"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_appointments_rescheduled_from_id_appointments"),
            "appointments",
            ["rescheduled_from_id"],
            ["id"],
        )

    with op.batch_alter_table("hospitals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("min_notice_minutes", sa.Integer(), server_default="120", nullable=False)
        )
        batch_op.add_column(
            sa.Column("horizon_days", sa.Integer(), server_default="90", nullable=False)
        )

    # Appointments recorded so far had no buffer: they block until they end.
    op.execute("UPDATE appointments SET blocked_until = end_at")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.alter_column("blocked_until", existing_type=sa.DateTime(), nullable=False)
        batch_op.create_check_constraint(
            op.f("ck_appointments_blocked_after_end"), "blocked_until >= end_at"
        )

    if op.get_bind().dialect.name == "postgresql":
        # The database itself refuses two active appointments of one doctor that overlap,
        # buffers included. SQLite has no such constraint: the booking service writes there
        # in a serialized transaction (BEGIN IMMEDIATE) that re-checks inside it.
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        # Active appointments recorded before this version may clash; the later of each
        # clashing pair becomes 'proposed', for the front desk to sort out, rather than
        # the upgrade failing at every workstation.
        op.execute(
            "UPDATE appointments AS later SET status = 'proposed', notes = notes || "
            "CASE WHEN notes = '' THEN '' ELSE ' ' END || "
            "'[Upgrade: clashed with another booking of this doctor]' "
            "WHERE later.status IN ('booked', 'arrived', 'checked-in') AND EXISTS ("
            "SELECT 1 FROM appointments AS earlier WHERE earlier.doctor_id = later.doctor_id "
            "AND earlier.id < later.id AND earlier.status IN ('booked', 'arrived', 'checked-in') "
            "AND earlier.start_at < later.end_at AND later.start_at < earlier.end_at)"
        )
        op.execute(
            "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_no_double_booking "
            "EXCLUDE USING gist (doctor_id WITH =, tsrange(start_at, blocked_until) WITH &&) "
            "WHERE (status IN ('booked', 'arrived', 'checked-in') AND archived_at IS NULL)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE appointments DROP CONSTRAINT ex_appointments_no_double_booking")
    with op.batch_alter_table("hospitals", schema=None) as batch_op:
        batch_op.drop_column("horizon_days")
        batch_op.drop_column("min_notice_minutes")

    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_appointments_rescheduled_from_id_appointments"), type_="foreignkey"
        )
        batch_op.drop_constraint(op.f("ck_appointments_blocked_after_end"), type_="check")
        batch_op.drop_index("ix_appointments_doctor_blocked")
        batch_op.drop_column("rescheduled_from_id")
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_by")
        batch_op.drop_column("cancelled_at")
        batch_op.drop_column("arrived_at")
        batch_op.drop_column("override_reason")
        batch_op.drop_column("booked_outside_timetable")
        batch_op.drop_column("blocked_until")

    with op.batch_alter_table("waitlist_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_waitlist_entries_doctor_id"))

    op.drop_table("waitlist_entries")
    op.drop_table("cancelled_occurrences")
    with op.batch_alter_table("timetable_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timetable_entries_doctor_id"))

    op.drop_table("timetable_entries")
    with op.batch_alter_table("doctor_absences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_doctor_absences_doctor_id"))

    op.drop_table("doctor_absences")
    op.drop_table("hospital_closures")
