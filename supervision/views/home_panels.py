"""Each role's home page: its panels, top to bottom, in one list.

A panel is a function(user) -> (template, context). An office-wide panel shows the same to every user
of the role (figures and lists, no forms), so `main.home` keeps its HTML until the records change.
"""

from __future__ import annotations

from collections.abc import Callable

from . import dashboard
from .main import admin_overview_panel
from .notices import panels as notice_panels
from .reviews import panels as review_panels
from .scorecards import panels as scorecard_panels
from .tasks import panels as task_panels

Panel = Callable[..., tuple[str, dict]]

OFFICE_WIDE = True

HOME_PANELS: dict[str, tuple[tuple[Panel, bool], ...]] = {
    "admin": (
        (dashboard.year_strip_panel, OFFICE_WIDE),
        (admin_overview_panel, False),
    ),
    "lead": (
        (dashboard.year_strip_panel, OFFICE_WIDE),
        (notice_panels.lead_panel, OFFICE_WIDE),
        (review_panels.lead_panel, OFFICE_WIDE),
        (scorecard_panels.lead_panel, OFFICE_WIDE),
        (task_panels.lead_panel, OFFICE_WIDE),
    ),
    "inspector": (
        (dashboard.inspector_work_panel, False),
        (notice_panels.inspector_panel, False),
        (review_panels.reviewer_panel, False),
        (scorecard_panels.inspector_panel, False),
        (task_panels.inspector_panel, False),
    ),
    "liaison": (
        (dashboard.liaison_work_panel, False),
        (notice_panels.liaison_panel, False),
        (review_panels.liaison_panel, False),
        (scorecard_panels.liaison_panel, False),
    ),
}
