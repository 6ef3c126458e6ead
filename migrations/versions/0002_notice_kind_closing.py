"""notice kinds: their own closing paragraph (结尾语), kept on each issued notice

Revision ID: 0002kindclosing
Revises: 0001initial
Create Date: 2026-11-28 07:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0002kindclosing"
down_revision = "0001initial"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notice_kind", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closing", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closing", sa.Text(), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_column("closing")
    with op.batch_alter_table("notice_kind", schema=None) as batch_op:
        batch_op.drop_column("closing")
