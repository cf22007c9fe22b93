"""Alembic's environment for pyllm's store: migrations run on the connection the store gives
(``config.attributes["connection"]``), with pyllm's own version table. Alembic loads this file
when :meth:`pyllm.SQLStore.migrate` runs; it is not imported otherwise."""

from __future__ import annotations

from alembic import context

from pyllm.stores._schema import VERSION_TABLE, metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=True,  # SQLite alters a table by copying it
)
with context.begin_transaction():
    context.run_migrations()
