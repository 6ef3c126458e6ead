"""The holiday calendar by the year: a range of days at once, the 国务院办公厅 notice pasted in, the
estimate (预估) for a year without a notice, the admin's confirmation (确认) of a year, a single
day edited or deleted, and the chinese-calendar package's days (`flask seed calendar`).

A year is covered (its deadlines carry no warning) only once confirmed, or from the chinese-calendar
package's data; days entered by hand or estimated do not cover it. Every change audited; each
function commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..audit import record_event
from ..calendar import package_days, package_years
from ..calendar_estimate import FIRST_YEAR, LAST_YEAR, estimate_holidays
from ..calendar_notice import FESTIVALS, NoticeDay, NoticeParseError, parse_notice
from ..errors import DomainError, NotAllowed
from ..extensions import db
from ..formatting import cn_date, zh_date
from ..models import CalendarYear, Holiday, User, utcnow
from ..queries.calendar import calendar_year_status, holidays_in_year
from .transaction import check_version, edit_and_audit, transactional

MAX_RANGE_DAYS = 31


def _check_admin(actor: User) -> None:
    from ..permissions import can

    if not can(actor, "admin.manage"):
        raise NotAllowed(_("只有系统管理员可以维护节假日。"))


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DomainError(_("年份应在 %(a)s 至 %(b)s 之间。", a=FIRST_YEAR, b=LAST_YEAR))


# --- entering days ----------------------------------------------------------------------------


@transactional
def holiday_add_range(*, actor: User, first: date, last: date | None, name: str, is_workday: bool) -> int:
    """Add the days first..last (one day if `last` is empty) with one name; estimated days among them
    are replaced, days already entered refuse the whole range. Returns the number of days."""
    _check_admin(actor)
    last = last or first
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写名称（如“国庆节”或“国庆节调休”）。"))
    if last < first:
        raise DomainError(_("结束日期不能早于开始日期。"))
    if (last - first).days >= MAX_RANGE_DAYS:
        raise DomainError(_("一次最多录入 %(n)s 天。", n=MAX_RANGE_DAYS))
    days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    existing = {h.day: h for h in db.session.scalars(select(Holiday).where(Holiday.day.between(first, last)))}
    taken = [d for d in days if d in existing and not existing[d].estimated]
    if taken:
        raise DomainError(
            _("%(days)s已在日历中，请直接修改该日。", days="、".join(cn_date(d) for d in taken))
        )
    for day in days:
        holiday = existing.get(day) or Holiday(day=day)
        holiday.name, holiday.is_workday, holiday.estimated = name, is_workday, False
        db.session.add(holiday)
    kind = "调休上班" if is_workday else "放假"
    span = zh_date(first) if first == last else f"{zh_date(first)}至{zh_date(last)}"
    record_event(
        actor=actor,
        action="holiday.add",
        record_type="calendar_year",
        record_id=first.year,
        summary=f"添加{span}：{name}（{kind}，{len(days)}天）",
        changes={"days": [None, [d.isoformat() for d in days]], "name": [None, name]},
    )
    return len(days)


def _add_estimate(year: int) -> int:
    """Add the estimated days of the year that are not in the table; no commit."""
    have = {h.day for h in holidays_in_year(year)}
    added = 0
    for e in estimate_holidays(year):
        if e.day not in have:
            db.session.add(Holiday(day=e.day, name=e.name, is_workday=False, estimated=True))
            added += 1
    return added


@transactional
def holidays_estimate(*, actor: User, year: int) -> int:
    """Add the estimated statutory holidays (预估) of an unconfirmed year; entered days are kept."""
    _check_admin(actor)
    _check_year(year)
    status = calendar_year_status(year, holidays_in_year(year))
    if not status.can_estimate:
        raise DomainError(_("%(y)s 年已有正式的节假日安排，无需预估。", y=year))
    added = _add_estimate(year)
    if added:
        record_event(
            actor=actor,
            action="calendar_year.estimate",
            record_type="calendar_year",
            record_id=year,
            summary=f"按往年规律预估{year}年法定节假日{added}天（未确认）",
        )
    return added


@transactional
def calendar_estimate_upcoming(today: date) -> list[int]:
    """Estimate the years after the package's data up to next year that have no rows at all.

    Run by `flask seed calendar`: deadlines set in December already run into next year.
    """
    return estimate_upcoming_years(today)


def estimate_upcoming_years(today: date) -> list[int]:
    """`calendar_estimate_upcoming` inside the caller's transaction (the demo data's)."""
    last_known = max(package_years())
    years = []
    for year in range(last_known + 1, today.year + 2):
        if (
            FIRST_YEAR <= year <= LAST_YEAR
            and not holidays_in_year(year)
            and db.session.get(CalendarYear, year) is None
        ):
            added = _add_estimate(year)
            years.append(year)
            if added:  # audited as every change of the table: pages keep the calendar until one
                record_event(
                    actor=None,
                    action="calendar_year.estimate",
                    record_type="calendar_year",
                    record_id=year,
                    summary=f"按往年规律预估{year}年法定节假日{added}天（未确认）",
                )
    return years


# --- the official notice, pasted ----------------------------------------------------------------


@dataclass(frozen=True)
class PlannedDay:
    """One line of the import preview: what saving the notice would do to this day."""

    day: date
    is_workday: bool
    name: str
    # add; replace (an estimated day the notice confirms); update; same; drop (an estimated day of a
    # festival the notice arranges otherwise); keep (a day the notice does not speak of)
    action: str
    before: str = ""
    estimated: bool = False  # the row as it is now


def _before(row: Holiday) -> str:
    return row.name + (_("（预估）") if row.estimated else "") + (_("，调休上班") if row.is_workday else "")


def holiday_import_plan(year: int, days: list[NoticeDay]) -> list[PlannedDay]:
    """What importing these days for `year` would change, day by day (for the preview)."""
    rows = {h.day: h for h in holidays_in_year(year)}
    outside = [d.day for d in days if d.day.year != year]
    rows.update({h.day: h for h in db.session.scalars(select(Holiday).where(Holiday.day.in_(outside)))})
    plan = []
    for d in days:
        row = rows.pop(d.day, None)
        if row is None:
            plan.append(PlannedDay(d.day, d.is_workday, d.name, "add"))
        elif (row.name, row.is_workday) == (d.name, d.is_workday):
            action = "replace" if row.estimated else "same"
            plan.append(PlannedDay(d.day, d.is_workday, d.name, action, "", row.estimated))
        else:
            plan.append(PlannedDay(d.day, d.is_workday, d.name, "update", _before(row), row.estimated))
    # An estimated day of a festival the notice speaks of goes; a partial paste keeps the others' estimate.
    named = {f for f in FESTIVALS if any(f in d.name for d in days)}
    for row in rows.values():
        action = "drop" if row.estimated and any(f in row.name for f in named) else "keep"
        plan.append(PlannedDay(row.day, row.is_workday, row.name, action, "", row.estimated))
    return sorted(plan, key=lambda p: p.day)


def holiday_notice_read(text: str, year: int) -> list[NoticeDay]:
    """The days of the pasted notice; a DomainError names the line that cannot be read."""
    _check_year(year)
    if not (text or "").strip():
        raise DomainError(_("请粘贴通知的正文。"))
    try:
        return parse_notice(text, year).days
    except NoticeParseError as error:
        raise DomainError(error.message) from None


@transactional
def holiday_import(*, actor: User, year: int, text: str) -> list[PlannedDay]:
    """Save the days of the pasted notice for `year`: they replace the year's estimated days and
    any entered day they name; other entered days are kept. The year is not confirmed by this."""
    _check_admin(actor)
    days = holiday_notice_read(text, year)
    plan = holiday_import_plan(year, days)
    rows = {
        h.day: h for h in db.session.scalars(select(Holiday).where(Holiday.day.in_([p.day for p in plan])))
    }
    for p in plan:
        row = rows.get(p.day)
        if p.action == "drop":
            db.session.delete(row)
        elif p.action in ("add", "replace", "update"):
            row = row or Holiday(day=p.day)
            row.name, row.is_workday, row.estimated = p.name, p.is_workday, False
            db.session.add(row)
    counts = {a: sum(1 for p in plan if p.action == a) for a in ("add", "replace", "update", "drop")}
    record_event(
        actor=actor,
        action="calendar_year.import",
        record_type="calendar_year",
        record_id=year,
        summary=(
            f"导入{year}年国务院办公厅节假日安排：{len(days)}天"
            f"（新增{counts['add']}、取代预估{counts['replace']}、修改{counts['update']}、删除预估{counts['drop']}）"
        ),
        changes={"days": [None, [f"{d.day.isoformat()} {d.name}" for d in days]]},
    )
    return plan


# --- confirming a year ------------------------------------------------------------------------


@transactional
def calendar_year_confirm(*, actor: User, year: int, source: str = "") -> CalendarYear:
    """The admin confirms the year's table as the official arrangement; estimated days left in it
    are taken as they are. From now on the year's deadlines carry no warning."""
    _check_admin(actor)
    _check_year(year)
    rows = holidays_in_year(year)
    status = calendar_year_status(year, rows)
    if status.confirmation is not None:
        raise DomainError(_("%(y)s 年的日历已经确认过。", y=year))
    if not rows:
        raise DomainError(_("%(y)s 年还没有节假日数据，不能确认。", y=year))
    accepted = [h for h in rows if h.estimated]
    for h in accepted:
        h.estimated = False
    source = (source or "").strip()[:120]
    confirmation = CalendarYear(year=year, confirmed_at=utcnow(), confirmed_by_id=actor.id, source=source)
    db.session.add(confirmation)
    record_event(
        actor=actor,
        action="calendar_year.confirm",
        record_type="calendar_year",
        record_id=year,
        summary=f"确认{year}年节假日日历（{len(rows)}天"
        + (f"，其中{len(accepted)}天原为预估" if accepted else "")
        + (f"；依据：{source}" if source else "")
        + "）",
        changes={"confirmed": [False, True], "source": [None, source]},
    )
    return confirmation


@transactional
def calendar_year_unconfirm(*, actor: User, year: int) -> None:
    """Take back a confirmation (e.g. given before the notice was in): the warning returns."""
    _check_admin(actor)
    confirmation = db.session.get(CalendarYear, year)
    if confirmation is None:
        raise DomainError(_("%(y)s 年的日历尚未确认。", y=year))
    record_event(
        actor=actor,
        action="calendar_year.unconfirm",
        record_type="calendar_year",
        record_id=year,
        summary=f"撤销{year}年节假日日历的确认",
        changes={"confirmed": [True, False]},
    )
    db.session.delete(confirmation)


# --- single days, and the package's days ------------------------------------------------------


@transactional
def holiday_save(
    *,
    actor: User,
    day: date | None,
    is_workday: bool,
    name: str,
    holiday: Holiday | None = None,
    version=None,
) -> Holiday:
    _check_admin(actor)
    if day is None:
        raise DomainError(_("请填写日期。"))
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写名称（如“国庆节”或“国庆节调休”）。"))
    other = db.session.scalar(select(Holiday).where(Holiday.day == day))
    if other is not None and other is not holiday:
        raise DomainError(_("%(days)s已在日历中，请直接修改该日。", days=zh_date(day)))
    if holiday is not None:
        check_version(holiday, version)
    is_new = holiday is None
    if holiday is None:
        holiday = Holiday()
        db.session.add(holiday)
    holiday.estimated = False  # entered or checked by the admin: no longer the app's estimate
    edit_and_audit(
        holiday,
        {"day": day, "is_workday": is_workday, "name": name},
        before={} if is_new else None,
        actor=actor,
        action="holiday.save",
        record_type="holiday",
        summary=f"{'添加' if is_new else '修改'}{zh_date(day)}：{name}（{'调休上班' if is_workday else '放假'}）",
    )
    return holiday


@transactional
def holiday_delete(*, actor: User, holiday: Holiday) -> None:
    _check_admin(actor)
    record_event(
        actor=actor,
        action="holiday.delete",
        record_type="holiday",
        record_id=holiday.id,
        summary=f"删除{zh_date(holiday.day)}：{holiday.name}",
        changes={"day": [holiday.day.isoformat(), None]},
    )
    db.session.delete(holiday)


def calendar_seed(*, actor: User | None = None, commit: bool = True) -> int:
    """Add the chinese-calendar package's holidays and 调休 days that are not in the table yet.
    Idempotent, and it never overwrites a day the admin has edited. Audited when it adds a day, as
    every change of the table (pages keep the calendar until an event of it)."""
    have = set(db.session.scalars(select(Holiday.day)))
    added: list[date] = []
    for day, is_workday, name in package_days():
        if day in have:
            continue
        db.session.add(Holiday(day=day, is_workday=is_workday, name=name))
        added.append(day)
    if added:
        record_event(
            actor=actor,
            action="holiday.seed",
            record_type="holiday",
            record_id=added[0].year,
            summary=f"从 chinese-calendar 数据补充{len(added)}天（{added[0].year}—{added[-1].year}年）",
        )
    if commit:
        db.session.commit()
    return len(added)
