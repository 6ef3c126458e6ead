"""findings in the list's whole order and by task, status and severity; submitted self-assessments

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 11:40:00

- finding (found_on, id) in place of (found_on): the findings list's order whole, so PostgreSQL
  reads the page's rows without sorting those of one day (an inspector's list skipped some 345 rows).
- finding (task_id, status, severity) in place of (task_id, status): the task list counts each
  task's open and serious findings from the index alone, without reading the findings' rows.
- assessment (status, submitted_at, id, unit_id, round_id): the inspector home's self-assessments to
  evaluate, and their total, from the index alone instead of every submitted assessment's row.
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_finding_found_id", "finding", ["found_on", "id"])
    op.drop_index("ix_finding_found_on", table_name="finding")
    op.create_index("ix_finding_task_status_severity", "finding", ["task_id", "status", "severity"])
    op.drop_index("ix_finding_task_status", table_name="finding")
    op.create_index(
        "ix_assessment_status_submitted",
        "assessment",
        ["status", "submitted_at", "id", "unit_id", "round_id"],
    )


def downgrade():
    op.drop_index("ix_assessment_status_submitted", table_name="assessment")
    op.create_index("ix_finding_task_status", "finding", ["task_id", "status"])
    op.drop_index("ix_finding_task_status_severity", table_name="finding")
    op.create_index("ix_finding_found_on", "finding", ["found_on"])
    op.drop_index("ix_finding_found_id", table_name="finding")
