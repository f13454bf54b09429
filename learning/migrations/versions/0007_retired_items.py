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
    # Plain ADD COLUMN on every engine: a batch (copy-and-move) of learning_items on SQLite would
    # drop the table the cards, attempts and exam items point at (FOREIGN KEY constraint failed).
    op.add_column("learning_items", sa.Column("retired", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("learning_items", sa.Column("retired_at", sa.DateTime(), nullable=True))
    op.add_column("learning_items", sa.Column("retired_by", sa.String(128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("learning_items") as batch:
        for name in ("retired_by", "retired_at", "retired"):
            batch.drop_column(name)
