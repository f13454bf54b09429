"""Per-user settings (exam date); attempts indexed by (user, item, time) for 오답 노트.

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learning_user_settings",
        sa.Column("user_id", sa.String(128), primary_key=True),
        sa.Column("exam_date", sa.Date(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.drop_index("ix_learning_attempts_user_item", table_name="learning_attempts")
    op.create_index("ix_learning_attempts_user_item_at", "learning_attempts", ["user_id", "item_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_learning_attempts_user_item_at", table_name="learning_attempts")
    op.create_index("ix_learning_attempts_user_item", "learning_attempts", ["user_id", "item_id"])
    op.drop_table("learning_user_settings")
