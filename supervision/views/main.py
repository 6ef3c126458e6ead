"""The home page of each role, the notification centre and the health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import func, select, text

from ..audit import records_stamp
from ..cache import derived
from ..extensions import db
from ..formatting import local_today
from ..models import AuditEvent, Notification, Unit, User
from ..services.notify import notification_mark_read, notifications_mark_all_read
from ..urls import safe_next
from .helpers import page_arg

bp = Blueprint("main", __name__)


def admin_overview_panel(user: User) -> tuple[str, dict]:
    """The admin's counts of units and users and the latest audit events."""
    counts = db.session.execute(
        select(
            select(func.count(Unit.id)).where(Unit.active.is_(True)).scalar_subquery(),
            select(func.count(User.id)).where(User.active.is_(True)).scalar_subquery(),
        )
    ).one()
    recent = db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(10)
    ).all()
    return "main/_admin_overview.html", {"unit_count": counts[0], "user_count": counts[1], "recent": recent}


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
    query = (
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    if request.args.get("unread"):
        query = query.where(Notification.read_at.is_(None))
    page = db.paginate(query, page=page_arg(), per_page=30, error_out=False)
    return render_template("main/notifications.html", page=page)


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
@login_required
def notification_open(notification_id: int):
    note = db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == current_user.id
        )
    )
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
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # any failure to reach the database is reported, not raised
        db.session.rollback()
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify(status="ok" if status == 200 else "degraded", database=database), status
