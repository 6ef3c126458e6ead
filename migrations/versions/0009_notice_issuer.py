"""notice kinds: issuing authority, signature, seal owner, default 抄送, masthead offset; notices keep
the authority as issued and their own 抄送; a kind's own .docx template; review campaigns: the 通报's number and date

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 20:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

AUTHORITY = ("issuing_authority", "signature", "seal_owner")


def upgrade():
    with op.batch_alter_table("notice_kind", schema=None) as batch_op:
        for name in AUTHORITY:
            batch_op.add_column(sa.Column(name, sa.String(length=100), server_default="", nullable=False))
        batch_op.add_column(sa.Column("default_cc", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("masthead_offset_mm", sa.Integer(), server_default="35", nullable=False))
        batch_op.add_column(sa.Column("template", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("template_name", sa.String(length=200), server_default="", nullable=False))
    with op.batch_alter_table("notice", schema=None) as batch_op:
        for name in AUTHORITY:
            batch_op.add_column(sa.Column(name, sa.String(length=100), server_default="", nullable=False))
        batch_op.add_column(sa.Column("cc", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("review_campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("report_number", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("report_date", sa.Date(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_review_campaign_report_number"), ["report_number"])


def downgrade():
    with op.batch_alter_table("review_campaign", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_review_campaign_report_number"), type_="unique")
        batch_op.drop_column("report_date")
        batch_op.drop_column("report_number")
    with op.batch_alter_table("notice", schema=None) as batch_op:
        for name in (*AUTHORITY, "cc"):
            batch_op.drop_column(name)
    with op.batch_alter_table("notice_kind", schema=None) as batch_op:
        for name in (*AUTHORITY, "default_cc", "masthead_offset_mm", "template", "template_name"):
            batch_op.drop_column(name)
