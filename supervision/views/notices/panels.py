"""The notice panels on each role's home page (views/home_panels.py lists them)."""

from __future__ import annotations

from ...formatting import local_today
from ...models import User
from ...queries import notices as read
from ..helpers import url_base
from ..home_rows import unit_notice_rows, verify_rows


def liaison_panel(user: User):
    context = read.liaison_panel_data(user, local_today())
    context["rows"] = unit_notice_rows(
        context["notices"], context["info"], url_base("notices.detail", "notice_id")
    )
    return "notices/_panel_liaison.html", context


def inspector_panel(user: User):
    context = read.inspector_panel_data(user)
    context["verify_rows"] = verify_rows(context["items"], url_base("notices.detail", "notice_id"))
    return "notices/_panel_inspector.html", context


def lead_panel(user: User):
    return "notices/_panel_lead.html", read.lead_panel_data(user, local_today())
