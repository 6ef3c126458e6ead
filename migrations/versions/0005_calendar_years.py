"""calendar: a confirmation per year (calendar_year) and estimated (预估) holiday rows

A year used to count as covered once it had one holiday row; now only a confirmed year (or one from
the chinese-calendar package's data) is covered, and estimated rows are marked.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 20:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=120), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"], ["user.id"], name=op.f("fk_calendar_year_confirmed_by_id_user")
        ),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_year")),
    )
    with op.batch_alter_table("holiday", schema=None) as batch_op:
        batch_op.add_column(sa.Column("estimated", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("holiday", schema=None) as batch_op:
        batch_op.drop_column("estimated")
    op.drop_table("calendar_year")
