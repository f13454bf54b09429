"""모의고사: one row per exam (user, when, time limit, score once submitted) and one per item in
order (the answer and its attempt once submitted). New tables only: nothing existing changes.

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learning_exams",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("minutes", sa.Float(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("correct", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=True),
    )
    op.create_index("ix_learning_exams_user_created", "learning_exams", ["user_id", "created_at"])
    op.create_table(
        "learning_exam_items",
        sa.Column("exam_id", sa.String(40), sa.ForeignKey("learning_exams.id"), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.String(100), sa.ForeignKey("learning_items.id"), nullable=False),
        sa.Column("given", sa.Text(), nullable=True),
        sa.Column("correct", sa.Boolean(), nullable=True),
        sa.Column("attempt_id", sa.Integer(), sa.ForeignKey("learning_attempts.id"), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("learning_exam_items")
    op.drop_index("ix_learning_exams_user_created", table_name="learning_exams")
    op.drop_table("learning_exams")
