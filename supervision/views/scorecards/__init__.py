"""Indicator frameworks, assessment rounds, self-assessment and evaluation, scorecards, roadmap.

One blueprint; a module per screen family (endpoints stay `scorecards.<function>`).
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user

from ...permissions import can, require

bp = Blueprint("scorecards", __name__, url_prefix="/scorecards")

READ_SCORECARDS = ("scorecards.read_all", "scorecards.read_own_unit")
READ_ASSESSMENTS = ("assessments.read_all", "assessments.self_assess")
READ_ROADMAP = ("roadmap.manage", "scorecards.read_all", "roadmap.update_own_unit")


@bp.route("/")
@require(*READ_SCORECARDS)
def index():
    if can(current_user, "scorecards.read_all"):
        return redirect(url_for("scorecards.office"))
    if current_user.unit_id is None:
        abort(404)
    return redirect(url_for("scorecards.unit", unit_id=current_user.unit_id))


# The screen families register their routes on `bp` when imported.
from . import assessments, boards, frameworks, roadmap  # noqa: E402, F401
