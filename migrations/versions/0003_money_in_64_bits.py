"""money in 64-bit cents

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03

Whole cents in a 32-bit column stop at 21,474,836.47; the forms accept amounts up to ten
billion, so the columns become 64-bit (SQLite's INTEGER already is).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY_COLUMNS = {
    "doctors": ["consultation_fee_cents"],
    "appointments": ["fee_cents", "payer_coverage_cents"],
}


def upgrade() -> None:
    for table, columns in MONEY_COLUMNS.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.alter_column(column, type_=sa.BigInteger(), existing_type=sa.Integer())


def downgrade() -> None:
    for table, columns in MONEY_COLUMNS.items():
        with op.batch_alter_table(table) as batch_op:
            for column in columns:
                batch_op.alter_column(column, type_=sa.Integer(), existing_type=sa.BigInteger())
