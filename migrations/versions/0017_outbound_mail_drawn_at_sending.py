"""An e-mail can be written as what to draw (a maker's name and its JSON arguments)
and drawn by the mail worker when it is sent, so that a registration's request, which
holds the event's lock, does not render templates, calendar files or QR codes.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-26 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbound_mail", schema=None) as batch_op:
        batch_op.add_column(sa.Column("drawn_by", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("outbound_mail", schema=None) as batch_op:
        batch_op.drop_column("drawn_by")
