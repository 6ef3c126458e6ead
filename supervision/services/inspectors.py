"""The inspector pool (督察员库): each inspector's specialties, certificate and term; edit, audit, commit."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import DomainError
from ..extensions import db
from ..models import InspectorProfile, User
from ..permissions import authorize, can_any
from .transaction import check_version, edit_and_audit, transactional

PROFILE_FIELDS = ["specialties", "certificate_no", "term_start", "term_end", "note"]


@transactional
def inspector_profile_save(
    *, actor: User, inspector: User, data: dict, version: int | None = None
) -> InspectorProfile:
    """Create or edit an inspector's pool entry."""
    authorize(can_any(actor, "tasks.manage", "admin.manage"), "您没有维护督察员库的权限。")
    if inspector.role != "inspector":
        raise DomainError(_("只有督察员角色的用户才能编入督察员库。"))
    profile = db.session.scalar(select(InspectorProfile).where(InspectorProfile.user_id == inspector.id))
    if profile is not None:
        check_version(profile, version)
    specialties = data.get("specialties") or []
    if isinstance(specialties, str):
        specialties = specialties.replace(",", "、").replace("，", "、").split("、")
    specialties = list(dict.fromkeys(s.strip() for s in specialties if s and s.strip()))
    values = {
        "specialties": "、".join(specialties),
        "certificate_no": (data.get("certificate_no") or "").strip(),
        "term_start": data.get("term_start"),
        "term_end": data.get("term_end"),
        "note": (data.get("note") or "").strip(),
    }
    errors = []
    if len(values["specialties"]) > 200:
        errors.append(_("专业领域过多，请精简。"))
    if values["term_start"] and values["term_end"] and values["term_end"] < values["term_start"]:
        errors.append(_("任期结束日期不能早于开始日期。"))
    if values["certificate_no"]:
        clash = db.session.scalar(
            select(InspectorProfile.id).where(
                InspectorProfile.certificate_no == values["certificate_no"],
                InspectorProfile.user_id != inspector.id,
            )
        )
        if clash:
            errors.append(
                _("证件编号“%(certificate_no)s”已被其他督察员使用。", certificate_no=values["certificate_no"])
            )
    if errors:
        raise DomainError(errors[0], errors)
    is_new = profile is None
    if profile is None:
        profile = InspectorProfile(user_id=inspector.id)
        db.session.add(profile)
    edit_and_audit(
        profile,
        values,
        fields=PROFILE_FIELDS,
        before={} if is_new else None,
        actor=actor,
        action="inspector.create" if is_new else "inspector.update",
        record_type="user",
        record_id=inspector.id,
        summary=("建立" if is_new else "修改") + f"督察员“{inspector.display_name}”的库内信息",
        unit_id=inspector.unit_id,
    )
    return profile
