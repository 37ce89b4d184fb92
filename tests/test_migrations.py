"""The models and the Alembic migrations describe the same schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


def test_no_pending_autogenerate_diff(app):
    from eventsys.database import include_name
    from eventsys.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_name}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_schema_is_at_the_latest_revision(app):
    from alembic.script import ScriptDirectory
    from flask import current_app

    from eventsys.extensions import db

    with app.app_context():
        config = current_app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
        with db.engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_heads()
    assert len(heads) == 1, "migrations have branched: merge them"
    assert set(current) == set(heads)
