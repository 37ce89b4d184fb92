"""When the participant list was last downloaded (the staff dashboard asks for one
before an event starts).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25 15:49:03.969092
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("participants_exported_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("participants_exported_at")
