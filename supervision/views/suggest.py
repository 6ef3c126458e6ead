"""Type-ahead pickers for filter bars: a unit or an inspector found by a few characters of the name.

A city has 600 units and 1,500 users; a filter drop-down listing all of them made every list page
render hundreds of options. The picker asks these endpoints for at most SUGGEST_LIMIT matches instead,
and `chosen_unit` / `chosen_inspector` read the choice back (by id, or by the typed name when the
browser runs no script or the user pressed Enter without picking).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..filters import SEARCH_MAX_CHARS
from ..permissions import can, require
from ..queries import org as queries
from .helpers import int_arg

bp = Blueprint("suggest", __name__, url_prefix="/suggest")

SUGGEST_LIMIT = 20


@bp.route("/units")
@require("reference.read", "search.use")
def units():
    text = request.args.get("q", "").strip()[:SEARCH_MAX_CHARS]
    rows = queries.unit_suggestions(current_user, text, SUGGEST_LIMIT)
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
    rows = queries.inspector_suggestions(text, SUGGEST_LIMIT)
    return jsonify([{"id": uid, "label": name, "hint": unit or ""} for uid, name, _, unit in rows])


def _resolve(kind: str, arg: str, by_id: Callable[[int], Any], by_text: Callable[[str, int], list]):
    """The (id, name) chosen in a picker: the id if given and visible, else the typed text's match:
    an exact name (full or short), or the only one that contains it."""
    chosen = int_arg(arg)
    if chosen is not None:
        row = by_id(chosen)
        return (row[0], row[1]) if row else None
    text = request.args.get(f"{arg}_name", "").strip()[:SEARCH_MAX_CHARS]
    if not text:
        return None
    rows = by_text(text, 2)
    if rows and (text in (rows[0][1], rows[0][2]) or len(rows) == 1):
        return rows[0][0], rows[0][1]
    if rows:
        flash(_("有多个%(kind)s与“%(text)s”相符，请从列表中选择一个。", kind=kind, text=text), "warning")
    else:
        flash(_("没有找到名称为“%(text)s”的%(kind)s。", text=text, kind=kind), "warning")
    return None


def chosen_unit(arg: str = "unit") -> tuple[int, str] | None:
    """The unit a filter bar's picker chose, within what the viewer may see."""
    return _resolve(
        "单位",
        arg,
        lambda unit_id: queries.unit_choice_by_id(current_user, unit_id),
        lambda text, limit: queries.unit_suggestions(current_user, text, limit),
    )


def chosen_inspector(arg: str = "inspector") -> tuple[int, str] | None:
    """The inspector a filter bar's picker chose (only for those who may see every task)."""
    if not can(current_user, "tasks.read_all"):
        return None
    return _resolve("督察员", arg, queries.inspector_choice_by_id, queries.inspector_suggestions)
