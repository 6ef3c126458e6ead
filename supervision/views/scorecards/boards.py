"""The boards: the office scorecard (ranking, bands, heatmap data, export), the indicator rollup,
and a unit's scorecard with one indicator's history."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, jsonify, render_template, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from ...exports import scorecards as exports
from ...extensions import db
from ...formatting import local_today
from ...i18n import Vocab
from ...models import RATINGS, Indicator
from ...numbers import indicator_text
from ...parsing import id_arg, year_arg
from ...permissions import get_scorecard_unit_for_user_or_404, require
from ...queries import scorecards as queries
from ...scoring_indicators import band, band_scale, is_weak
from ...services import scorecard_reports as reports
from ...services import scorecard_workbook
from ...template_gettext import current_translations
from ..helpers import XLSX_MIME, download, page_arg, url_around
from . import READ_SCORECARDS, bp
from .unit_rows import area_rows, indicator_rows, trend_rows, weak_rows

EMPTY_CHART = {
    "units": [],
    "totals": [],
    "bands": [],
    "areas": [],
    "area_names": [],
    "heat": [],
    "histogram": {"labels": [], "counts": []},
}


def _chosen_round() -> tuple[reports.RoundRef | None, list[reports.RoundRef]]:
    """The round asked for (or the newest), and every round with results (as plain values)."""
    rounds = reports.kept_round_refs()
    wanted = id_arg("round")
    chosen = next((r for r in rounds if r.id == wanted), rounds[0] if rounds else None)
    return chosen, rounds


def _heat(value: float | None) -> str:
    return "none" if value is None else ("g" if value >= 85 else ("a" if value >= 70 else "r"))


def _ranking_rows(board: dict, shown: list, unit_url: tuple[str, str]) -> Markup:
    """The ranking table's rows (50 rows of ten figures) as HTML built in Python, each value escaped
    once: each distinct area figure's cell and each band's dot are built once per request. The
    markup is the template's, byte for byte (tests/test_scorecards.py compares it)."""
    area_ids = [a.id for a in board["areas"]]
    before, after = escape(unit_url[0]), escape(unit_url[1])
    cells: dict = {}
    bands: dict = {}
    out = []
    for r in shown:
        parts = []
        for area_id in area_ids:
            value = r.areas.get(area_id)
            html = cells.get(value)
            if html is None:
                html = cells[value] = (
                    f'<td class="text-end heat-cell heat-{_heat(value)}">{escape(indicator_text(value))}</td>'
                )
            parts.append(html)
        band_of_row = r.band
        marks = bands.get(band_of_row)
        if marks is None:
            key, label = band_of_row
            # The label is a vocabulary word (translated on pages as the templates' finalize does).
            shown_label = current_translations().ugettext(label) if type(label) is Vocab else label
            marks = bands[band_of_row] = (escape(key), escape(shown_label))
        out.append(
            f"\n        <tr>\n          <td>{escape(r.rank)}</td>\n"
            f'          <td class="text-nowrap"><span class="band-dot band-{marks[0]}" title="{marks[1]}"></span>'
            f'<a href="{before}{escape(r.unit_id)}{after}">{escape(r.name)}</a></td>\n'
            f'          <td class="text-end"><span class="band-pill band-{marks[0]}">'
            f"{escape(indicator_text(r.total))}</span></td>\n"
            f"          {''.join(parts)}\n        </tr>\n      "
        )
    return Markup("".join(out))


def _drawn(board: dict, key: tuple, draw: Callable[[], Markup]) -> Markup:
    """A part of the office page drawn from the board, once per `key` (what else the part depends
    on) and this request's catalogue. The board is kept only until what it shows changes
    (`reports.office_scorecard`'s stamp), and its drawings are kept on it: they go with it."""
    drawings = board.get("_drawn")
    if drawings is None:
        drawings = board.setdefault("_drawn", {})
    key = (current_translations(), *key)
    html = drawings.get(key)
    if html is None:
        html = drawings[key] = draw()
    return html


def _partial(name: str, **context) -> Markup:
    """A partial template rendered on its own (the page includes the result as it is)."""
    return Markup(current_app.jinja_env.get_template(name).render(**context))


@bp.route("/office")
@require("scorecards.read_all")
def office():
    round_, rounds = _chosen_round()
    board = reports.office_board(round_) if round_ else None
    # The ranking is paged (the heatmap draws every unit from data.json); bands and the
    # distribution count every unit.
    per_page = 50
    total = len(board["rows"]) if board else 0
    pages = max(1, -(-total // per_page))
    page = min(page_arg(), pages)
    parts = {}
    if board:
        # Each part depends on the board, the catalogue and what its key holds (the round as read,
        # the links as this request builds them, the page): nothing of the user.
        start, stop = (page - 1) * per_page, page * per_page
        unit_url = url_around("scorecards.unit", "unit_id", year=round_.year)
        data_url = url_for("scorecards.office_data", round=round_.id)
        page_url = url_around("scorecards.office", "page", round=round_.id)
        parts = {
            "board_part": _drawn(
                board,
                ("board", round_, data_url),
                lambda: _partial(
                    "scorecards/_office_board.html",
                    round_=round_,
                    board=board,
                    band_scale=band_scale(),
                    data_url=data_url,
                ),
            ),
            "ranking": _drawn(
                board,
                ("ranking", unit_url, start, stop),
                lambda: _ranking_rows(board, board["rows"][start:stop], unit_url),
            ),
            "pager": _drawn(
                board,
                ("pager", page_url, page, pages),
                lambda: _partial(
                    "scorecards/_office_pager.html", board=board, page=page, pages=pages, page_url=page_url
                ),
            ),
        }
    return render_template("scorecards/office.html", round_=round_, rounds=rounds, board=board, **parts)


@bp.route("/office/data.json")
@require("scorecards.read_all")
def office_data():
    round_, _chosen = _chosen_round()
    if round_ is None:
        return jsonify(**EMPTY_CHART)
    return jsonify(reports.chart_data(reports.office_board(round_)))


@bp.route("/office/export.xlsx")
@require("scorecards.read_all")
def office_export():
    round_, _chosen = _chosen_round()
    if round_ is None:
        abort(404)
    board = reports.office_board(round_)
    data = exports.office_xlsx(round_, board, scorecard_workbook.office_unit_sheets(round_, board["rows"]))
    return download(data, f"{round_.year}年度指标评估记分卡.xlsx", XLSX_MIME)


@bp.route("/rollup")
@require("scorecards.read_all")
def rollup():
    round_, rounds = _chosen_round()
    data = reports.rollup(round_) if round_ else None
    units = queries.finalized_count(round_) if round_ else 0
    return render_template("scorecards/rollup.html", round_=round_, rounds=rounds, data=data, units=units)


@bp.route("/rollup/<int:indicator_id>")
@require("scorecards.read_all")
def rollup_indicator(indicator_id: int):
    """How every unit stands on one indicator in a round (two queries)."""
    round_, rounds = _chosen_round()
    indicator = db.session.get(Indicator, indicator_id)
    if round_ is None or indicator is None or indicator.framework_id != round_.framework_id:
        abort(404)
    return render_template(
        "scorecards/rollup_indicator.html",
        round_=round_,
        rounds=rounds,
        indicator=indicator,
        ratings=RATINGS,
        is_weak=is_weak,
        **queries.rollup_indicator_page(round_, indicator),
    )


@bp.route("/units/<int:unit_id>")
@require(*READ_SCORECARDS)
def unit(unit_id: int):
    unit = queries.scorecard_unit_for_page(current_user, unit_id)
    if unit is None:
        abort(404)
    return render_template(
        "scorecards/unit.html",
        unit=unit,
        band=band,
        today=local_today(),
        # The rows link to <this>/indicators/<id> (ids are integers): one url_for, not one per row.
        indicator_base=url_for("scorecards.unit", unit_id=unit.id) + "/indicators/",
        indicator_rows=indicator_rows,
        weak_rows=weak_rows,
        area_rows=area_rows,
        trend_rows=trend_rows,
        **queries.unit_page(unit, year_arg()),
    )


@bp.route("/units/<int:unit_id>/indicators/<int:indicator_id>")
@require(*READ_SCORECARDS)
def unit_indicator(unit_id: int, indicator_id: int):
    unit = get_scorecard_unit_for_user_or_404(unit_id, current_user)
    indicator = db.session.get(Indicator, indicator_id)
    if indicator is None:
        abort(404)
    return render_template(
        "scorecards/unit_indicator.html",
        unit=unit,
        indicator=indicator,
        today=local_today(),
        **queries.unit_indicator_page(current_user, unit, indicator),
    )
