"""Each role's home page: its panels, top to bottom, in one list.

A panel is a function(user) -> (template, context). An office-wide panel shows the same to every user
of the role (figures and lists, no forms), so `main.home` keeps its HTML until the records change.
"""

from __future__ import annotations

from collections.abc import Callable

from . import dashboard, notices, reviews, scorecards, tasks
from .main import admin_overview_panel

Panel = Callable[..., tuple[str, dict]]

OFFICE_WIDE = True

HOME_PANELS: dict[str, tuple[tuple[Panel, bool], ...]] = {
    "admin": (
        (dashboard.year_strip_panel, OFFICE_WIDE),
        (admin_overview_panel, False),
    ),
    "lead": (
        (dashboard.year_strip_panel, OFFICE_WIDE),
        (notices.panels.lead_panel, OFFICE_WIDE),
        (reviews.lead_panel, OFFICE_WIDE),
        (scorecards.lead_panel, OFFICE_WIDE),
        (tasks.lead_panel, OFFICE_WIDE),
    ),
    "inspector": (
        (dashboard.inspector_work_panel, False),
        (notices.panels.inspector_panel, False),
        (reviews.reviewer_panel, False),
        (scorecards.inspector_panel, False),
        (tasks.inspector_panel, False),
    ),
    "liaison": (
        (dashboard.liaison_work_panel, False),
        (notices.panels.liaison_panel, False),
        (reviews.liaison_panel, False),
        (scorecards.liaison_panel, False),
    ),
}
