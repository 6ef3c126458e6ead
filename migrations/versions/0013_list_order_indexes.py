"""indexes in the lists' own order, for a unit's records and an inspector's findings

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 16:00:00

- finding (unit_id, found_on) and notice (unit_id, updated_at): search's unit matches and a unit's
  lists read the newest first and stop at the page, instead of every record of the units then a sort.
- finding (inspector_id, status) in place of (inspector_id): the inspector home counts an inspector's
  findings by status from the index alone.
- notice (updated_at, id) in place of (updated_at): the notices list's order whole, so PostgreSQL
  reads the page's rows and no incremental sort.
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE/DROP INDEX, no batch rebuild: rebuilding notice would drop its search triggers (0011).
    op.create_index("ix_finding_unit_found", "finding", ["unit_id", "found_on"])
    op.create_index("ix_finding_inspector_status", "finding", ["inspector_id", "status"])
    op.drop_index("ix_finding_inspector", table_name="finding")
    op.create_index("ix_notice_unit_updated", "notice", ["unit_id", "updated_at"])
    op.create_index("ix_notice_updated_id", "notice", ["updated_at", "id"])
    op.drop_index("ix_notice_updated", table_name="notice")


def downgrade():
    op.create_index("ix_notice_updated", "notice", ["updated_at"])
    op.drop_index("ix_notice_updated_id", table_name="notice")
    op.drop_index("ix_notice_unit_updated", table_name="notice")
    op.create_index("ix_finding_inspector", "finding", ["inspector_id"])
    op.drop_index("ix_finding_inspector_status", table_name="finding")
    op.drop_index("ix_finding_unit_found", table_name="finding")
