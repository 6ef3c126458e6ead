"""The tasks panels on the lead's and the inspector's home pages."""

from __future__ import annotations

from ...models import User
from ...queries import tasks as queries
from ..helpers import url_around, url_base
from ..home_rows import task_rows


def inspector_panel(user: User):
    # each task's 记录问题 link: its URL around the task's id, built once (not a url_for per row)
    context = queries.inspector_home(user)
    context["rows"] = task_rows(
        context["tasks"], url_base("tasks.detail", "task_id"), url_around("tasks.finding_new", "task_id")
    )
    return "tasks/_home_inspector.html", context


def lead_panel(user: User):
    return "tasks/_home_lead.html", queries.lead_home(user)
