"""The notice panels on each role's home page (views/home_panels.py lists them)."""

from __future__ import annotations

from ...formatting import local_today
from ...models import User
from ...queries import notices as read


def liaison_panel(user: User):
    return "notices/_panel_liaison.html", read.liaison_panel_data(user, local_today())


def inspector_panel(user: User):
    return "notices/_panel_inspector.html", read.inspector_panel_data(user)


def lead_panel(user: User):
    return "notices/_panel_lead.html", read.lead_panel_data(user, local_today())
