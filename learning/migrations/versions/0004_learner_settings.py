"""Per-learner study settings: the plan's daily budget and target, the desired retention and
FSRS parameters fitted to the learner (all nullable: NULL means the default, so every row
recorded before keeps its meaning).

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("learning_user_settings") as batch:
        batch.add_column(sa.Column("per_day", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("target", sa.Float(), nullable=True))
        batch.add_column(sa.Column("desired_retention", sa.Float(), nullable=True))
        batch.add_column(sa.Column("fsrs_parameters", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("fsrs_fitted_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("learning_user_settings") as batch:
        for name in ("fsrs_fitted_at", "fsrs_parameters", "desired_retention", "target", "per_day"):
            batch.drop_column(name)
