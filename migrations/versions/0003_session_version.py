"""users: a session version, so that logout, password changes, resets and deactivation end sessions

Revision ID: 0003
Revises: 0002kindclosing
Create Date: 2026-12-01 20:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002kindclosing"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="1", nullable=False))


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("session_version")
