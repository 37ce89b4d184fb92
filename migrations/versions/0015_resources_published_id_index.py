"""An index of the published resources' ids: the search joins its matches to it
(an index-only scan on PostgreSQL instead of reading every record). The full-text
index keeps published resources alone (search.reindex), so a search without filters
needs no join: unpublished rows leave it here.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-25 18:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.create_index(
            "ix_resources_published_id",
            ["id"],
            unique=False,
            sqlite_where=sa.text("status = 'published'"),
            postgresql_where=sa.text("status = 'published'"),
        )
    key = "resource_id" if op.get_bind().dialect.name == "postgresql" else "rowid"
    op.execute(
        f"DELETE FROM resource_search WHERE {key} IN "
        "(SELECT id FROM resources WHERE status <> 'published')"
    )


def downgrade():
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_resources_published_id",
            sqlite_where=sa.text("status = 'published'"),
            postgresql_where=sa.text("status = 'published'"),
        )
