"""The waiting list in queue order as a partial index, so that a registration reads the
head of the queue and counts its own place without loading the list.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-25 18:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_registrations_queue",
            ["event_id", "tier", "queue_at", "id"],
            unique=False,
            sqlite_where=sa.text("state IN ('pending', 'waitlisted')"),
            postgresql_where=sa.text("state IN ('pending', 'waitlisted')"),
        )


def downgrade():
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_index("ix_registrations_queue")
