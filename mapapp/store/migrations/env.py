"""Alembic environment: runs against the connection that mapapp.store.schema hands over."""

from __future__ import annotations

from alembic import context

from mapapp.store.models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
