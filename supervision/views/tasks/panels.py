"""The tasks panels on the lead's and the inspector's home pages."""

from __future__ import annotations

from ...models import User
from ...queries import tasks as queries


def inspector_panel(user: User):
    return "tasks/_home_inspector.html", queries.inspector_home(user)


def lead_panel(user: User):
    return "tasks/_home_lead.html", queries.lead_home(user)
