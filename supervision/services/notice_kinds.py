"""Notice kinds (通知书种类): their number prefix, default time limit, wording, authority and the
office's own .docx template. Every change audited; each function commits."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from ..audit import record_event
from ..errors import DomainError, NotAllowed
from ..exports.notice_template import check_template
from ..extensions import db
from ..models import NoticeKind, User
from ..notice_deadlines import MAX_DAYS
from ..permissions import can
from .attachments import check_upload, safe_name
from .notices import AUTHORITY_FIELDS, cc_line
from .transaction import check_version, edit_and_audit, transactional

KIND_FIELDS = [
    "name",
    "prefix",
    "default_days",
    "requires_rectification",
    "closing",
    "issuing_authority",
    "signature",
    "seal_owner",
    "default_cc",
    "masthead_offset_mm",
    "active",
    "sort",
]


def _validate_kind(data: dict, kind_id: int | None = None) -> list[str]:
    errors = []
    name = (data.get("name") or "").strip()
    if not name:
        errors.append(_("种类名称不能为空。"))
    elif db.session.scalar(
        select(NoticeKind.id).where(NoticeKind.name == name, NoticeKind.id != (kind_id or 0))
    ):
        errors.append(_("种类“%(name)s”已存在。", name=name))
    prefix = (data.get("prefix") or "").strip()
    if not prefix:
        errors.append(_("机关代字不能为空。"))
    elif any(ch in prefix for ch in "〔〕[]()（）0123456789号"):
        errors.append(_("机关代字只填代字本身，如“海法督”，不含年份、括号和序号。"))
    days = data.get("default_days")
    if days is None or not (1 <= int(days) <= MAX_DAYS):
        errors.append(_("默认期限应为 1 至 %(MAX_DAYS)s 个工作日。", MAX_DAYS=MAX_DAYS))
    closing = (data.get("closing") or "").strip()
    if len(closing) > 500:
        errors.append(_("结尾语不能超过 500 字。"))
    elif re.search(r"[{｛]", closing.replace("{期限}", "")):
        errors.append(_("结尾语中只能用 {期限} 表示整改期限，不能使用其他花括号。"))
    for name, label in (
        ("issuing_authority", _("发文机关标志")),
        ("signature", _("署名")),
        ("seal_owner", _("用印机关")),
    ):
        if len((data.get(name) or "").strip()) > 100:
            errors.append(_("%(label)s不能超过 100 字。", label=label))
    if len((data.get("default_cc") or "").strip()) > 500:
        errors.append(_("默认抄送不能超过 500 字。"))
    offset = data.get("masthead_offset_mm")
    if offset not in (None, "") and not (0 <= int(offset) <= 80):
        errors.append(_("发文机关标志距版心上边缘应为 0 至 80 毫米。"))
    return errors


@transactional
def notice_kind_save(
    *, actor: User, kind: NoticeKind | None, data: dict, version: int | None = None
) -> NoticeKind:
    if not can(actor, "admin.manage"):
        raise NotAllowed(_("只有系统管理员可以维护通知书种类。"))
    if kind is not None:
        check_version(kind, version)
    errors = _validate_kind(data, kind.id if kind else None)
    if errors:
        raise DomainError(errors[0], errors)
    values = {
        "name": data["name"].strip(),
        "prefix": data["prefix"].strip(),
        "default_days": int(data["default_days"]),
        "requires_rectification": bool(data.get("requires_rectification")),
        "closing": (data.get("closing") or "").strip(),
        **{name: (data.get(name) or "").strip() for name in AUTHORITY_FIELDS},
        "default_cc": cc_line(data.get("default_cc")),
        "masthead_offset_mm": 35
        if data.get("masthead_offset_mm") in (None, "")
        else int(data["masthead_offset_mm"]),
        "active": bool(data.get("active", True)),
        "sort": int(data.get("sort") or 0),
    }
    is_new = kind is None
    if kind is None:
        kind = NoticeKind()
        db.session.add(kind)
    edit_and_audit(
        kind,
        values,
        fields=KIND_FIELDS,
        before={} if is_new else None,
        actor=actor,
        action="notice_kind.create" if is_new else "notice_kind.update",
        record_type="notice_kind",
        summary=lambda: ("新建" if is_new else "修改") + f"通知书种类“{kind.name}”",
    )
    return kind


@transactional
def notice_kind_template_set(
    *, actor: User, kind: NoticeKind, upload: FileStorage, version: int | None = None
) -> NoticeKind:
    """Attach the office's own .docx template; one missing a required placeholder is refused."""
    if not can(actor, "admin.manage"):
        raise NotAllowed(_("只有系统管理员可以维护通知书模板。"))
    check_version(kind, version)
    data, file_kind = check_upload(upload)
    if file_kind != "docx":
        raise DomainError(_("模板须为 Word 文档（.docx）。"))
    check_template(data)
    name = safe_name(upload.filename or "模板.docx")
    before = kind.template_name
    kind.template = data
    kind.template_name = name
    db.session.flush()
    record_event(
        actor=actor,
        action="notice_kind.template",
        record_type="notice_kind",
        record_id=kind.id,
        summary=f"上传通知书种类“{kind.name}”的模板“{name}”",
        changes={"template_name": [before or None, name]},
    )
    return kind


@transactional
def notice_kind_template_clear(*, actor: User, kind: NoticeKind, version: int | None = None) -> NoticeKind:
    """Back to the built-in layout."""
    if not can(actor, "admin.manage"):
        raise NotAllowed(_("只有系统管理员可以维护通知书模板。"))
    check_version(kind, version)
    if kind.template_name:
        record_event(
            actor=actor,
            action="notice_kind.template",
            record_type="notice_kind",
            record_id=kind.id,
            summary=f"删除通知书种类“{kind.name}”的模板，改用内置版式",
            changes={"template_name": [kind.template_name, None]},
        )
    kind.template = None
    kind.template_name = ""
    return kind
