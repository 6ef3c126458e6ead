"""Search across what the viewer may see: document and case numbers, units, keywords."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..filters import SEARCH_MAX_CHARS
from ..permissions import require
from ..queries.search import LIMIT, search_all
from .search_rows import hit_rows

bp = Blueprint("search", __name__, url_prefix="/search")


@bp.route("/")
@require("search.use")
def index():
    q = request.args.get("q", "").strip()
    if len(q) > SEARCH_MAX_CHARS:
        # Refused, not cut: a cut query would find things the user did not ask for.
        message = _("搜索内容过长：最多 %(n)s 个字，请缩短后再搜索。", n=SEARCH_MAX_CHARS)
        page = render_template(
            "search/index.html", q=q[:SEARCH_MAX_CHARS], results=None, total=0, limit=LIMIT, error=message
        )
        return page, 400
    results = search_all(current_user, q) if q else None
    total = sum(len(v) for v in results.values()) if results else 0
    rows = hit_rows(results) if results else None
    return render_template("search/index.html", q=q, results=results, rows=rows, total=total, limit=LIMIT)
