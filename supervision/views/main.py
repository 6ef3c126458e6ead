"""The home page of each role, the notification centre and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from markupsafe import Markup

from ..audit import changes_stamp, engine_key, records_stamp
from ..cache import derived
from ..extensions import db
from ..figures import YEAR_READS
from ..formatting import local_today
from ..models import User
from ..queries.notifications import notification_for_user, notifications_page
from ..queries.org import admin_overview
from ..services.notify import notification_mark_read, notifications_mark_all_read
from ..services.transaction import database_reachable
from ..urls import safe_next
from .helpers import page_arg

bp = Blueprint("main", __name__)


def admin_overview_panel(user: User) -> tuple[str, dict]:
    """The admin's counts of units and users and the latest audit events."""
    return "main/_admin_overview.html", admin_overview()


def _render_panel(panel, user: User) -> Markup:
    template, context = panel(user)
    return Markup(render_template(template, ctx=context))


# What each office-wide home panel reads, by record type (`audit.changes_stamp`): its HTML is kept
# until one of these changes. A panel missing here falls back to any change of the records.
PANEL_READS: dict[str, tuple[str, ...]] = {
    "supervision.views.dashboard.year_strip_panel": YEAR_READS,
    # the notices awaiting sign-off (unit, kind, drafter), the counts; extensions audit as notices
    "supervision.views.notices.panels.lead_panel": ("notice", "notice_kind", "unit", "user"),
    "supervision.views.reviews.panels.lead_panel": ("campaign", "case_file", "assignment"),
    # the latest round's board (unit names), sign-offs waiting, overdue roadmap items
    "supervision.views.scorecards.panels.lead_panel": ("assessment", "round", "roadmap", "unit", "framework"),
    # active tasks with their units and team leaders, open findings
    "supervision.views.tasks.panels.lead_panel": ("task", "finding", "unit", "user"),
}


def _panel_stamp(panel) -> tuple:
    reads = PANEL_READS.get(f"{panel.__module__}.{panel.__name__}")
    return changes_stamp(*reads) if reads is not None else ("records", records_stamp())


@bp.route("/")
@login_required
def home():
    # The lead's home gathers five areas; an office-wide panel is rendered once per change of what
    # it reads (and per day, language and role) instead of on every visit: a login or an edit of
    # another kind of record keeps it.
    from .home_panels import HOME_PANELS  # imported here: the panels' modules import this one

    # the user itself, not the proxy: a panel asks its id, role and unit some fifty times
    user = current_user._get_current_object()
    # panels: (template, context) of a panel drawn in this page's render (main/home.html includes
    # it: no render of its own, so the context processors and signals run once a page, not once a
    # panel), or (None, html) of a kept office-wide panel
    panels, key = [], None
    for panel, office_wide in HOME_PANELS.get(user.role, ()):
        if not office_wide:
            panels.append(panel(user))
            continue
        if key is None:
            url = engine_key(db.engine)
            key = (url, current_user.role, str(get_locale()), local_today())
        html = derived(
            ("home-panel", panel.__module__, panel.__name__, *key, _panel_stamp(panel)),
            lambda p=panel: _render_panel(p, current_user),
        )
        panels.append((None, html))
    return render_template("main/home.html", panels=panels)


@bp.route("/notifications")
@login_required
def notifications():
    page = notifications_page(current_user, unread_only=bool(request.args.get("unread")), page=page_arg())
    return render_template("main/notifications.html", page=page)


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
@login_required
def notification_open(notification_id: int):
    note = notification_for_user(current_user, notification_id)
    if note is None:
        return redirect(url_for("main.notifications"))
    notification_mark_read(note)
    return redirect(safe_next(note.link) or url_for("main.notifications"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def notifications_read_all():
    notifications_mark_all_read(current_user)
    return redirect(url_for("main.notifications"))


@bp.route("/healthz")
def healthz():
    database = "ok" if database_reachable() else "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify(status="ok" if status == 200 else "degraded", database=database), status
