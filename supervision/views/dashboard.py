"""The lead's dashboard and the year's figures for the annual law-based government report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from ..audit import changes_stamp, engine_key
from ..cache import derived
from ..exports.annual import annual_docx
from ..extensions import db
from ..figures import GRADES, WEAKEST_READS, YEAR_READS, YearFigures, office_wide, year_figures
from ..filters import COUNTED
from ..formatting import local_today
from ..models.tasks import SEVERITIES, TASK_KINDS
from ..numbers import days_text, indicator_text, rate_text
from ..parsing import MIN_YEAR, form_int
from ..permissions import require
from ..queries.tasks import task_years
from ..todo import inspector_work, liaison_work
from ..workflow import MACHINES
from .helpers import DOCX_MIME, download
from .work_list import work_rows

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


def chosen_year() -> int:
    today = local_today()
    year = form_int(request.args.get("year"), minimum=MIN_YEAR, maximum=today.year + 1)
    return year or today.year  # a year outside the figures falls back to this year


def year_choices() -> list[int]:
    """Years that have tasks, plus the current one, newest first (one query)."""
    today = local_today()
    years = set(task_years(current_user)) | {today.year, today.year - 1}
    return sorted(years, reverse=True)


def chart_payloads(fig) -> dict:
    """Plain data for the ECharts boxes (rendered into data-* attributes; no inline script)."""
    categories = list(fig.findings_by_category)
    return {
        "findings": {
            "type": "stacked",
            "categories": categories,
            "series": [
                {"name": str(label), "data": [fig.findings_matrix.get(c, {}).get(key, 0) for c in categories]}
                for key, label in SEVERITIES.items()
            ],
        },
        "notices": {
            "type": "bar",
            "categories": [name for _, name, _ in fig.notices_by_kind],
            "series": [{"name": "发文数", "data": [n for _, _, n in fig.notices_by_kind]}],
        },
        "grades": {
            "type": "pie",
            "data": [
                {"name": g, "value": fig.files_by_grade.get(g, 0)}
                for g in GRADES
                if fig.files_by_grade.get(g)
            ],
        },
        "assessments": {
            "type": "pie",
            "data": [
                {"name": MACHINES["assessment"].label(s), "value": n}
                for s, n in fig.assessments_by_status.items()
                if n
            ],
        },
    }


@bp.route("/")
@require("dashboard.view")
def index():
    year = chosen_year()
    today = local_today()

    def context(fig) -> dict:
        return {
            "fig": fig,
            "year": year,
            "charts": chart_payloads(fig),
            "task_kinds": TASK_KINDS,
            "severities": SEVERITIES,
            "grades": GRADES,
            "assessment_machine": MACHINES["assessment"],
        }

    return render_template(
        "dashboard/index.html",
        year=year,
        years=year_choices(),
        figures_html=figures_html("dashboard/_figures.html", year, today, context),
    )


@bp.route("/annual")
@require("dashboard.view")
def annual():
    year = chosen_year()

    def context(fig) -> dict:
        return {"fig": fig, "year": year, "task_kinds": TASK_KINDS, "paragraphs": annual_paragraphs(fig)}

    return render_template(
        "dashboard/annual.html",
        year=year,
        years=year_choices(),
        figures_html=figures_html("dashboard/_annual_figures.html", year, local_today(), context),
    )


def figures_html(template: str, year: int, today: date, context: Callable[[YearFigures], dict]) -> Markup:
    """The figures' part of a page (no form, nothing of the viewer but their scope), rendered from
    `year_figures`. For the office-wide readers, who all see the same figures, it is rendered once
    per change of what the figures read (`figures.YEAR_READS`, the weakest indicators'), year, day,
    role, language and mount point; a viewer with a narrower scope has it rendered on each visit."""
    user = current_user._get_current_object()

    def render() -> Markup:
        return Markup(render_template(template, **context(year_figures(user, year, today))))

    if not office_wide(user):
        return render()
    key = (
        "figures-html",
        template,
        engine_key(db.engine),
        user.role,
        str(get_locale()),
        request.script_root,
        year,
        today,
        changes_stamp(*YEAR_READS, *WEAKEST_READS),
    )
    return derived(key, render)


@bp.route("/annual.docx")
@require("dashboard.view")
def annual_download():
    year = chosen_year()
    fig = year_figures(current_user, year, local_today())
    data = annual_docx(fig, annual_paragraphs(fig), current_app.config["OFFICE_NAME"])
    return download(data, f"{year}年度法治督察与执法监督工作数据.docx", DOCX_MIME)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{rate_text(value)}%"


def annual_paragraphs(fig) -> list[dict]:
    """The report's sentences, each with the figures in it and the list each figure comes from."""
    y = fig.year
    kinds = "、".join(f"{TASK_KINDS.get(k, k)}{n}次" for k, n in fig.tasks_by_kind.items() if n) or "0次"
    notices = "、".join(f"{name}{n}份" for _, name, n in fig.notices_by_kind if n) or "0份"
    grades = "、".join(f"{g}{fig.files_by_grade[g]}卷" for g in GRADES if fig.files_by_grade.get(g))
    escalations = "、".join(f"{k}{n}次" for k, n in fig.escalations.items() if n)
    finalized = fig.assessments_finalized
    paragraphs = [
        {
            "heading": "一、专项督察与执法监督",
            "text": (
                f"{y}年，共开展{kinds}（合计{fig.tasks_run}项），发现问题{fig.findings_counted}个，"
                f"其中严重问题{fig.findings_by_severity.get('serious', 0)}个、较重问题{fig.findings_by_severity.get('major', 0)}个。"
            ),
            "links": [
                ("督察任务", url_for("tasks.index", year=y)),
                ("发现问题", url_for("tasks.findings", year=y, status=COUNTED)),
            ],
        },
        {
            "heading": "二、通知书制发与整改落实",
            "text": (
                f"制发{notices}，共{fig.notices_issued}份（含作废{fig.notices_voided}份）；已销号{fig.notices_closed}份，"
                f"整改中{fig.notices_open}份，其中逾期{fig.notices_overdue}份。整改事项{fig.items_total}项，已通过核查{fig.items_accepted}项，"
                f"整改完成率{_pct(fig.rectification_rate)}"
                + (
                    f"；销号平均用时{days_text(fig.close_days_avg)}个工作日，最长{fig.close_days_max}个工作日"
                    if fig.close_days_avg is not None
                    else ""
                )
                + (f"。对逾期未整改的单位采取{escalations}" if escalations else "")
                + "。"
            ),
            "links": [
                ("通知书", url_for("notices.index", year=y)),
                ("逾期通知书", url_for("notices.index", year=y, overdue=1)),
                ("发文登记簿", url_for("notices.register", year=y)),
            ],
        },
        {
            "heading": "三、行政执法案卷评查",
            "text": (
                f"组织案卷评查{fig.campaigns}次，评查案卷{fig.files_reviewed}卷"
                + (f"，其中{grades}" if grades else "")
                + f"，评出优秀案卷{fig.files_excellent}卷。"
                + (f"另有{fig.files_unsettled}卷评分分歧待裁定，未计入。" if fig.files_unsettled else "")
            ),
            "links": [("案卷评查", url_for("reviews.index", year=y))],
        },
        {
            "heading": "四、法治政府建设示范指标评估",
            "text": (
                f"{fig.assessments_total}个单位参加示范创建指标评估，已定稿{finalized}个。"
                + (
                    "得分偏低的指标（短板）有："
                    + "；".join(
                        f"{line['indicator'].code} {line['indicator'].text}（全区得分率{indicator_text(line['percent'])}%）"
                        for line in fig.weakest[:5]
                    )
                    + "，已逐项制定时间表、路线图。"
                    if fig.weakest
                    else ""
                )
            ),
            "links": [("指标评估", url_for("scorecards.rounds")), ("记分卡", url_for("scorecards.index"))],
        },
    ]
    return paragraphs


def inspector_work_panel(user):
    """待办: the inspector's open work across every area, soonest first."""
    today = local_today()
    work = inspector_work(user, today)
    return "dashboard/_my_work.html", {"work": work, "rows": work_rows(work), "today": today}


def liaison_work_panel(user):
    """待办: the unit's open notices, returned items and its self-assessment, soonest first."""
    today = local_today()
    work = liaison_work(user, today)
    return "dashboard/_my_work.html", {"work": work, "rows": work_rows(work), "today": today}


def year_strip_panel(user):
    """The year at a glance on the lead's home, linking to the dashboard."""
    today = local_today()
    return "dashboard/_year_strip.html", {"fig": year_figures(user, today.year, today, details=False)}
