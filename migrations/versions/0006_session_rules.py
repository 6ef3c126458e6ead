"""users: last login address, forced password change, password age (session and password rules)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 20:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_login_ip", sa.String(length=64), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("must_change_password", sa.Boolean(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("password_changed_at")
        batch_op.drop_column("must_change_password")
        batch_op.drop_column("last_login_ip")
