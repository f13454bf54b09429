"""Initial schema: items (snapshots), cards (FSRS state per user and item), attempts.

Revision ID: 0001
Revises:
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learning_items",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("heading", sa.Text(), nullable=False),
        sa.Column("line_start", sa.Integer(), nullable=False),
        sa.Column("line_end", sa.Integer(), nullable=False),
        sa.Column("section", sa.Text(), nullable=False),
        sa.Column("source_hash", sa.String(64), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("stale_since", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "learning_cards",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("item_id", sa.String(100), sa.ForeignKey("learning_items.id"), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("stability", sa.Float(), nullable=True),
        sa.Column("difficulty", sa.Float(), nullable=True),
        sa.Column("due", sa.DateTime(), nullable=False),
        sa.Column("last_review", sa.DateTime(), nullable=True),
        sa.Column("reps", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("lapses", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("shown_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("user_id", "item_id", name="uq_learning_cards_user_item"),
    )
    op.create_index("ix_learning_cards_user_due", "learning_cards", ["user_id", "due"])
    op.create_table(
        "learning_attempts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("item_id", sa.String(100), sa.ForeignKey("learning_items.id"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("given", sa.Text(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=True),
    )
    op.create_index("ix_learning_attempts_user_at", "learning_attempts", ["user_id", "at"])
    op.create_index("ix_learning_attempts_user_item", "learning_attempts", ["user_id", "item_id"])


def downgrade() -> None:
    op.drop_table("learning_attempts")
    op.drop_table("learning_cards")
    op.drop_table("learning_items")
