"""arshjul cycle items follows reminders

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 02:36:38.855260

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CATEGORY = sa.Enum(
    "conference",
    "seminar",
    "meeting",
    "newsletter",
    "deadline",
    "activity",
    name="cycle_category",
    native_enum=False,
    length=20,
)


def upgrade():
    op.create_table(
        "cycle_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title_nb", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", CATEGORY, nullable=False),
        sa.Column(
            "audience",
            sa.Enum(
                "public",
                "owners",
                "secretariat",
                name="cycle_audience",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column(
            "recurrence_kind",
            sa.Enum(
                "fixed_date",
                "nth_weekday",
                "period",
                "rrule",
                name="cycle_recurrence_kind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("month", sa.Integer(), nullable=True),
        sa.Column("day", sa.Integer(), nullable=True),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("nth", sa.Integer(), nullable=True),
        sa.Column("end_month", sa.Integer(), nullable=True),
        sa.Column("end_day", sa.Integer(), nullable=True),
        sa.Column("rrule", sa.String(length=500), nullable=True),
        sa.Column("rrule_start", sa.Date(), nullable=True),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=True),
        sa.Column("end_time", sa.Time(), nullable=True),
        sa.Column("reminder_days", sa.Integer(), nullable=True),
        sa.Column("reminder_minutes", sa.Integer(), nullable=True),
        sa.Column("first_year", sa.Integer(), nullable=True),
        sa.Column("last_year", sa.Integer(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "reminder_days IS NULL OR reminder_days >= 0",
            name=op.f("ck_cycle_items_reminder_days_not_negative"),
        ),
        sa.CheckConstraint(
            "reminder_minutes IS NULL OR reminder_minutes >= 0",
            name=op.f("ck_cycle_items_reminder_minutes_not_negative"),
        ),
        sa.CheckConstraint("sequence >= 0", name=op.f("ck_cycle_items_sequence_not_negative")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_cycle_items_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle_items")),
    )
    with op.batch_alter_table("cycle_items", schema=None) as batch_op:
        batch_op.create_index("ix_cycle_items_category", ["category"], unique=False)

    op.create_table(
        "calendar_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_tokens_token_hash")),
    )
    with op.batch_alter_table("calendar_tokens", schema=None) as batch_op:
        # One link in use per person.
        batch_op.create_index(
            "uq_calendar_tokens_active_user",
            ["user_id"],
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )

    op.create_table(
        "cycle_follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("category", CATEGORY, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_cycle_follows_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle_follows")),
        sa.UniqueConstraint("user_id", "category", name="uq_cycle_follows_user_category"),
    )
    with op.batch_alter_table("cycle_follows", schema=None) as batch_op:
        batch_op.create_index("ix_cycle_follows_category", ["category"], unique=False)

    # The unique key sends each reminder once per item, occurrence and recipient.
    op.create_table(
        "cycle_reminders_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_key", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mail_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["cycle_items.id"],
            name=op.f("fk_cycle_reminders_sent_item_id_cycle_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["mail_id"],
            ["outbound_mail.id"],
            name=op.f("fk_cycle_reminders_sent_mail_id_outbound_mail"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_cycle_reminders_sent_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle_reminders_sent")),
        sa.UniqueConstraint(
            "item_id", "occurrence_key", "user_id", name="uq_cycle_reminders_sent_once"
        ),
    )
    with op.batch_alter_table("cycle_reminders_sent", schema=None) as batch_op:
        batch_op.create_index("ix_cycle_reminders_sent_user", ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("cycle_reminders_sent", schema=None) as batch_op:
        batch_op.drop_index("ix_cycle_reminders_sent_user")
    op.drop_table("cycle_reminders_sent")

    with op.batch_alter_table("cycle_follows", schema=None) as batch_op:
        batch_op.drop_index("ix_cycle_follows_category")
    op.drop_table("cycle_follows")

    with op.batch_alter_table("calendar_tokens", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_calendar_tokens_active_user",
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )
    op.drop_table("calendar_tokens")

    with op.batch_alter_table("cycle_items", schema=None) as batch_op:
        batch_op.drop_index("ix_cycle_items_category")
    op.drop_table("cycle_items")
