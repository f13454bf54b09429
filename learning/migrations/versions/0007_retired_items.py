"""A teacher may retire an item: never scheduled again for anyone, its answers kept. A flag of
its own beside `stale` (which the notes set and clear), with when and by whom; every existing
item starts live (server default false), nothing else changes.

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("learning_items") as batch:
        batch.add_column(sa.Column("retired", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("retired_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("retired_by", sa.String(128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("learning_items") as batch:
        for name in ("retired_by", "retired_at", "retired"):
            batch.drop_column(name)
