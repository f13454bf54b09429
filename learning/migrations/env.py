"""Alembic environment for the learning record: run only through `learning.migrate`.

`learning.migrate.upgrade` hands over an open connection that already holds the migration
lock inside a transaction; nothing here reads alembic.ini or configures logging.
"""
from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
version_table = context.config.attributes.get("version_table", "learning_version")
if connection is None:  # pragma: no cover - offline/CLI use is not supported
    raise RuntimeError("learning migrations run through learning.migrate.upgrade(engine)")

context.configure(connection=connection, target_metadata=None, version_table=version_table,
                  render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
