"""accent-insensitive search

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

``hd_fold(text)``: lower case without accents, so that a search for 'zoe' finds 'Zoë'. On
SQLite the application registers the function on every connection (core/db/engine.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        # Declared immutable so it can back an index later; the unaccent rules do not change
        # under a running database.
        op.execute(
            "CREATE FUNCTION hd_fold(value text) RETURNS text LANGUAGE sql IMMUTABLE "
            "PARALLEL SAFE AS $$ SELECT lower(public.unaccent('public.unaccent', value)) $$"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION hd_fold(text)")
