"""Accounts of a class: one row per login (name, role learner/teacher, Argon2id hash — never the
password) and one row per failed login (the lockout every app instance reads). New tables
only: nothing existing changes, every learner's record keeps its rows.

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learning_users",
        sa.Column("name", sa.String(128), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "learning_login_failures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_learning_login_failures_name_at", "learning_login_failures", ["name", "at"])


def downgrade() -> None:
    op.drop_index("ix_learning_login_failures_name_at", table_name="learning_login_failures")
    op.drop_table("learning_login_failures")
    op.drop_table("learning_users")
