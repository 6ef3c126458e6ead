"""The holiday calendar (节假日日历): a year's days, adding a range, the 国务院办公厅 notice pasted
in, the estimate, confirming a year, editing or deleting a day, and the package's days."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError
from ...extensions import db
from ...formatting import local_today
from ...forms import ActionForm
from ...forms.notices import CalendarYearForm, HolidayForm, HolidayNoticeForm
from ...models import Holiday
from ...parsing import MAX_YEAR, MIN_YEAR, form_int, year_arg
from ...permissions import can, require
from ...queries.calendar import holidays_page
from ...services import calendar as svc
from ..helpers import flash_domain_error, flash_edit_error, flash_form_errors, form_version
from . import bp


def _year_page(year: int | None):
    return redirect(url_for("admin.holidays", year=year))


def _add_range(form: HolidayForm):
    """Add the form's day or range of days; back to its year, or None (errors flashed)."""
    try:
        added = svc.holiday_add_range(
            actor=current_user,
            first=form.day.data,
            last=form.last_day.data,
            name=form.name.data,
            is_workday=form.is_workday.data,
        )
    except DomainError as error:
        flash_domain_error(error)
        return None
    flash(_("已添加到节假日日历。") if added == 1 else _("已添加 %(n)s 天到节假日日历。", n=added), "success")
    return _year_page(form.day.data.year)


@bp.route("/holidays", methods=["GET", "POST"])
@require("reference.read")
def holidays():
    year = year_arg(default=local_today().year)
    form = HolidayForm()
    if request.method == "POST":
        if not can(current_user, "admin.manage"):
            abort(403)
        if not form.validate_on_submit():
            flash_form_errors(form)
        elif (done := _add_range(form)) is not None:
            return done
    return _holidays_page(year, form=form)


def _holidays_page(year: int, form=None, notice_form=None, plan=None):
    """The year's table, its status (confirmed, package, estimated) and the admin's forms."""
    page = holidays_page(year)
    return render_template(
        "admin/holidays.html",
        **page,
        form=form or HolidayForm(formdata=None),
        notice_form=notice_form or HolidayNoticeForm(formdata=None, year=page["year"]),
        confirm_form=CalendarYearForm(formdata=None),
        plan=plan,
        action_form=ActionForm(),
    )


@bp.route("/holidays/import", methods=["POST"])
@require("admin.manage")
def holidays_import():
    """Paste the 国务院办公厅 notice: first a preview of the days read from it, then 保存."""
    notice_form = HolidayNoticeForm()
    year = notice_form.year.data if isinstance(notice_form.year.data, int) else local_today().year
    if not notice_form.validate_on_submit():
        flash_form_errors(notice_form)
        return _holidays_page(year, notice_form=notice_form)
    try:
        if notice_form.save.data:
            plan = svc.holiday_import(actor=current_user, year=year, text=notice_form.text.data)
            saved = sum(1 for p in plan if p.action not in ("drop", "keep"))
            flash(_("已导入 %(y)s 年的 %(n)s 天。核对无误后请确认该年度日历。", y=year, n=saved), "success")
            return _year_page(year)
        days = svc.holiday_notice_read(notice_form.text.data, year)
    except DomainError as error:
        notice_form.text.errors = [*notice_form.text.errors, error.message]
        return _holidays_page(year, notice_form=notice_form)
    return _holidays_page(year, notice_form=notice_form, plan=svc.holiday_import_plan(year, days))


@bp.route("/holidays/<int:year>/estimate", methods=["POST"])
@require("admin.manage")
def holidays_estimate(year: int):
    try:
        added = svc.holidays_estimate(actor=current_user, year=year)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(
            _("已预估 %(n)s 天法定节假日（标“预估”，调休上班日未预估）。", n=added)
            if added
            else _("预估的日子都已在日历中。"),
            "success",
        )
    return _year_page(year)


@bp.route("/holidays/<int:year>/confirm", methods=["POST"])
@require("admin.manage")
def holidays_confirm(year: int):
    form = CalendarYearForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _year_page(year)
    try:
        svc.calendar_year_confirm(actor=current_user, year=year, source=form.source.data)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("已确认 %(y)s 年的节假日日历：该年度的期限不再提示“未确认”。", y=year), "success")
    return _year_page(year)


@bp.route("/holidays/<int:year>/unconfirm", methods=["POST"])
@require("admin.manage")
def holidays_unconfirm(year: int):
    try:
        svc.calendar_year_unconfirm(actor=current_user, year=year)
    except DomainError as error:
        flash_domain_error(error)
    else:
        flash(_("已撤销 %(y)s 年日历的确认。", y=year), "success")
    return _year_page(year)


@bp.route("/holidays/<int:holiday_id>/edit", methods=["GET", "POST"])
@require("admin.manage")
def holiday_edit(holiday_id: int):
    holiday = db.get_or_404(Holiday, holiday_id)
    form = HolidayForm(obj=holiday)
    if request.method == "GET":
        form.version.data = holiday.version
    if form.validate_on_submit():
        try:
            svc.holiday_save(
                actor=current_user,
                day=form.day.data,
                is_workday=form.is_workday.data,
                name=form.name.data,
                holiday=holiday,
                version=form_version(form),
            )
        except DomainError as error:
            flash_edit_error(error, form, holiday)
        else:
            flash(_("已保存。"), "success")
            return _year_page(holiday.day.year)
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template("admin/holiday_form.html", form=form, holiday=holiday)


@bp.route("/holidays/<int:holiday_id>/delete", methods=["POST"])
@require("admin.manage")
def holiday_delete(holiday_id: int):
    holiday = db.get_or_404(Holiday, holiday_id)
    year = holiday.day.year
    svc.holiday_delete(actor=current_user, holiday=holiday)
    flash(_("已从日历中删除。"), "success")
    return _year_page(year)


@bp.route("/holidays/seed", methods=["POST"])
@require("admin.manage")
def holidays_seed():
    added = svc.calendar_seed(actor=current_user)
    flash(
        _("已从 chinese-calendar 数据补充 %(n)s 天。", n=added) if added else _("日历已是最新，无需补充。"),
        "success",
    )
    for year in svc.calendar_estimate_upcoming(local_today()):
        flash(_("%(y)s 年：已按往年规律预估法定节假日（待确认）。", y=year), "info")
    return _year_page(form_int(request.form.get("year"), minimum=MIN_YEAR, maximum=MAX_YEAR))
