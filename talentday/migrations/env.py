"""Alembic environment: runs inside the Flask application, on its database engine."""

import logging
import warnings
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from flask import current_app

config = context.config
# Logging from alembic.ini, without silencing the application's own loggers.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db


def _engine():
    return target_db.engine


config.set_main_option(
    "sqlalchemy.url", _engine().url.render_as_string(hide_password=False).replace("%", "%%")
)


def _expression_indexes() -> set[str]:
    """Indexes on expressions (the ledger's `(due_on IS NULL)`, `due_on DESC`): SQLAlchemy
    cannot reflect them on SQLite, so autogenerate would see them missing. Their migration is
    written by hand (0007); autogenerate leaves them alone on both databases."""
    return {
        index.name
        for table in target_db.metadata.tables.values()
        for index in table.indexes
        if any(not isinstance(expression, sa.Column) for expression in index.expressions)
    }


def include_object(obj, name, type_, reflected, compare_to):
    return not (type_ == "index" and name in _expression_indexes())


def run_migrations_offline():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        # An autogenerate that finds no change writes no empty revision file.
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    configure_args = dict(current_app.extensions["migrate"].configure_args)
    configure_args.setdefault("process_revision_directives", process_revision_directives)
    configure_args.setdefault("include_object", include_object)

    with _engine().connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild a SQLite table (copy, drop, rename). With foreign keys
            # enforced, the drop fails as soon as another table's rows point at the table, so
            # any populated database could not be upgraded. Off for the migration (the pragma
            # only works outside a transaction), checked and back on afterwards.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            context.configure(
                connection=connection, target_metadata=target_db.metadata, **configure_args
            )
            with context.begin_transaction(), warnings.catch_warnings():
                # Reflecting a SQLite index on an expression warns that it was skipped; those
                # indexes are left out of the comparison above.
                warnings.filterwarnings(
                    "ignore",
                    message="Skipped unsupported reflection of expression-based index",
                    category=sa.exc.SAWarning,
                )
                warnings.filterwarnings(
                    "ignore", message="autogenerate skipping metadata-specified expression-based"
                )
                context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"The migration left broken foreign keys: {broken[:10]}")
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
