"""The notice page's head, as HTML built in Python: the page header with the buttons the user may
press, the banner, the notice's card (its definition list, intro, requirements and the return and
void forms) and the items' heading.

As Jinja this was most of the page's own rendering after the items: the page_header call with its
caller, pdf_button and up to five post_button and reason_form macros, days_left, some thirty
translations and as many values through the getattr, finalize and escape hooks; and pdf_available()
searched PATH for LibreOffice on every view. Here the fixed text is translated once per catalogue
(template_gettext.kept_on_catalogue), each URL is its endpoint's prefix (built once per app and mount
point) and the notice's id, and each value is escaped once with markupsafe. The markup is the
template's (templates/notices/detail.html, whose content starts with it), byte for byte;
tests/test_notice_detail_head.py renders the old template code beside it in both languages.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from markupsafe import Markup

from ...escaping import esc
from ...exports import pdf
from ...formatting import cn_datetime, date_formatter
from ...macros import status_badge
from ...nav import fixed_url
from ...permissions import can, can_edit_draft, can_issue_notice
from ...sessions import csrf_token
from ...template_gettext import fixed_texts, kept_on_catalogue
from ..helpers import url_around
from .list_rows import days_left
from .list_rows import texts as row_texts


class Texts:
    """The head's fixed text for one catalogue, as the templates' _() makes it: the msgstr as markup
    (not escaped), formatted with no variables; the texts with variables kept as markup to format."""

    __slots__ = ("badges", "closed", "if_today", "items", "t", "working_days")

    def __init__(self, gettext) -> None:
        self.t = fixed_texts(
            gettext,
            (
                ("print", "打印版式"),
                ("docx", "下载 Word"),
                ("edit", "修改"),
                ("submit", "提交签发"),
                ("issue", "签发"),
                ("issue_confirm", "签发后将生成文号并通知被督察单位，确定签发？"),
                ("acknowledge", "签收"),
                ("voided", "本通知书已作废。"),
                ("reason", "理由："),
                ("returned", "签发人退回修改："),
                ("acknowledge_first", "请先签收本通知书，再逐项报送整改情况。"),
                ("card", "通知书"),
                ("doc_number", "文号"),
                ("status", "状态"),
                ("kind", "种类"),
                ("unit", "主送单位"),
                ("issuer", "发文机关"),
                ("seal", "用印机关"),
                ("cc", "抄送"),
                ("task", "来源任务"),
                ("issue_date", "签发日期"),
                ("deadline", "整改期限"),
                ("estimated", "所涉年度的节假日日历尚未确认，期限按预估的节假日或仅按周末计算。"),
                ("drafter", "起草人"),
                ("signer", "签发人"),
                ("return", "退回修改"),
                ("return_reason", "退回理由（必填）"),
                ("void", "作废"),
                ("void_reason", "作废理由（必填）"),
                ("void_confirm", "作废后不能恢复（已签发的文号不再使用）。确定作废本通知书？"),
            ),
        )
        # msgstr with %(x)s, formatted with escaped values (what Markup's % does, without its helpers)
        self.closed = gettext("已销号：全部整改事项核查通过（%(d)s）。")
        self.if_today = gettext("如今日签发：%(d)s")
        self.working_days = gettext("%(n)s 个工作日")
        self.items = gettext("整改事项（%(n)s 项）")
        self.badges: dict[str, str] = {}  # the status badge of each status met, in this catalogue

    def badge(self, status: str) -> str:
        badge = self.badges.get(status)
        if badge is None:
            badge = self.badges[status] = str(status_badge("notice", status))
        return badge


def texts() -> Texts:
    return kept_on_catalogue("_supervision_notice_head", Texts)


_ENDPOINTS = (
    "notices.print_view",
    "notices.docx",
    "notices.edit",
    "notices.submit",
    "notices.issue",
    "notices.acknowledge",
    "notices.return_",
    "notices.void",
)


def _urls(notice_id: int) -> dict[str, str]:
    """Each button's URL for this notice, escaped: url_for of the endpoint with the notice's id, from
    its text around the id, built once per app and mount point (as nav.fixed_url)."""
    cache = current_app.extensions.setdefault("supervision.notice_head_urls", {})
    around = cache.get(request.script_root)
    if around is None:
        around = cache[request.script_root] = {
            e: tuple(esc(part) for part in url_around(e, "notice_id")) for e in _ENDPOINTS
        }
    n = str(notice_id)
    return {e: before + n + after for e, (before, after) in around.items()}


def _post_button(url: str, label: str, class_: str, icon: str, testid: str, token: str, **options) -> str:
    """_macros/forms.html's post_button (its url and label already escaped)."""
    confirm = options.get("confirm")
    fields = options.get("fields") or {}
    asks = f' data-confirm="{confirm}"' if confirm else ""
    return (
        f'<form method="post" action="{url}" class="d-inline"{asks}>\n'
        f'  <input type="hidden" name="csrf_token" value="{esc(token)}">\n  '
        + "".join(f'<input type="hidden" name="{esc(k)}" value="{esc(v)}">' for k, v in fields.items())
        + f'\n  <button type="submit" class="{class_}" data-testid="{testid}"><i class="bi bi-{icon}"></i> '
        f"{label}</button>\n</form>"
    )


def _reason_form(
    url: str, label: str, placeholder: str, class_: str, testid: str, token: str, confirm=None
) -> str:
    """_macros/forms.html's reason_form (its values already escaped)."""
    asks = f' data-confirm="{confirm}"' if confirm else ""
    return (
        f'<form method="post" action="{url}" class="reason-form"{asks}>\n'
        f'  <input type="hidden" name="csrf_token" value="{esc(token)}">\n'
        '  <div class="input-group input-group-sm">\n'
        f'    <input type="text" name="reason" class="form-control" placeholder="{placeholder}" required '
        f'maxlength="500" data-testid="{testid}-reason">\n'
        f'    <button type="submit" class="{class_}" data-testid="{testid}">{label}</button>\n'
        "  </div>\n</form>"
    )


def notice_head(
    user: Any,
    notice: Any,
    steps: set[str],
    is_unit: bool,
    page: dict,
) -> Markup:
    """The page from its header to the items' heading, for `user` (the buttons and forms they are
    offered: `steps`, workflow.allowed_steps's actions, and their rights) and the page's reads
    (queries.notice_detail.notice_detail_page: the names, `info`, `preview`, `items`)."""
    T = texts()
    t = T.t
    day = date_formatter()
    token = csrf_token()
    urls = _urls(notice.id)
    kind = notice.kind
    status = notice.status
    office_name = current_app.config["OFFICE_NAME"]

    # The page header and its buttons (ui.html's page_header with the template's caller).
    actions = ["\n  "]
    if notice.doc_number or can(user, "notices.read_all"):
        docx = urls["notices.docx"]
        pdf_button = (
            _post_button(
                esc(fixed_url("exports.start")),
                "PDF",
                "btn btn-sm btn-outline-secondary",
                "file-earmark-pdf",
                "pdf-link",
                token,
                fields={"target": Markup(docx), "format": "pdf"},
            )
            if pdf.pdf_available()
            else ""
        )
        actions.append(
            f'\n  <a class="btn btn-sm btn-outline-secondary" href="{urls["notices.print_view"]}" '
            f'data-testid="print-link"><i class="bi bi-printer"></i> {t["print"]}</a>\n'
            f'  <a class="btn btn-sm btn-outline-secondary" href="{docx}" data-testid="docx-link">'
            f'<i class="bi bi-file-earmark-word"></i> {t["docx"]}</a>\n'
            f"  {pdf_button}\n  "
        )
    actions.append("\n  ")
    drafter = None
    if status == "draft" or "submit" in steps:
        drafter = can_edit_draft(user, notice)
    if status == "draft" and drafter:
        actions.append(
            f'\n  <a class="btn btn-sm btn-outline-primary" href="{urls["notices.edit"]}" data-testid="edit">'
            f'<i class="bi bi-pencil"></i> {t["edit"]}</a>\n  '
        )
    actions.append("\n  ")
    version = {"version": notice.version}
    if "submit" in steps and drafter:
        button = _post_button(
            urls["notices.submit"],
            t["submit"],
            "btn btn-sm btn-primary",
            "send",
            "submit",
            token,
            fields=version,
        )
        actions.append(f"\n  {button}\n  ")
    actions.append("\n  ")
    if "issue" in steps and can_issue_notice(user, notice):
        button = _post_button(
            urls["notices.issue"],
            t["issue"],
            "btn btn-sm btn-danger",
            "vector-pen",
            "issue",
            token,
            fields=version,
            confirm=t["issue_confirm"],
        )
        actions.append(f"\n  {button}\n  ")
    actions.append("\n  ")
    if "acknowledge" in steps and is_unit:
        button = _post_button(
            urls["notices.acknowledge"],
            t["acknowledge"],
            "btn btn-sm btn-primary",
            "check2-square",
            "acknowledge",
            token,
        )
        actions.append(f"\n  {button}\n  ")
    actions.append("\n")

    if status == "voided":
        reason = f" {t['reason']}{esc(notice.void_reason)}" if notice.void_reason else ""
        banner = (
            '\n<div class="alert alert-danger" data-testid="voided-banner"><i class="bi bi-x-octagon"></i> '
            f"{t['voided']}{reason}</div>\n"
        )
    elif status == "closed":
        banner = (
            '\n<div class="alert alert-success" data-testid="closed-banner"><i class="bi bi-patch-check"></i> '
            f"{T.closed % {'d': esc(day(notice.closed_at))}}</div>\n"
        )
    elif status == "draft" and notice.return_reason:
        banner = (
            '\n<div class="alert alert-warning"><i class="bi bi-arrow-return-left"></i> '
            f"{t['returned']}{esc(notice.return_reason)}</div>\n"
        )
    elif status == "issued" and is_unit:
        banner = (
            f'\n<div class="alert alert-warning"><i class="bi bi-bell"></i> {t["acknowledge_first"]}</div>\n'
        )
    else:
        banner = ""

    # The deadline: the notice's own with the working days left, or a draft's if issued today.
    info, preview = page["info"], page["preview"]
    if notice.deadline:
        deadline = f"{day(notice.deadline)} {days_left(info, row_texts())}\n            "
    elif preview and preview["deadline"]:
        days = f"（{T.working_days % {'n': notice.time_limit_days}}）" if notice.time_limit_days else ""
        deadline = f'<span class="text-muted">{T.if_today % {"d": esc(day(preview["deadline"]))}}{days}</span>\n            '
    else:
        deadline = "—"
    if (info and info["weekends_only"]) or (preview and preview["weekends_only"]):
        estimated = f'<div class="small text-warning-emphasis">{t["estimated"]}</div>'
    else:
        estimated = ""

    issuer = (notice.issuing_authority if notice.doc_number else "") or kind.issuing_authority or office_name
    seal = (notice.seal_owner if notice.doc_number else "") or kind.seal_owner or office_name
    cc = f'<dt>{t["cc"]}</dt><dd data-testid="cc">{esc(notice.cc)}</dd>' if notice.cc else ""
    task = f"<dt>{t['task']}</dt><dd>{esc(page['task_title'])}</dd>" if notice.task_id is not None else ""
    approved = page["approved_by_name"]
    signer = f"<dt>{t['signer']}</dt><dd>{esc(approved)}</dd>" if approved is not None else ""
    if notice.acknowledged_at:
        acknowledged = (
            f"<dt>{t['acknowledge']}</dt><dd>{esc(page['acknowledged_by_name'] or '')} "
            f"{esc(cn_datetime(notice.acknowledged_at))}</dd>"
        )
    else:
        acknowledged = ""
    intro = f'<p class="mt-3 mb-1">{esc(notice.intro)}</p>' if notice.intro else ""
    requirements = (
        f'<div class="mt-2 preline">{esc(notice.requirements)}</div>' if notice.requirements else ""
    )

    if "return" in steps or "void" in steps:
        back = (
            _reason_form(
                urls["notices.return_"],
                t["return"],
                t["return_reason"],
                "btn btn-outline-warning btn-sm",
                "return-notice",
                token,
            )
            if "return" in steps
            else ""
        )
        void = (
            _reason_form(
                urls["notices.void"],
                t["void"],
                t["void_reason"],
                "btn btn-outline-danger btn-sm",
                "void",
                token,
                confirm=t["void_confirm"],
            )
            if "void" in steps
            else ""
        )
        footer = (
            '\n      <div class="card-footer bg-white d-flex flex-wrap gap-3">\n'
            f"        {back}\n        {void}\n      </div>\n      "
        )
    else:
        footer = ""

    return Markup(
        '<div class="page-header d-flex flex-wrap justify-content-between align-items-end gap-2">\n'
        "  <div>\n"
        f'    <h1 class="page-title">{esc(notice.title)}</h1>\n'
        f'    <div class="page-subtitle">{esc(kind.name + " · " + notice.display_number)}</div>\n'
        "  </div>\n"
        f'  <div class="page-actions d-flex flex-wrap gap-2">{"".join(actions)}</div>\n'
        "</div>\n\n"
        f"{banner}\n\n"
        '<div class="row g-3">\n'
        '  <div class="col-xl-8">\n'
        '    <div class="card mb-3">\n'
        f'      <div class="card-header">{t["card"]}</div>\n'
        '      <div class="card-body">\n'
        '        <dl class="dl-grid">\n'
        f'          <dt>{t["doc_number"]}</dt><dd data-testid="doc-number">{esc(notice.display_number)}</dd>\n'
        f"          <dt>{t['status']}</dt><dd>{T.badge(status)}</dd>\n"
        f"          <dt>{t['kind']}</dt><dd>{esc(kind.name)}</dd>\n"
        f"          <dt>{t['unit']}</dt><dd>{esc(page['unit_name'])}</dd>\n"
        f'          <dt>{t["issuer"]}</dt><dd data-testid="issuer">{esc(issuer)}</dd>\n'
        f"          <dt>{t['seal']}</dt><dd>{esc(seal)}</dd>\n"
        f"          {cc}\n"
        f"          {task}\n"
        f"          <dt>{t['issue_date']}</dt><dd>{esc(day(notice.issue_date) or '—')}</dd>\n"
        f"          <dt>{t['deadline']}</dt>\n"
        '          <dd data-testid="deadline">\n'
        f"            {deadline}\n"
        f"            {estimated}\n"
        "          </dd>\n"
        f"          <dt>{t['drafter']}</dt><dd>{esc(page['drafted_by_name'] or '—')}</dd>\n"
        f"          {signer}\n"
        f"          {acknowledged}\n"
        "        </dl>\n"
        f"        {intro}\n"
        f"        {requirements}\n"
        "      </div>\n"
        f"      {footer}\n"
        "    </div>\n\n"
        f'    <h2 class="h6 mt-4 mb-2">{T.items % {"n": len(page["items"])}}</h2>'
    )
