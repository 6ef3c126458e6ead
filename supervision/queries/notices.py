"""Notices, read: one function per page (lists, the register, the draft form, the detail page, the
home panels), each scoped through permissions.notices_for_user and its siblings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import abort
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Date, Integer, Select, String, bindparam, case, cast, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from .. import cache, statements
from ..audit import changes_stamp, engine_key
from ..calendar import WorkCalendar, load_calendar, request_calendar, working_days_between
from ..extensions import db
from ..filters import LIKE_ESCAPE, like_pattern
from ..models import (
    ExtensionRequest,
    Finding,
    Notice,
    NoticeItem,
    NoticeKind,
    Rectification,
    Unit,
    User,
    Verification,
)
from ..notice_deadlines import MAX_DAYS, notice_deadline_for
from ..permissions import (
    findings_for_user,
    notices_for_user,
)
from ..todo import DRAFT_READS, kept_for_user, open_notices_rows, verifiable_items
from .rows import counted, plannable, windowed

STATUSES = ["draft", "submitted", "issued", "acknowledged", "closed", "voided"]
LIVE_DRAFT_STATUSES = ("draft", "submitted")


def overdue_clause(today: date):
    return (Notice.status.in_(Notice.OPEN_STATUSES)) & (Notice.deadline < today)


def deadline_info(notice: Notice, today: date, calendar: WorkCalendar) -> dict | None:
    """Working days left (negative: overdue), for an open notice with a deadline."""
    if notice.deadline is None or notice.status not in Notice.OPEN_STATUSES:
        return None
    left = working_days_between(today, notice.deadline, calendar)
    return {
        "left": left,
        "overdue": notice.deadline < today,
        "soon": 0 <= left <= 3,
        "weekends_only": not calendar.covers(notice.deadline.year) or not calendar.covers(today.year),
    }


def item_counts(notice_ids: list[int]) -> dict[int, dict]:
    """Per notice: items in total, accepted, awaiting verification — one aggregate query."""
    if not notice_ids:
        return {}
    rows = db.session.execute(
        select(
            NoticeItem.notice_id,
            func.count(NoticeItem.id),
            func.sum(case((NoticeItem.status == "accepted", 1), else_=0)),
            func.sum(case((NoticeItem.status == "submitted", 1), else_=0)),
        )
        .where(NoticeItem.notice_id.in_(notice_ids))
        .group_by(NoticeItem.notice_id)
    ).all()
    return {nid: {"total": t, "accepted": a or 0, "submitted": s or 0} for nid, t, a, s in rows}


def _with_deadlines(notices: list[Notice], today: date) -> dict[int, dict | None]:
    calendar = request_calendar(today, *(n.deadline for n in notices))
    return {n.id: deadline_info(n, today, calendar) for n in notices}


def notice_kinds(active_only: bool = True) -> list[NoticeKind]:
    """The kinds in their order (the drafting form offers only the active ones)."""
    query = select(NoticeKind).order_by(NoticeKind.sort, NoticeKind.id)
    if active_only:
        query = query.where(NoticeKind.active.is_(True))
    return list(db.session.scalars(query))


# --- lists ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeFilters:
    """The list's filters, already parsed (the page and the API share them)."""

    status: str = ""
    kind_id: int | None = None
    unit_id: int | None = None
    year: int | None = None
    overdue: bool = False
    drafted_by_me: bool = False
    pending_extension: bool = False
    keyword: str = ""


def _keyword_clause(keyword: str):
    """The document number, the title or the unit's name (at city scale units are found by name)."""
    return _keyword_like(like_pattern(keyword))


def _keyword_like(pattern):
    """_keyword_clause for a LIKE pattern already escaped (a value or a bound parameter)."""

    def like(column):
        return column.like(pattern, escape=LIKE_ESCAPE)

    units_named = select(Unit.id).where(or_(like(Unit.name), like(Unit.short_name)))
    return or_(like(Notice.doc_number), like(Notice.title), Notice.unit_id.in_(units_named))


def _status_clause(status: str):
    if status in STATUSES:
        return Notice.status == status
    if status == "open":
        return Notice.status.in_(Notice.OPEN_STATUSES)
    return None


def filtered_notices(user: User, filters: NoticeFilters, today: date) -> Select:
    """The user's notices narrowed by the filters (unordered)."""
    clauses = [
        Notice.year == filters.year if filters.year else None,  # the year of the document number
        _status_clause(filters.status),
        Notice.kind_id == filters.kind_id if filters.kind_id else None,
        Notice.unit_id == filters.unit_id if filters.unit_id else None,
        overdue_clause(today) if filters.overdue else None,
        Notice.drafted_by_id == user.id if filters.drafted_by_me else None,
        Notice.id.in_(select(ExtensionRequest.notice_id).where(ExtensionRequest.decision.is_(None)))
        if filters.pending_extension
        else None,
        _keyword_clause(filters.keyword) if filters.keyword else None,
    ]
    return notices_for_user(user).where(*(c for c in clauses if c is not None))


# What a list row shows of a notice (rows, not ORM objects: a list page builds no Notice).
LIST_COLUMNS = (
    Notice.id,
    Notice.doc_number,
    Notice.title,
    Notice.status,
    Notice.issue_date,
    Notice.deadline,
    NoticeKind.name.label("kind_name"),
    NoticeKind.requires_rectification,
)


def _item_figures() -> tuple:
    """A list row's item counts as one correlated subquery of the row query, as text: "total
    accepted awaiting" (what item_counts reads in a query of its own). One subquery, not one per
    figure: PostgreSQL runs each for every row of the page (three index scans a row were a third
    of the statement's time)."""
    figure = (
        cast(func.count(NoticeItem.id), String)
        + " "
        + cast(func.count(case((NoticeItem.status == "accepted", 1))), String)
        + " "
        + cast(func.count(case((NoticeItem.status == "submitted", 1))), String)
    )
    of_notice = NoticeItem.notice_id == Notice.id
    return (select(figure).where(of_notice).scalar_subquery().label("items"),)


def _row_counts(*rows) -> dict[int, dict]:
    """item_counts' answer from the rows' own column (a notice without items has no entry)."""
    counts = {}
    for r in rows:
        total, accepted, submitted = r.items.split(" ")
        if total != "0":
            counts[r.id] = {"total": int(total), "accepted": int(accepted), "submitted": int(submitted)}
    return counts


def _bound_filters(asker, filters: NoticeFilters) -> tuple[tuple, list]:
    """The filters' shape (which are set) and their clauses with the values left to bind (see
    _filter_values): the list's statement is built once per shape of filters and of user."""
    status = "one" if filters.status in STATUSES else "open" if filters.status == "open" else None
    shape = (
        status,
        bool(filters.year),
        bool(filters.kind_id),
        bool(filters.unit_id),
        filters.overdue,
        filters.drafted_by_me,
        filters.pending_extension,
        bool(filters.keyword),
    )
    if asker is None:
        return shape, []
    pending = select(ExtensionRequest.notice_id).where(ExtensionRequest.decision.is_(None))
    clauses = [
        Notice.year == bindparam("year") if filters.year else None,
        Notice.status == bindparam("status") if status == "one" else None,
        Notice.status.in_(Notice.OPEN_STATUSES) if status == "open" else None,
        Notice.kind_id == bindparam("kind_id") if filters.kind_id else None,
        Notice.unit_id == bindparam("unit_id") if filters.unit_id else None,
        overdue_clause(bindparam("today", type_=Date)) if filters.overdue else None,
        Notice.drafted_by_id == asker.id if filters.drafted_by_me else None,
        Notice.id.in_(pending) if filters.pending_extension else None,
        _keyword_like(bindparam("keyword", type_=String)) if filters.keyword else None,
    ]
    return shape, [c for c in clauses if c is not None]


def _filter_values(filters: NoticeFilters, today: date) -> dict:
    return {
        "year": filters.year,
        "status": filters.status,
        "kind_id": filters.kind_id,
        "unit_id": filters.unit_id,
        "today": today,
        "keyword": like_pattern(filters.keyword) if filters.keyword else None,
    }


def _list_rows(notices: Select, *columns) -> Select:
    return (
        notices.with_only_columns(*LIST_COLUMNS, *_item_figures(), *columns)
        .select_from(Notice)
        .outerjoin(NoticeKind, NoticeKind.id == Notice.kind_id)
    )


def _notice_list_statements(user: User, filters: NoticeFilters) -> tuple:
    shape, _none = _bound_filters(None, filters)

    def rows(asker):
        notices = notices_for_user(asker).where(*_bound_filters(asker, filters)[1])
        query = _list_rows(notices, Unit.short_name.label("unit_short"), Unit.name.label("unit_name"))
        query = query.outerjoin(Unit, Unit.id == Notice.unit_id)
        return plannable(windowed(query.order_by(Notice.updated_at.desc(), Notice.id.desc())))

    def count(asker):
        return plannable(counted(notices_for_user(asker).where(*_bound_filters(asker, filters)[1])))

    return (
        statements.statement(("notice_list", shape), user, rows),
        statements.statement(("notice_list_count", shape), user, count),
    )


def _all_kinds() -> list:
    """The kinds as the list's filter offers them (id and name), inactive ones too: kept until a
    kind changes (every write of a kind is audited as `notice_kind`)."""
    built = statements.once(
        "notice_kinds_all",
        lambda: select(NoticeKind.id, NoticeKind.name).order_by(NoticeKind.sort, NoticeKind.id),
    )
    key = ("notice_kinds_all", engine_key(db.engine), changes_stamp("notice_kind"))
    return cache.derived(key, lambda: db.session.connection().execute(built).all())


def _unit_name(unit_id: int) -> str | None:
    built = statements.once("unit_name", lambda: select(Unit.name).where(Unit.id == bindparam("unit_id")))
    return db.session.connection().execute(built, {"unit_id": unit_id}).scalar()


class _ReadPage(Pagination):
    """A page of rows already read, for the pager (flask_sqlalchemy's Pagination, as db.paginate
    gives): the total is asked only when the rows cannot tell it (a full page, or none past page 1)."""

    def _query_items(self) -> list:
        return self._query_args["items"]

    def _query_count(self) -> int:
        items, total = self._query_args["items"], self._query_args["total"]
        if len(items) < self.per_page and (items or self.page == 1):
            return (self.page - 1) * self.per_page + len(items)
        return total()


def _read_page(
    rows: Select,
    count: Select,
    params: dict,
    page: int,
    per_page: int,
    kept: tuple | None = None,
    stamp: Callable[[], tuple] | None = None,
) -> Pagination:
    """One page of the built statement `rows` (`windowed`) and its total (`counted`, the same values
    bound), read on the connection (statements of columns: the ORM's execution of a select of
    columns costs more than the rows). The total, when the rows cannot tell it, is kept while
    `stamp()` (what the counted records' audit events say of them) and the values stay the same: a
    change of a notice moves its stamp, and the values hold the asking user's id and unit. `kept`
    names the count's statement (its name and the shape of user it was built for); without it the
    total is counted each time it is needed."""
    connection = db.session.connection()
    window = {**params, "page_limit": per_page, "page_offset": (page - 1) * per_page}
    items = connection.execute(rows, window).all()

    def total() -> int:
        if kept is None or stamp is None:
            return connection.execute(count, params).scalar_one()
        key = (*kept, engine_key(db.engine), stamp(), *sorted(params.items()))
        return cache.derived(key, lambda: connection.execute(count, params).scalar_one())

    return _ReadPage(items=items, total=total, page=page, per_page=per_page, error_out=False)


def notice_list_page(user: User, filters: NoticeFilters, page: int, today: date) -> dict:
    """通知书: the filtered list, 20 a page, with item counts and working days left."""
    rows, count = _notice_list_statements(user, filters)
    params = statements.values(user, **_filter_values(filters, today))
    # A keyword finds notices by their unit's names too: a unit's change moves the total.
    kept = ("notice_list_count", _bound_filters(None, filters)[0], statements.shape(user))
    result = _read_page(rows, count, params, page, 20, kept, lambda: changes_stamp("notice", "unit"))
    # A link from elsewhere may pass ?unit=<id>: the page shows the unit's name as a removable chip.
    unit_id = filters.unit_id
    return {
        "page": result,
        "counts": _row_counts(*result.items),
        "info": _with_deadlines(result.items, today),
        "kinds": _all_kinds(),
        "unit_name": _unit_name(unit_id) if unit_id else None,
    }


def _unit_notices_statements(user: User) -> tuple:
    """The unit's page in one statement: its open notices (nearest deadline first) and a page of its
    closed and voided ones (newest first), each row saying which it is and how many of its kind
    there are (window functions over the unit's few notices, which the sort reads anyway); and the
    count of the closed ones, for a page past the end. One statement, not three: on PostgreSQL each
    costs the app more than the rows do."""
    open_ = Notice.status.in_(Notice.OPEN_STATUSES)

    def rows(asker):
        mine = (
            notices_for_user(asker)
            .with_only_columns(
                Notice.id.label("notice_id"),
                open_.label("is_open"),
                func.row_number()
                .over(partition_by=open_, order_by=(Notice.issue_date.desc(), Notice.id.desc()))
                .label("rank"),
                func.count().over(partition_by=open_).label("of_kind"),
            )
            .subquery("mine")
        )
        in_window = (mine.c.rank > bindparam("page_offset", type_=Integer)) & (
            mine.c.rank <= bindparam("page_end", type_=Integer)
        )
        query = (
            _list_rows(select(Notice), mine.c.is_open, mine.c.of_kind)
            .join(mine, mine.c.notice_id == Notice.id)
            .where(or_(mine.c.is_open, in_window))
            .order_by(
                mine.c.is_open.desc(),
                case((mine.c.is_open, Notice.deadline)),  # the open ones as they were: deadline, id
                case((mine.c.is_open, Notice.id), else_=mine.c.rank),
            )
        )
        return plannable(query)

    def closed_count(asker):
        return plannable(counted(notices_for_user(asker).where(Notice.status.not_in(Notice.OPEN_STATUSES))))

    return (
        statements.statement("unit_notices", user, rows),
        statements.statement("unit_notices_closed_count", user, closed_count),
    )


class _UnitClosedPage(Pagination):
    """The closed notices' page, of rows already read: they carry their total; only a page past the
    end counts apart."""

    def _query_items(self) -> list:
        return self._query_args["items"]

    def _query_count(self) -> int:
        if self.items:
            return self.items[0].of_kind
        count, params = self._query_args["counting"]
        return db.session.connection().execute(count, params).scalar_one() if self.page > 1 else 0


def unit_notices_page(user: User, page: int, today: date) -> dict:
    """本单位通知: the liaison's own unit's notices, open ones first, with working days left."""
    rows, closed_count = _unit_notices_statements(user)
    params = statements.values(user)
    per_page = 20
    window = {**params, "page_offset": (page - 1) * per_page, "page_end": page * per_page}
    open_notices, closed = [], []
    for row in db.session.connection().execute(rows, window):
        (open_notices if row.is_open else closed).append(row)
    result = _UnitClosedPage(
        items=closed, counting=(closed_count, params), page=page, per_page=per_page, error_out=False
    )
    return {
        "open_notices": open_notices,
        "page": result,
        "counts": _row_counts(*open_notices, *closed),
        "info": _with_deadlines(open_notices, today),
    }


# --- the register ---------------------------------------------------------------------------


def register_query(user: User, year: int | None, prefix: str) -> Select:
    """发文登记簿: the numbered notices, by year and prefix, newest number first."""
    query = (
        notices_for_user(user)
        .options(joinedload(Notice.kind), joinedload(Notice.unit), joinedload(Notice.approved_by))
        .where(Notice.doc_number.is_not(None))
    )
    if year:
        query = query.where(Notice.year == year)
    if prefix:
        query = query.where(Notice.doc_prefix == prefix)
    return query.order_by(Notice.year.desc(), Notice.doc_prefix, Notice.seq.desc())


def register_page(user: User, year: int | None, prefix: str, page: int) -> dict:
    """The register, 50 a page, with each number series (prefix and year: count, last number)."""
    result = db.paginate(register_query(user, year, prefix), page=page, per_page=50, error_out=False)
    numbered = notices_for_user(user).where(Notice.doc_number.is_not(None)).subquery()
    series = db.session.execute(
        select(numbered.c.doc_prefix, numbered.c.year, func.count(numbered.c.id), func.max(numbered.c.seq))
        .group_by(numbered.c.doc_prefix, numbered.c.year)
        .order_by(numbered.c.year.desc(), numbered.c.doc_prefix)
    ).all()
    return {
        "page": result,
        "series": series,
        "years": sorted({s[1] for s in series}, reverse=True),
        "prefixes": sorted({s[0] for s in series}),
    }


# --- drafting -------------------------------------------------------------------------------


def findings_on_live_drafts(exclude_notice_id: int | None = None) -> Select:
    """Finding ids already on another draft or submitted notice (not yet issued)."""
    query = (
        select(NoticeItem.finding_id)
        .join(Notice, Notice.id == NoticeItem.notice_id)
        .where(Notice.status.in_(LIVE_DRAFT_STATUSES))
    )
    if exclude_notice_id:
        query = query.where(Notice.id != exclude_notice_id)
    return query


def open_findings_for_notice(actor: User, unit_id: int, notice_id: int | None = None) -> list[Finding]:
    """A unit's open findings that this user may put on a notice (and not already on another draft)."""
    query = (
        findings_for_user(actor)
        .options(selectinload(Finding.task))
        .where(
            Finding.unit_id == unit_id,
            Finding.status == "open",
            Finding.id.not_in(findings_on_live_drafts(notice_id)),
        )
        .order_by(Finding.found_on, Finding.id)
    )
    return list(db.session.scalars(query))


def units_with_open_findings(actor: User) -> list[tuple[Unit, int]]:
    """选择主送单位: units that have open findings visible to the user, with how many."""
    visible = findings_for_user(actor).with_only_columns(Finding.id).where(Finding.status == "open")
    rows = db.session.execute(
        select(Unit, func.count(Finding.id))
        .join(Finding, Finding.unit_id == Unit.id)
        .where(Finding.id.in_(visible), Finding.id.not_in(findings_on_live_drafts()))
        .group_by(Unit.id)
        .order_by(Unit.kind, Unit.id)
    ).all()
    return [(unit, count) for unit, count in rows]


def draft_form_choices(user: User, unit_id: int, notice: Notice | None = None):
    """The draft form's kinds and findings: the notice's own items first, then the unit's others."""
    kinds = notice_kinds()
    if notice is None:
        return kinds, open_findings_for_notice(user, unit_id)
    on_notice = [item.finding for item in notice.items]
    ids = {f.id for f in on_notice}
    others = open_findings_for_notice(user, unit_id, notice.id)
    return kinds, on_notice + [f for f in others if f.id not in ids]


def draft_deadline_preview(days: int | None, fixed: date | None, today: date) -> dict:
    """If issued today: the deadline the draft would get, and whether the calendar covers the year.

    Days outside 1..MAX_DAYS give no deadline: 2,900,000 working days would stall a worker for seconds.
    """
    calendar = load_calendar(today)
    result = {"today": today, "deadline": None, "weekends_only": not calendar.covers(today.year)}
    if fixed:
        result["deadline"] = fixed
    elif days is not None and 1 <= days <= MAX_DAYS:
        result["deadline"] = notice_deadline_for(Notice(time_limit_days=days), today, calendar)
    if result["deadline"] is not None:
        result["weekends_only"] = result["weekends_only"] or not calendar.covers(result["deadline"].year)
    return result


# --- detail, print and .docx ----------------------------------------------------------------


def _notice_for_page(asker) -> Select:
    return (
        notices_for_user(asker)
        .options(
            joinedload(Notice.kind),
            joinedload(Notice.unit),
            joinedload(Notice.task),
            joinedload(Notice.drafted_by),
            joinedload(Notice.approved_by),
            joinedload(Notice.acknowledged_by),
            selectinload(Notice.items).joinedload(NoticeItem.finding),
            selectinload(Notice.items)
            .selectinload(NoticeItem.rectifications)
            .joinedload(Rectification.submitted_by),
            selectinload(Notice.items).selectinload(NoticeItem.verifications).joinedload(Verification.by),
        )
        .where(Notice.id == bindparam("notice_id"))
    )


def notice_for_page_or_404(user: User, notice_id: int) -> Notice:
    """The notice with everything its page shows, in a few queries; a 404 if out of scope (the
    statement built once per shape of user, supervision/statements.py)."""
    stmt = statements.statement("notice_for_page", user, _notice_for_page)
    notice = db.session.scalars(stmt, statements.values(user, notice_id=notice_id)).one_or_none()
    if notice is None:
        abort(404)
    return notice


def _extensions() -> Select:
    return (
        select(ExtensionRequest)
        .options(joinedload(ExtensionRequest.requested_by), joinedload(ExtensionRequest.decided_by))
        .where(ExtensionRequest.notice_id == bindparam("notice_id"))
        .order_by(ExtensionRequest.id)
    )


def notice_extensions(notice: Notice) -> list[ExtensionRequest]:
    """The notice's extension requests, oldest first, with who asked and who decided."""
    stmt = statements.once("notice_extensions", _extensions)
    return list(db.session.scalars(stmt, {"notice_id": notice.id}))


def issued_deadline(notice: Notice) -> date | None:
    """The deadline as issued: an approved extension changes the deadline, not the document."""
    first = db.session.scalar(
        select(ExtensionRequest.old_deadline)
        .where(ExtensionRequest.notice_id == notice.id, ExtensionRequest.decision == "approved")
        .order_by(ExtensionRequest.id)
        .limit(1)
    )
    return first or notice.deadline


# --- home-page panels -----------------------------------------------------------------------


def liaison_panel_data(user: User, today: date) -> dict:
    """The unit's open notices, nearest deadline first, with their items counted (tuples: the rows the
    work list reads in the same request)."""
    notices = open_notices_rows(user)
    return {"notices": notices, "info": _with_deadlines(notices, today)}


def inspector_panel_data(user: User) -> dict:
    """Reports awaiting this inspector's verification (their own notices first), and their drafts:
    tuples of the columns the panel prints (the items are read once per request with the work list)."""

    def build(asker):
        return (
            notices_for_user(asker)
            .join(Unit, Unit.id == Notice.unit_id)
            .with_only_columns(
                Notice.id,
                Notice.title,
                Notice.return_reason,
                Unit.name.label("unit_name"),
                Unit.short_name.label("unit_short_name"),
            )
            .where(Notice.drafted_by_id == asker.id, Notice.status == "draft")
            .order_by(Notice.updated_at.desc())
            .limit(10)
        )

    drafts = kept_for_user(
        "inspector_drafts", user, DRAFT_READS, lambda: statements.read_rows("inspector_drafts", user, build)
    )
    return {"items": verifiable_items(user), "drafts": drafts}


def lead_panel_data(user: User, today: date) -> dict:
    """Notices awaiting sign-off, and the office's open, overdue and pending-extension counts."""
    waiting = db.session.scalars(
        notices_for_user(user)
        .options(joinedload(Notice.unit), joinedload(Notice.kind), joinedload(Notice.drafted_by))
        .where(Notice.status == "submitted")
        .order_by(Notice.updated_at)
        .limit(15)
    ).all()
    visible = notices_for_user(user).subquery()
    stats = db.session.execute(
        select(
            func.count(visible.c.id).filter(visible.c.status.in_(Notice.OPEN_STATUSES)),
            func.count(visible.c.id).filter(
                visible.c.status.in_(Notice.OPEN_STATUSES) & (visible.c.deadline < today)
            ),
            func.count(visible.c.id).filter(visible.c.status == "submitted"),
            select(func.count(ExtensionRequest.id))
            .where(ExtensionRequest.decision.is_(None))
            .scalar_subquery(),
        )
    ).one()
    return {
        "waiting": waiting,
        "open_count": stats[0],
        "overdue_count": stats[1],
        "waiting_count": stats[2],
        "pending_extensions": stats[3],
    }
