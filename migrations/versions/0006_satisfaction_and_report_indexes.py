"""patient satisfaction and report indexes

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

A fulfilled appointment can carry the patient's 1-5 satisfaction score and a comment,
recorded at the front desk. The index on ``rescheduled_from_id`` lets reports leave out
appointments that were moved, without scanning the table for each one.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        batch.add_column(sa.Column("satisfaction_score", sa.SmallInteger(), nullable=True))
        batch.add_column(
            sa.Column("satisfaction_comment", sa.Text(), nullable=False, server_default="")
        )
        batch.create_check_constraint(
            op.f("ck_appointments_satisfaction_1_to_5"),
            "satisfaction_score IS NULL OR (satisfaction_score BETWEEN 1 AND 5)",
        )
    op.create_index(
        op.f("ix_appointments_rescheduled_from"), "appointments", ["rescheduled_from_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_appointments_rescheduled_from"), table_name="appointments")
    with op.batch_alter_table("appointments") as batch:
        batch.drop_constraint(op.f("ck_appointments_satisfaction_1_to_5"), type_="check")
        batch.drop_column("satisfaction_comment")
        batch.drop_column("satisfaction_score")
