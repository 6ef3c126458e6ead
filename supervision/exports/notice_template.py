"""An office's own letterhead: a .docx made in WPS or Word with placeholders, one per notice kind,
filled with docxtpl. Without one the built-in GB/T 9704 layout (exports/notices.py) is used.

Placeholders are Chinese Jinja names, e.g. {{ 文号 }}; {{ 正文 }} is the body, one paragraph per
line, taking the format of the paragraph it stands in. The templates are rendered in Jinja's
sandbox: an uploaded file must not reach Python objects.
"""

from __future__ import annotations

import io

from docxtpl import DocxTemplate, Listing
from flask_babel import gettext as _
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from ..errors import DomainError

# Every template must carry these: a document without its number, addressee, body, signature and
# date, or without the 草稿/作废 mark, must not be produced from a template that forgot them.
REQUIRED = ("文号", "标题", "主送单位", "正文", "署名", "成文日期", "标记")
OPTIONAL = ("发文机关", "抄送", "印发机关", "印发日期")
PLACEHOLDERS = REQUIRED + OPTIONAL


def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True)


def _load(data: bytes) -> DocxTemplate:
    try:
        return DocxTemplate(io.BytesIO(data))
    except Exception as error:  # a zip that is not a Word document
        raise DomainError(_("模板不是有效的 Word 文档（.docx）。")) from error


def check_template(data: bytes) -> None:
    """Refuse a template that lacks a required placeholder or uses an unknown one, with the names."""
    template = _load(data)
    try:
        used = template.get_undeclared_template_variables(jinja_env=_environment())
    except TemplateError as error:
        raise DomainError(_("模板中的占位符写法有误：%(error)s", error=error.message)) from error
    except Exception as error:
        raise DomainError(_("模板不是有效的 Word 文档（.docx）。")) from error
    missing = [name for name in REQUIRED if name not in used]
    if missing:
        names = "、".join("{{ " + n + " }}" for n in missing)
        raise DomainError(_("模板缺少占位符：%(names)s。请在 Word 或 WPS 中补上后重新上传。", names=names))
    unknown = sorted(used - set(PLACEHOLDERS))
    if unknown:
        names = "、".join("{{ " + n + " }}" for n in unknown)
        raise DomainError(
            _(
                "模板中有不认识的占位符：%(names)s。可用的占位符：%(known)s。",
                names=names,
                known="、".join(PLACEHOLDERS),
            )
        )


def render_template(data: bytes, values: dict[str, str], body: list[str]) -> bytes:
    """Fill the template; `body` becomes one paragraph per entry in place of {{ 正文 }}."""
    template = _load(data)
    context = dict(values)
    context["正文"] = Listing("\a".join(body))
    template.render(context, jinja_env=_environment(), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()
