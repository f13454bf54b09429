"""The page of an item's source (PDF notes): items made from a paged file cite "p. N".

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # nullable: every item recorded before is from a file without pages
    with op.batch_alter_table("learning_items") as batch:
        batch.add_column(sa.Column("page", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("learning_items") as batch:
        batch.drop_column("page")
