"""The reviews panels on the home page: a reviewer's files to score, the lead's campaigns under way,
a liaison's published results and the lists still wanted from their unit."""

from __future__ import annotations

from ...models import User
from ...queries import reviews as q


def reviewer_panel(user: User):
    return "reviews/_panel_reviewer.html", q.reviewer_panel(user)


def lead_panel(user: User):
    return "reviews/_panel_lead.html", q.lead_panel(user)


def liaison_panel(user: User):
    return "reviews/_panel_liaison.html", q.liaison_panel(user)
