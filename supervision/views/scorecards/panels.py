"""The scorecard panels of the home page (listed per role in views/home_panels.py)."""

from __future__ import annotations

from ...formatting import local_today
from ...queries import scorecard_panels as queries
from ..helpers import url_base
from ..home_rows import evaluate_rows


def liaison_panel(user):
    """The unit's current self-assessment with its progress, and its latest total."""
    return "scorecards/_home_liaison.html", queries.liaison_panel_data(user, local_today())


def lead_panel(user):
    """The ranking summary of the latest finalized year and the assessments awaiting sign-off."""
    return "scorecards/_home_lead.html", queries.lead_panel_data(local_today())


def inspector_panel(user):
    """Submitted self-assessments waiting for an evaluation (not the inspector's own unit's)."""
    context = queries.inspector_panel_data(user)
    context["rows_html"] = evaluate_rows(context["rows"], url_base("scorecards.assessment", "assessment_id"))
    return "scorecards/_home_inspector.html", context
