"""The migrations build exactly the schema the models describe, on every engine."""
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from lwpwa.extensions import db


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "write a migration: flask --app wsgi db migrate -m '...'"

