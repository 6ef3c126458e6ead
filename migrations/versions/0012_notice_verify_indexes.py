"""notice indexes for "notices I may verify" and an inspector's drafts

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 01:00:00

permissions.verifiable_notices_for_user reads the notices a user drafted or that come from one of
their tasks as a union of two selects: one by drafted_by_id (with the status and updated_at of the
inspector's drafts list), one by task_id.
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE INDEX, no batch rebuild: rebuilding notice would drop its search triggers (0011).
    op.create_index("ix_notice_drafted_by_status", "notice", ["drafted_by_id", "status", "updated_at"])
    op.create_index("ix_notice_task", "notice", ["task_id"])


def downgrade():
    op.drop_index("ix_notice_task", table_name="notice")
    op.drop_index("ix_notice_drafted_by_status", table_name="notice")
