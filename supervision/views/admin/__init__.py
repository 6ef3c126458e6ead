"""Administration: one blueprint, a module per resource."""

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import DomainError, ImportRejected
from ...forms.admin import ImportForm
from ...tabular import read_rows
from ..helpers import flash_domain_error, flash_form_errors

bp = Blueprint("admin", __name__, url_prefix="/admin")


def import_page(
    *,
    title: str,
    required: list[str],
    importer: Callable,
    noun: str,
    list_endpoint: str,
    template_endpoint: str,
):
    """The bulk-import page: upload, check every row, import all or nothing, list each bad row."""
    form = ImportForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            result = importer(actor=current_user, rows=read_rows(form.file.data, required=required))
        except ImportRejected as error:
            flash(error.message, "danger")
            errors = error.errors
        except DomainError as error:
            flash_domain_error(error)
        else:
            flash(_("已导入 %(created)s 个%(noun)s。", created=result.created, noun=noun), "success")
            return redirect(url_for(list_endpoint))
    elif form.is_submitted():
        flash_form_errors(form)
    return render_template(
        "admin/import.html",
        form=form,
        errors=errors,
        title=title,
        template_url=url_for(template_endpoint),
        back_url=url_for(list_endpoint),
    )


from . import audit, calendar, notice_kinds, units, users  # noqa: E402,F401  (routes register on bp)
