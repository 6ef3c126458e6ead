"""The inspector pool (督察员库): who the office's inspectors are, their terms and current workload."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload

from ..errors import DomainError
from ..extensions import db
from ..filters import contains
from ..formatting import local_today
from ..forms.tasks import ProfileForm
from ..models import (
    SPECIALTIES,
    AuditEvent,
    Finding,
    InspectorProfile,
    SupervisionTask,
    TaskInspector,
    Unit,
    User,
)
from ..parsing import id_arg
from ..permissions import audit_events_for_record, require, tasks_for_user
from ..services import tasks as service
from .helpers import flash_edit_error, flash_form_errors, form_version, page_arg

bp = Blueprint("inspectors", __name__, url_prefix="/inspectors")

TERMS = {
    "valid": _l("任期内"),
    "expiring": _l("90 天内届满"),
    "expired": _l("任期已届满"),
    "none": _l("未登记任期"),
}


def workload(user_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per inspector: active tasks they are on and their open findings (two grouped queries)."""
    result = {uid: {"tasks": 0, "open": 0} for uid in user_ids}
    if not user_ids:
        return result
    for uid, count in db.session.execute(
        select(TaskInspector.user_id, func.count())
        .join(SupervisionTask, SupervisionTask.id == TaskInspector.task_id)
        .where(TaskInspector.user_id.in_(user_ids), SupervisionTask.status == "active")
        .group_by(TaskInspector.user_id)
    ):
        result[uid]["tasks"] = count
    for uid, count in db.session.execute(
        select(Finding.inspector_id, func.count(Finding.id))
        .where(Finding.inspector_id.in_(user_ids), Finding.status == "open")
        .group_by(Finding.inspector_id)
    ):
        result[uid]["open"] = count
    return result


def _get_inspector_or_404(user_id: int) -> User:
    user = db.session.scalar(select(User).where(User.id == user_id, User.role == "inspector"))
    if user is None:
        abort(404)
    return user


@bp.route("/")
@require("reference.read")
def index():
    today = local_today()
    query = (
        select(User)
        .outerjoin(InspectorProfile, InspectorProfile.user_id == User.id)
        .options(joinedload(User.unit))
        .where(User.role == "inspector")
    )
    keyword = request.args.get("q", "").strip()
    specialty = request.args.get("specialty", "").strip()
    term = request.args.get("term", "")
    state = request.args.get("state", "active")
    unit_id = id_arg("unit")
    if keyword:
        query = query.where(
            or_(
                contains(User.display_name, keyword),
                contains(User.username, keyword),
                contains(InspectorProfile.certificate_no, keyword),
            )
        )
    if specialty:
        query = query.where(contains(InspectorProfile.specialties, specialty))
    if unit_id:
        query = query.where(User.unit_id == unit_id)
    if term == "valid":
        query = query.where(InspectorProfile.term_end >= today)
    elif term == "expiring":
        query = query.where(
            InspectorProfile.term_end >= today, InspectorProfile.term_end <= today + timedelta(days=90)
        )
    elif term == "expired":
        query = query.where(InspectorProfile.term_end < today)
    elif term == "none":
        query = query.where(InspectorProfile.term_end.is_(None))
    if state == "active":
        query = query.where(User.active.is_(True))
    elif state == "inactive":
        query = query.where(User.active.is_(False))
    query = query.order_by(User.unit_id, User.display_name, User.id)
    page = db.paginate(query, page=page_arg(), per_page=30, error_out=False)
    ids = [u.id for u in page.items]
    profiles = (
        {
            p.user_id: p
            for p in db.session.scalars(select(InspectorProfile).where(InspectorProfile.user_id.in_(ids)))
        }
        if ids
        else {}
    )
    rows = [(u, profiles.get(u.id)) for u in page.items]
    summary = db.session.execute(
        select(
            func.count(User.id),
            func.sum(case((InspectorProfile.term_end < today, 1), else_=0)),
        )
        .select_from(User)
        .outerjoin(InspectorProfile, InspectorProfile.user_id == User.id)
        .where(User.in_inspector_pool)
    ).one()
    units = db.session.execute(
        select(Unit.id, Unit.name)
        .where(Unit.id.in_(select(User.unit_id).where(User.role == "inspector")))
        .order_by(Unit.kind, Unit.id)
    ).all()
    return render_template(
        "inspectors/index.html",
        page=page,
        rows=rows,
        load=workload(ids),
        today=today,
        soon=today + timedelta(days=90),
        specialties=SPECIALTIES,
        terms=TERMS,
        units=units,
        summary={"total": summary[0] or 0, "expired": summary[1] or 0},
        args={"q": keyword, "specialty": specialty, "term": term, "unit": unit_id, "state": state},
    )


@bp.route("/<int:user_id>")
@require("reference.read")
def detail(user_id: int):
    inspector = _get_inspector_or_404(user_id)
    profile = service.profile_for(inspector)
    tasks = db.session.execute(
        select(SupervisionTask, TaskInspector.is_leader)
        .join(TaskInspector, TaskInspector.task_id == SupervisionTask.id)
        .where(TaskInspector.user_id == inspector.id)
        # Only the tasks the viewer may see (an inspector does not learn of tasks they are not on).
        .where(SupervisionTask.id.in_(tasks_for_user(current_user).with_only_columns(SupervisionTask.id)))
        .order_by(SupervisionTask.period_start.desc())
        .limit(50)
    ).all()
    events = list(
        db.session.scalars(
            audit_events_for_record(current_user, "user", inspector.id)
            .where(AuditEvent.action.like("inspector.%"))
            .options(joinedload(AuditEvent.actor))
            .limit(50)
        )
    )
    return render_template(
        "inspectors/detail.html",
        inspector=inspector,
        profile=profile,
        tasks=tasks,
        load=workload([inspector.id])[inspector.id],
        events=events,
        today=local_today(),
    )


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@require("tasks.manage", "admin.manage")
def edit(user_id: int):
    inspector = _get_inspector_or_404(user_id)
    profile = service.profile_for(inspector)
    form = ProfileForm(obj=profile)
    if request.method == "GET":
        form.specialties.data = profile.specialty_list if profile else []
        form.version.data = profile.version if profile else ""
    if form.validate_on_submit():
        data = form.data
        data["specialties"] = list(form.specialties.data or []) + (
            (form.specialties_other.data or "").replace("，", "、").replace(",", "、").split("、")
        )
        try:
            service.inspector_profile_save(
                actor=current_user, inspector=inspector, data=data, version=form_version(form)
            )
        except DomainError as error:
            flash_edit_error(error, form, profile)
        else:
            flash(
                _("已保存督察员“%(display_name)s”的库内信息。", display_name=inspector.display_name),
                "success",
            )
            return redirect(url_for("inspectors.detail", user_id=inspector.id))
    elif form.is_submitted():
        flash_form_errors(form)
    chosen = set(form.specialties.data or [])
    options = list(SPECIALTIES) + [s for s in chosen if s not in SPECIALTIES]
    return render_template(
        "inspectors/form.html",
        form=form,
        inspector=inspector,
        profile=profile,
        options=options,
        chosen=chosen,
    )
