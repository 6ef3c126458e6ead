"""What the task and finding pages read: one function per page, scoped to the viewer."""

from __future__ import annotations

from collections import defaultdict

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Integer, Select, String, bindparam, case, cast, func, literal_column, or_, select
from sqlalchemy.orm import aliased, joinedload
from sqlalchemy.sql import operators

from .. import cache, statements
from ..audit import changes_stamp, engine_key
from ..extensions import db
from ..filters import LIKE_ESCAPE, filter_findings, finding_filter_shape, finding_filter_values, like_pattern
from ..models import (
    DEFAULT_FINDING_CATEGORIES,
    SEVERITIES,
    TASK_KINDS,
    AssessmentRound,
    Attachment,
    AuditEvent,
    Finding,
    FindingCategory,
    Framework,
    Indicator,
    Notice,
    NoticeItem,
    SupervisionTask,
    TaskInspector,
    Unit,
    User,
    task_unit,
)
from ..permissions import (
    audit_events_for_record,
    can,
    findings_for_user,
    notices_for_user,
    tasks_for_user,
)
from ..todo import active_tasks_rows, inspector_task_counts
from ..workflow import MACHINES
from .org import inspector_pool_rows
from .rows import counted, paginate_built, paginate_rows, windowed

PER_PAGE = 20
FINDINGS_PER_PAGE = 30
SORTS = {
    "new": (SupervisionTask.period_start.desc(), SupervisionTask.id.desc()),
    "old": (SupervisionTask.period_start.asc(), SupervisionTask.id.asc()),
    "code": (SupervisionTask.code.asc(),),
    "title": (SupervisionTask.title.asc(),),
}


# PostgreSQL plans a prepared statement once (a generic plan) only when that plan does not look
# dearer than the plans made for each run's values; a LIMIT or OFFSET bound as a parameter, or a
# status compared with a bound string, makes it look so, and then every run of the list's
# statement is planned again (half of the backend's work for a page). So the window of a page and
# the fixed words the lists compare with are written into the statement's text: the window at
# each run (literal_execute: one text, and one prepared statement, per page number), the words
# once, when the statement is built.


def _literal_windows() -> bool:
    """Whether the lists write their window into the text: on PostgreSQL (see above), not on
    SQLite, whose planner, told LIMIT 30, reads all the inspector's findings by their task and
    sorts them (MULTI-INDEX OR) instead of walking the list's order: twice the page's CPU."""
    return db.engine.dialect.name == "postgresql"


def _word(value: str):
    """A fixed word of the code (a status, a severity) as an SQL literal, not a bound value."""
    if not value.isidentifier():  # the code's own words only, never a user's value
        raise ValueError(value)
    return literal_column(f"'{value}'", String)


# --- per-task figures for lists (one grouped query each) -------------------------------------


def finding_counts(task_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per task: total findings (dismissed excluded), open ones, serious ones; one grouped query."""
    if not task_ids:
        return {}
    rows = db.session.execute(
        select(
            Finding.task_id,
            func.count(Finding.id),
            func.sum(case((Finding.status == "open", 1), else_=0)),
            func.sum(case((Finding.severity == "serious", 1), else_=0)),
        )
        .where(Finding.task_id.in_(task_ids), Finding.status != "dismissed")
        .group_by(Finding.task_id)
    ).all()
    return {tid: {"total": t or 0, "open": o or 0, "serious": s or 0} for tid, t, o, s in rows}


def unit_counts(task_ids: list[int]) -> dict[int, int]:
    if not task_ids:
        return {}
    return dict(
        db.session.execute(
            select(task_unit.c.task_id, func.count())
            .where(task_unit.c.task_id.in_(task_ids))
            .group_by(task_unit.c.task_id)
        ).all()
    )


def leaders(task_ids: list[int]) -> dict[int, tuple[str, int]]:
    """Per task: (team leader's name, number of inspectors)."""
    if not task_ids:
        return {}
    rows = db.session.execute(
        select(TaskInspector.task_id, TaskInspector.is_leader, User.display_name)
        .join(User, User.id == TaskInspector.user_id)
        .where(TaskInspector.task_id.in_(task_ids))
    ).all()
    names: dict[int, str] = {}
    sizes: dict[int, int] = defaultdict(int)
    for task_id, is_leader, name in rows:
        sizes[task_id] += 1
        if is_leader:
            names[task_id] = name
    return {task_id: (names.get(task_id, ""), sizes.get(task_id, 0)) for task_id in task_ids}


def file_counts(finding_ids: list[int]) -> dict[int, int]:
    """Per finding: how many evidence files it has."""
    if not finding_ids:
        return {}
    return dict(
        db.session.execute(
            select(Attachment.owner_id, func.count(Attachment.id))
            .where(Attachment.owner_type == "finding", Attachment.owner_id.in_(finding_ids))
            .group_by(Attachment.owner_id)
        ).all()
    )


_ALL_TASK_YEARS = (
    select(SupervisionTask.__table__.c.year).distinct().order_by(SupervisionTask.__table__.c.year.desc())
)


def task_years(user: User) -> list[int]:
    """The years of the tasks the user may see, newest first (one query).

    The office's (every task) is a Core statement built once: the year pickers of the dashboard,
    the annual figures and the registers ask it on every visit."""
    if can(user, "tasks.read_all"):
        return list(db.session.execute(_ALL_TASK_YEARS).scalars())

    def build(asker):
        years = tasks_for_user(asker).with_only_columns(SupervisionTask.year)
        return years.distinct().order_by(SupervisionTask.year.desc())

    return [year for (year,) in statements.rows("task_years", user, build)]


def timeline(user: User, record_type: str, record_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            audit_events_for_record(user, record_type, record_id)
            .options(joinedload(AuditEvent.actor))
            .limit(100)
        )
    )


def task_unit_rows(task: SupervisionTask) -> list:
    """The (id, name) of the task's units, in the office's order."""
    return db.session.execute(
        select(Unit.id, Unit.name)
        .join(task_unit, task_unit.c.unit_id == Unit.id)
        .where(task_unit.c.task_id == task.id)
        .order_by(Unit.kind, Unit.id)
    ).all()


# --- the task list ---------------------------------------------------------------------------


def _filtered_tasks(query, args: dict):
    """The list's filters: status, kind, year, unit, inspector and a keyword."""
    return query.where(*_task_clauses(args))


def _task_shape(args: dict) -> tuple:
    """Which of the list's filters are set (a statement is built once for each such set)."""
    return (
        args["status"] in MACHINES["task"].statuses,
        args["kind"] in TASK_KINDS,
        bool(args["year"]),
        bool(args["unit"]),
        bool(args["inspector"]),
        bool(args["q"]),
    )


def _task_values(args: dict) -> dict:
    """The values _task_clauses binds, for a statement built with `bound` set."""
    return {
        "status": args["status"],
        "kind": args["kind"],
        "year": args["year"],
        "unit": args["unit"],
        "inspector": args["inspector"],
        "q": like_pattern(args["q"]) if args["q"] else None,
    }


def _task_clauses(args: dict, bound: bool = False) -> list:
    """The filters' clauses; with `bound`, each value is a bound parameter instead of the value
    itself (see _task_values) and the clauses suit a statement built once."""

    def value(name: str, type_=None):
        return bindparam(name, type_=type_) if bound else args[name]

    status, kind, year, unit, inspector, keyword = _task_shape(args)
    clauses = []
    if status:
        clauses.append(SupervisionTask.status == value("status"))
    if kind:
        clauses.append(SupervisionTask.kind == value("kind"))
    if year:
        clauses.append(SupervisionTask.year == value("year"))
    if unit:
        on_unit = select(task_unit.c.task_id).where(task_unit.c.unit_id == value("unit", Integer))
        clauses.append(SupervisionTask.id.in_(on_unit))
    if inspector:
        on_team = select(TaskInspector.task_id).where(TaskInspector.user_id == value("inspector"))
        clauses.append(SupervisionTask.id.in_(on_team))
    if keyword:
        pattern = bindparam("q", type_=String) if bound else like_pattern(args["q"])
        columns = (SupervisionTask.title, SupervisionTask.code, SupervisionTask.basis)
        clauses.append(or_(*(c.like(pattern, escape=LIKE_ESCAPE) for c in columns)))
    return clauses


# What a task list row shows (rows, not SupervisionTask objects).
TASK_LIST_COLUMNS = (
    SupervisionTask.id,
    SupervisionTask.code,
    SupervisionTask.title,
    SupervisionTask.kind,
    SupervisionTask.period_start,
    SupervisionTask.period_end,
    SupervisionTask.status,
)


def _row_figures(task_id) -> tuple:
    """Each task row's figures as subqueries correlated with its `task_id` (one query for the page,
    not one per figure): findings (dismissed excluded), open ones, serious ones, units, team size,
    the team leader's name.

    The findings are count(*), not count(finding.id): PostgreSQL then counts from the index on
    (task_id, status) alone (an index-only scan) instead of visiting each finding's row for its id;
    SQLite, whose index entries hold the row id, counts the same way either way. The serious ones
    are asked by each counted status (every status of a finding but dismissed): a seek on the
    whole (task_id, status, severity) index for each, not a walk over all the task's findings
    (a third of what SQLite did for the page)."""
    of_task = Finding.task_id == task_id
    counted = Finding.status != _word("dismissed")
    counted_statuses = [_word(s) for s in MACHINES["finding"].statuses if s != "dismissed"]

    def findings(*where):
        return select(func.count()).select_from(Finding).where(of_task, *where).scalar_subquery()

    on_team = TaskInspector.task_id == task_id
    return (
        findings(counted).label("findings"),
        findings(Finding.status == _word("open")).label("open_findings"),
        findings(Finding.status.in_(counted_statuses), Finding.severity == _word("serious")).label(
            "serious_findings"
        ),
        select(func.count())
        .select_from(task_unit)
        .where(task_unit.c.task_id == task_id)
        .scalar_subquery()
        .label("units"),
        select(func.count()).select_from(TaskInspector).where(on_team).scalar_subquery().label("team_size"),
        select(User.display_name)
        .join(TaskInspector, TaskInspector.user_id == User.id)
        .where(on_team, TaskInspector.is_leader.is_(True))
        .limit(1)
        .scalar_subquery()
        .label("leader"),
    )


def _on(page, key):
    """A sort key of SORTS (a task column, ascending or descending) on the derived table `page`."""
    column = page.c[key.element.key]
    return column.desc() if key.modifier is operators.desc_op else column.asc()


def _task_list_statements(user: User, args: dict) -> tuple:
    """The list's rows and its count, each built once per sort, set of filters and shape of user.

    Each row also carries the page's `total` (the count) and the `years` of every task the user
    may see (task_years, as text: "2026,2025"), each an uncorrelated subquery that the database
    runs once for the statement: a page of the list is one query, not three. The count statement
    is for a page past the end, which has no row to carry them."""
    shape = _task_shape(args)
    sort = args["sort"] if args["sort"] in SORTS else "new"
    order = SORTS[sort]
    literal = _literal_windows()

    def tasks(asker):
        return tasks_for_user(asker).where(*_task_clauses(args, bound=True))

    def rows(asker):
        # The page's rows are read by the sort itself (a derived table of its window): the figures
        # are computed for those rows only, not for every row the sort sees, and the tasks are not
        # read a second time to find the page's ids among them (PostgreSQL hashed the page's ids
        # and walked every task visible to the user for them).
        matching = tasks(asker).with_only_columns(SupervisionTask.id)
        page = windowed(tasks(asker).with_only_columns(*TASK_LIST_COLUMNS).order_by(*order), literal)
        page = page.subquery("page")
        total = select(func.count()).select_from(matching.subquery()).scalar_subquery()
        seen = tasks_for_user(asker).with_only_columns(SupervisionTask.year).distinct().subquery()
        years = select(func.aggregate_strings(cast(seen.c.year, String), ",")).scalar_subquery()
        return select(*page.c, *_row_figures(page.c.id), total.label("total"), years.label("years")).order_by(
            *(_on(page, key) for key in order)
        )

    return (
        statements.statement(("task_list", sort, shape, literal), user, rows),
        statements.statement(("task_list_count", shape), user, lambda asker: counted(tasks(asker))),
    )


class _TaskPage(Pagination):
    """A page of the task list: the rows' statement carries the total and the years (see
    _task_list_statements); only a page without rows (past the end, or nothing matches) asks the
    count and task_years apart."""

    def _query_items(self) -> list:
        rows, _count, params, _user = self._query_args["built"]
        window = {**params, "page_limit": self.per_page, "page_offset": self._query_offset}
        # Columns only: run on the session's connection, without the ORM's execution around it.
        return db.session.connection().execute(rows, window).all()

    def _query_count(self) -> int:
        _rows, count, params, user = self._query_args["built"]
        if self.items:
            first = self.items[0]
            self.years = sorted(map(int, first.years.split(",")), reverse=True)
            return first.total
        self.years = task_years(user)
        return db.session.execute(count, params).scalar_one() if self.page > 1 else 0


def task_list(user: User, args: dict, page: int) -> dict:
    """The task list: a page of the tasks the user may see, each row with its figures, and the
    years of the tasks the user may see (for the year picker)."""
    rows, count = _task_list_statements(user, args)
    params = statements.values(user, **_task_values(args))
    pager = _TaskPage(built=(rows, count, params, user), page=page, per_page=PER_PAGE, error_out=False)
    return {"page": pager, "years": pager.years}


# --- the task form and the task page ---------------------------------------------------------


def task_form_rows() -> dict:
    """The rows for the task form's unit and inspector checkbox lists (one query each)."""
    units = db.session.execute(
        select(Unit.id, Unit.name, Unit.short_name, Unit.kind, Unit.code)
        .where(Unit.active.is_(True))
        .order_by(Unit.kind, Unit.id)
    ).all()
    return {"unit_rows": units, "inspector_rows": inspector_pool_rows()}


def _severity_matrix(task: SupervisionTask, unit_names: dict[int, str]) -> tuple[list, dict]:
    """The units × severity table (one grouped query) and its totals; units without findings are summarised."""
    matrix: dict[int, dict[str, int]] = defaultdict(lambda: {k: 0 for k in SEVERITIES})
    for unit_id, severity, count in db.session.execute(
        select(Finding.unit_id, Finding.severity, func.count(Finding.id))
        .where(Finding.task_id == task.id, Finding.status != "dismissed")
        .group_by(Finding.unit_id, Finding.severity)
    ):
        matrix[unit_id][severity] = count
    rows = sorted(
        ((uid, unit_names.get(uid, ""), sev, sum(sev.values())) for uid, sev in matrix.items()),
        key=lambda row: (-row[3], row[1]),
    )
    return rows, {k: sum(r[2][k] for r in rows) for k in SEVERITIES}


def task_page(user: User, task: SupervisionTask, args: dict, page: int) -> dict:
    """The task page: its team, units, the severity table, a page of its findings, files, timeline."""
    members = list(
        db.session.scalars(
            select(TaskInspector)
            .where(TaskInspector.task_id == task.id)
            .options(joinedload(TaskInspector.user).joinedload(User.unit))
            .order_by(TaskInspector.is_leader.desc(), TaskInspector.user_id)
        )
    )
    units = task_unit_rows(task)
    unit_names = dict(units)
    matrix_rows, totals = _severity_matrix(task, unit_names)
    findings = filter_findings(select(Finding).where(Finding.task_id == task.id), args)
    pagination = finding_rows(findings, page)
    files = list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.owner_type == "task", Attachment.owner_id == task.id)
            .order_by(Attachment.uploaded_at)
        )
    )
    return {
        "members": members,
        "units": units,
        "matrix_rows": matrix_rows,
        "totals": totals,
        "page": pagination,
        "file_counts": file_counts([f.id for f in pagination.items]),
        "conflicts": [m.user for m in members if m.user.unit_id in unit_names],
        "events": timeline(user, "task", task.id),
        "files": files,
    }


def ledger_findings(task: SupervisionTask) -> list[Finding]:
    """The task's findings for its ledger export, unit by unit."""
    return list(
        db.session.scalars(
            select(Finding)
            .where(Finding.task_id == task.id)
            .options(joinedload(Finding.unit), joinedload(Finding.inspector))
            .order_by(Finding.unit_id, Finding.found_on, Finding.id)
        )
    )


# --- the finding form: the categories and indicators it offers -------------------------------


def finding_category_names(*, include_inactive: bool = False) -> list[str]:
    """The category list in order; the built-in defaults until the office has configured its own."""

    def build():
        query = select(FindingCategory.name).order_by(FindingCategory.sort_order, FindingCategory.id)
        return query if include_inactive else query.where(FindingCategory.active.is_(True))

    names = list(db.session.scalars(statements.once(("finding_categories", include_inactive), build)))
    if not names and db.session.scalar(select(func.count(FindingCategory.id))) == 0:
        return list(DEFAULT_FINDING_CATEGORIES)
    return names


def indicator_choices(current_id: int | None = None) -> list[tuple[int, str]]:
    """Scored indicators a finding may name: those of the framework of the latest round (or the
    latest framework), plus the one already named. For the finding form's select."""
    framework_id = db.session.scalar(
        select(AssessmentRound.framework_id).order_by(AssessmentRound.year.desc()).limit(1)
    ) or db.session.scalar(select(Framework.id).order_by(Framework.id.desc()).limit(1))
    if framework_id is None:
        return []
    rows = db.session.execute(
        select(Indicator.id, Indicator.code, Indicator.text)
        .where(
            Indicator.is_leaf.is_(True),
            (Indicator.framework_id == framework_id) | (Indicator.id == (current_id or 0)),
        )
        .order_by(Indicator.framework_id, Indicator.position)
    ).all()
    return [(iid, f"{code} {text if len(text) <= 40 else text[:40] + '…'}") for iid, code, text in rows]


def indicator_exists(indicator_id: int) -> bool:
    """Whether a finding may name this indicator (a scored one, of any framework)."""
    return (
        db.session.scalar(
            select(Indicator.id).where(Indicator.id == indicator_id, Indicator.is_leaf.is_(True))
        )
        is not None
    )


# --- findings --------------------------------------------------------------------------------


_INSPECTOR = aliased(User, name="inspector")  # built once: an alias costs more than the rows it joins


def _finding_columns(findings: Select) -> Select:
    """The findings table's rows of `findings` (the task's code, the unit's names and the
    inspector's name joined in), newest first."""
    inspector = _INSPECTOR
    return (
        findings.with_only_columns(
            Finding.id,
            Finding.found_on,
            Finding.task_id,
            SupervisionTask.code.label("task_code"),
            Unit.short_name.label("unit_short"),
            Unit.name.label("unit_name"),
            Finding.category,
            Finding.severity,
            Finding.description,
            inspector.display_name.label("inspector_name"),
            Finding.status,
        )
        .select_from(Finding)
        .outerjoin(SupervisionTask, SupervisionTask.id == Finding.task_id)
        .outerjoin(Unit, Unit.id == Finding.unit_id)
        .outerjoin(inspector, inspector.id == Finding.inspector_id)
        .order_by(Finding.found_on.desc(), Finding.id.desc())
    )


def finding_rows(findings: Select, page: int):
    """A page of findings as the findings table shows them (rows of its columns, no ORM objects)."""
    return paginate_rows(_finding_columns(findings), page, FINDINGS_PER_PAGE, count=findings)


def _with_file_counts(page: Select) -> Select:
    """The rows of `page` (a window of _finding_columns) and, last, each one's evidence count: the
    count read in the same statement as the rows, for the window's rows only, not a second query."""
    window = page.subquery("page")
    files = (
        select(func.count(Attachment.id))
        .where(Attachment.owner_type == "finding", Attachment.owner_id == window.c.id)
        .scalar_subquery()
    )
    return select(*window.c, files.label("files")).order_by(window.c.found_on.desc(), window.c.id.desc())


def findings_list(user: User, args: dict, task_id: int | None, page: int) -> dict:
    """Every finding the user may see, across tasks, filtered like the register export."""
    shape = (*finding_filter_shape(args), bool(task_id))

    def findings(asker):
        query = filter_findings(findings_for_user(asker), args, bound=True)
        return query.where(Finding.task_id == bindparam("task_id")) if task_id else query

    literal = _literal_windows()
    rows = statements.statement(
        ("findings_list", shape, literal),
        user,
        lambda a: _with_file_counts(windowed(_finding_columns(findings(a)), literal)),
    )
    count = statements.statement(("findings_list_count", shape), user, lambda a: counted(findings(a)))
    params = statements.values(user, task_id=task_id, **finding_filter_values(args))

    def total(run_count):
        # Counting 120k findings costs some 11 ms on PostgreSQL, every page of the list; the number
        # changes only when a finding does (or the inspector's teams, or a category's name).
        stamp = changes_stamp("finding", "task", "finding_category")
        key = ("findings_list_count", engine_key(db.engine), shape, statements.shape(user), stamp)
        return cache.derived((*key, *sorted(params.items())), run_count)

    pagination = paginate_built(rows, count, params, page, FINDINGS_PER_PAGE, total=total, core=True)
    return {"page": pagination, "file_counts": {row[0]: row[-1] for row in pagination.items if row[-1]}}


def finding_page(user: User, finding: Finding) -> dict:
    """The finding page: its evidence, timeline and the notices carrying it that the user may see."""
    evidence = list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.owner_type == "finding", Attachment.owner_id == finding.id)
            .order_by(Attachment.uploaded_at, Attachment.id)
        )
    )
    events = timeline(user, "finding", finding.id)
    # The notices that carry the finding, of those the viewer may see (a voided one too).
    notices = list(
        db.session.scalars(
            notices_for_user(user)
            .join(NoticeItem, NoticeItem.notice_id == Notice.id)
            .where(NoticeItem.finding_id == finding.id)
            .order_by(Notice.id)
        )
    )
    return {"evidence": evidence, "events": events, "notices": notices}


def categories_page() -> dict:
    """The finding categories in the office's order and how many findings use each."""
    rows = list(
        db.session.scalars(select(FindingCategory).order_by(FindingCategory.sort_order, FindingCategory.id))
    )
    usage = dict(
        db.session.execute(select(Finding.category, func.count(Finding.id)).group_by(Finding.category)).all()
    )
    return {"rows": rows, "usage": usage}


# --- home panels -----------------------------------------------------------------------------


def inspector_home(user: User) -> dict:
    """The inspector's active tasks (soonest end first, with the team leader and the findings of
    each: the rows the work list reads in the same request) and their task and finding counts, all
    from one query (todo.active_tasks_rows)."""
    tasks = active_tasks_rows(user)
    task_count, finding_count, open_count = inspector_task_counts(user)
    return {
        "tasks": tasks[:10],
        "active_count": tasks[0].total if tasks else 0,
        "task_count": task_count,
        "finding_count": finding_count,
        "open_count": open_count,
    }


def lead_home(user: User) -> dict:
    """The office's active tasks (soonest end first) and its task and finding counts."""
    tasks = list(
        db.session.scalars(
            select(SupervisionTask)
            .where(SupervisionTask.status == "active")  # drafts are counted in their own card
            .order_by(SupervisionTask.period_end, SupervisionTask.id)
            .limit(10)
        )
    )
    ids = [t.id for t in tasks]
    counts = db.session.execute(
        select(
            select(func.count(SupervisionTask.id))
            .where(SupervisionTask.status == "active")
            .scalar_subquery(),
            select(func.count(SupervisionTask.id)).where(SupervisionTask.status == "draft").scalar_subquery(),
            select(func.count(Finding.id)).where(Finding.status == "open").scalar_subquery(),
            select(func.count(Finding.id))
            .where(Finding.status == "open", Finding.severity == "serious")
            .scalar_subquery(),
        )
    ).one()
    return {
        "tasks": tasks,
        "active_count": counts[0],
        "draft_count": counts[1],
        "open_count": counts[2],
        "serious_count": counts[3],
        "finding_counts": finding_counts(ids),
        "unit_counts": unit_counts(ids),
        "leaders": leaders(ids),
    }


def finding_category_names_kept(*, include_inactive: bool = False) -> tuple[str, ...]:
    """finding_category_names, read again only when a category has changed (every change to one
    is audited as a finding_category event): the findings list's filter offers them on every page."""
    key = (
        "finding_category_names",
        engine_key(db.engine),
        include_inactive,
        changes_stamp("finding_category"),
    )
    return cache.derived(key, lambda: tuple(finding_category_names(include_inactive=include_inactive)))
