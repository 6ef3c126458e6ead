"""The inspector pool (督察员库): who the office's inspectors are, their terms and current workload."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..errors import DomainError
from ..formatting import local_today
from ..forms.tasks import ProfileForm
from ..models import SPECIALTIES
from ..parsing import id_arg
from ..permissions import require
from ..queries import org as queries
from ..services import inspectors as service
from .helpers import flash_edit_error, flash_form_errors, form_version, page_arg

bp = Blueprint("inspectors", __name__, url_prefix="/inspectors")

TERMS = {
    "valid": _l("任期内"),
    "expiring": _l("90 天内届满"),
    "expired": _l("任期已届满"),
    "none": _l("未登记任期"),
}


@bp.route("/")
@require("reference.read")
def index():
    today = local_today()
    args = {
        "q": request.args.get("q", "").strip(),
        "specialty": request.args.get("specialty", "").strip(),
        "term": request.args.get("term", ""),
        "unit": id_arg("unit"),
        "state": request.args.get("state", "active"),
    }
    return render_template(
        "inspectors/index.html",
        **queries.inspectors_page(args, today, page_arg()),
        today=today,
        soon=today + queries.EXPIRY_WARNING,
        specialties=SPECIALTIES,
        terms=TERMS,
        args=args,
    )


@bp.route("/<int:user_id>")
@require("reference.read")
def detail(user_id: int):
    inspector = queries.get_inspector_or_404(user_id)
    return render_template(
        "inspectors/detail.html",
        inspector=inspector,
        profile=queries.profile_for(inspector),
        **queries.inspector_page(current_user, inspector),
        today=local_today(),
    )


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@require("tasks.manage", "admin.manage")
def edit(user_id: int):
    inspector = queries.get_inspector_or_404(user_id)
    profile = queries.profile_for(inspector)
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
