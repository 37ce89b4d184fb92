"""Organisations get an invoice address (e-mail, postal address, reference, PEPPOL id);
contribution invoices record when and where they were e-mailed; an invoice keeps the
buyer's PEPPOL id when it is not 0192:<org_number>.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25 18:26:18.733312
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

ORGANISATION_COLUMNS = (
    ("invoice_email", sa.String(length=320)),
    ("invoice_address", sa.Text()),
    ("invoice_postcode", sa.String(length=4)),
    ("invoice_city", sa.String(length=100)),
    ("invoice_reference", sa.String(length=200)),
    ("peppol_id", sa.String(length=60)),
)


def _text(name, type_):
    # Existing rows get "": no address yet.
    return sa.Column(name, type_, nullable=False, server_default="")


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        for name, type_ in ORGANISATION_COLUMNS:
            batch_op.add_column(_text(name, type_))
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(_text("sent_to", sa.String(length=320)))
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(_text("buyer_endpoint", sa.String(length=60)))


def downgrade():
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("buyer_endpoint")
    with op.batch_alter_table("contributions", schema=None) as batch_op:
        batch_op.drop_column("sent_to")
        batch_op.drop_column("sent_at")
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        for name, _type in reversed(ORGANISATION_COLUMNS):
            batch_op.drop_column(name)
