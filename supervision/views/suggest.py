"""Type-ahead pickers for filter bars: a unit or an inspector found by a few characters of the name.

A city has 600 units and 1,500 users; a filter drop-down listing all of them made every list page
render hundreds of options. The picker asks these endpoints for at most SUGGEST_LIMIT matches instead,
and `chosen_unit` / `chosen_inspector` read the choice back (by id, or by the typed name when the
browser runs no script or the user pressed Enter without picking).
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, case, or_, select

from ..extensions import db
from ..filters import SEARCH_MAX_CHARS, contains, starts_with
from ..models import Unit, User
from ..permissions import can, require, units_for_user
from .helpers import int_arg

bp = Blueprint("suggest", __name__, url_prefix="/suggest")

SUGGEST_LIMIT = 20


def _unit_matches(text: str) -> Select:
    query = units_for_user(current_user).with_only_columns(Unit.id, Unit.name, Unit.short_name, Unit.active)
    if not text:
        return query.order_by(Unit.active.desc(), Unit.kind, Unit.id)
    return query.where(
        or_(contains(Unit.name, text), contains(Unit.short_name, text), Unit.code == text)
    ).order_by(
        case((or_(Unit.name == text, Unit.short_name == text), 0), else_=1),
        case((or_(starts_with(Unit.name, text), starts_with(Unit.short_name, text)), 0), else_=1),
        Unit.active.desc(),
        Unit.kind,
        Unit.id,
    )


def _inspector_matches(text: str) -> Select:
    query = (
        select(User.id, User.display_name, User.username, Unit.name)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(User.role == "inspector")
    )
    if not text:
        return query.order_by(User.active.desc(), User.display_name, User.id)
    return query.where(or_(contains(User.display_name, text), contains(User.username, text))).order_by(
        case((User.display_name == text, 0), else_=1), User.active.desc(), User.display_name, User.id
    )


@bp.route("/units")
@require("reference.read", "search.use")
def units():
    text = request.args.get("q", "").strip()[:SEARCH_MAX_CHARS]
    rows = db.session.execute(_unit_matches(text).limit(SUGGEST_LIMIT)).all()
    return jsonify(
        [
            {
                "id": uid,
                "label": name,
                "hint": (short if short and short != name else "") + ("" if active else "（已停用）"),
            }
            for uid, name, short, active in rows
        ]
    )


@bp.route("/inspectors")
@require("tasks.read_all")
def inspectors():
    text = request.args.get("q", "").strip()[:SEARCH_MAX_CHARS]
    rows = db.session.execute(_inspector_matches(text).limit(SUGGEST_LIMIT)).all()
    return jsonify([{"id": uid, "label": name, "hint": unit or ""} for uid, name, _, unit in rows])


def _resolve(kind: str, arg: str, by_id: Select, by_text) -> tuple[int, str] | None:
    """The (id, name) chosen in a picker: the id if given and visible, else the typed text's match:
    an exact name (full or short), or the only one that contains it."""
    if int_arg(arg) is not None:
        row = db.session.execute(by_id).first()
        return (row[0], row[1]) if row else None
    text = request.args.get(f"{arg}_name", "").strip()[:SEARCH_MAX_CHARS]
    if not text:
        return None
    rows = db.session.execute(by_text(text).limit(2)).all()
    if rows and (text in (rows[0][1], rows[0][2]) or len(rows) == 1):
        return rows[0][0], rows[0][1]
    if rows:
        flash(_("有多个%(kind)s与“%(text)s”相符，请从列表中选择一个。", kind=kind, text=text), "warning")
    else:
        flash(_("没有找到名称为“%(text)s”的%(kind)s。", text=text, kind=kind), "warning")
    return None


def chosen_unit(arg: str = "unit") -> tuple[int, str] | None:
    """The unit a filter bar's picker chose, within what the viewer may see."""
    chosen = int_arg(arg)
    by_id = units_for_user(current_user).with_only_columns(Unit.id, Unit.name).where(Unit.id == chosen)
    return _resolve("单位", arg, by_id, _unit_matches)


def chosen_inspector(arg: str = "inspector") -> tuple[int, str] | None:
    """The inspector a filter bar's picker chose (only for those who may see every task)."""
    if not can(current_user, "tasks.read_all"):
        return None
    chosen = int_arg(arg)
    by_id = select(User.id, User.display_name).where(User.role == "inspector", User.id == chosen)
    return _resolve("督察员", arg, by_id, _inspector_matches)
