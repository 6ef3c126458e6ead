"""The home page of each role, the notification centre and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from markupsafe import Markup

from ..audit import records_stamp
from ..cache import derived
from ..extensions import db
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


@bp.route("/")
@login_required
def home():
    # The lead's home gathers five areas; office-wide panels are rendered once per change of the
    # records (and per day, language and role) instead of on every visit.
    from .home_panels import HOME_PANELS  # imported here: the panels' modules import this one

    panels, key = [], None
    for panel, office_wide in HOME_PANELS.get(current_user.role, ()):
        if not office_wide:
            panels.append(_render_panel(panel, current_user))
            continue
        if key is None:
            url = db.engine.url.render_as_string()
            key = (url, current_user.role, str(get_locale()), local_today(), records_stamp())
        panels.append(
            derived(
                ("home-panel", panel.__module__, panel.__name__, *key),
                lambda p=panel: _render_panel(p, current_user),
            )
        )
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
