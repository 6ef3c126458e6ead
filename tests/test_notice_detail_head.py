"""The notice page's head built in Python (views/notices/detail_head.py): the same markup as the
template code it replaces (templates/notices/detail.html, as it was), for notices in every status,
for each role that sees them, in both languages; every written value escaped."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import render_template_string

from supervision.exports import pdf
from supervision.formatting import local_today
from supervision.services import notice_extensions as extensions_svc
from supervision.services import notices as svc
from supervision.views.notices import detail as detail_view

from .factories import FindingFactory, NoticeKindFactory
from .test_notices import TODAY, World, upload

EVIL = "<b>\"x\" & 'y'</b>"
ESCAPED = "&lt;b&gt;&#34;x&#34; &amp; &#39;y&#39;&lt;/b&gt;"

# The page from its header to the items' heading, as it was in templates/notices/detail.html.
OLD_HEAD = (
    '{% from "_macros/ui.html" import page_header, status_badge %}'
    '{% from "_macros/forms.html" import post_button, reason_form, pdf_button %}'
    '{% from "notices/_macros.html" import days_left %}'
    "{% call page_header(notice.title, notice.kind.name ~ ' · ' ~ notice.display_number) %}\n"
    "  {% if notice.doc_number or can('notices.read_all') %}\n"
    '  <a class="btn btn-sm btn-outline-secondary" href="{{ url_for(\'notices.print_view\', notice_id=notice.id) }}" data-testid="print-link"><i class="bi bi-printer"></i> {{ _(\'打印版式\') }}</a>\n'
    '  <a class="btn btn-sm btn-outline-secondary" href="{{ url_for(\'notices.docx\', notice_id=notice.id) }}" data-testid="docx-link"><i class="bi bi-file-earmark-word"></i> {{ _(\'下载 Word\') }}</a>\n'
    "  {{ pdf_button(url_for('notices.docx', notice_id=notice.id), testid='pdf-link') }}\n"
    "  {% endif %}\n"
    "  {% if notice.status == 'draft' and can_edit_draft(notice) %}\n"
    '  <a class="btn btn-sm btn-outline-primary" href="{{ url_for(\'notices.edit\', notice_id=notice.id) }}" data-testid="edit"><i class="bi bi-pencil"></i> {{ _(\'修改\') }}</a>\n'
    "  {% endif %}\n"
    "  {% if 'submit' in steps and can_edit_draft(notice) %}\n"
    "  {{ post_button(url_for('notices.submit', notice_id=notice.id), _('提交签发'), class_='btn btn-sm btn-primary', fields={'version': notice.version}, icon='send', testid='submit') }}\n"
    "  {% endif %}\n"
    "  {% if 'issue' in steps and can_issue_notice(notice) %}\n"
    "  {{ post_button(url_for('notices.issue', notice_id=notice.id), _('签发'), class_='btn btn-sm btn-danger', fields={'version': notice.version}, icon='vector-pen', confirm=_('签发后将生成文号并通知被督察单位，确定签发？'), testid='issue') }}\n"
    "  {% endif %}\n"
    "  {% if 'acknowledge' in steps and is_unit %}\n"
    "  {{ post_button(url_for('notices.acknowledge', notice_id=notice.id), _('签收'), class_='btn btn-sm btn-primary', icon='check2-square', testid='acknowledge') }}\n"
    "  {% endif %}\n"
    "{% endcall %}\n"
    "\n"
    "{% if notice.status == 'voided' %}\n"
    '<div class="alert alert-danger" data-testid="voided-banner"><i class="bi bi-x-octagon"></i> {{ _(\'本通知书已作废。\') }}{% if notice.void_reason %} {{ _(\'理由：\') }}{{ notice.void_reason }}{% endif %}</div>\n'
    "{% elif notice.status == 'closed' %}\n"
    '<div class="alert alert-success" data-testid="closed-banner"><i class="bi bi-patch-check"></i> {{ _(\'已销号：全部整改事项核查通过（%(d)s）。\', d=notice.closed_at|cn_date) }}</div>\n'
    "{% elif notice.status == 'draft' and notice.return_reason %}\n"
    '<div class="alert alert-warning"><i class="bi bi-arrow-return-left"></i> {{ _(\'签发人退回修改：\') }}{{ notice.return_reason }}</div>\n'
    "{% elif notice.status == 'issued' and is_unit %}\n"
    '<div class="alert alert-warning"><i class="bi bi-bell"></i> {{ _(\'请先签收本通知书，再逐项报送整改情况。\') }}</div>\n'
    "{% endif %}\n"
    "\n"
    '<div class="row g-3">\n'
    '  <div class="col-xl-8">\n'
    '    <div class="card mb-3">\n'
    "      <div class=\"card-header\">{{ _('通知书') }}</div>\n"
    '      <div class="card-body">\n'
    '        <dl class="dl-grid">\n'
    "          <dt>{{ _('文号') }}</dt><dd data-testid=\"doc-number\">{{ notice.display_number }}</dd>\n"
    "          <dt>{{ _('状态') }}</dt><dd>{{ status_badge('notice', notice.status) }}</dd>\n"
    "          <dt>{{ _('种类') }}</dt><dd>{{ notice.kind.name }}</dd>\n"
    "          <dt>{{ _('主送单位') }}</dt><dd>{{ unit_name }}</dd>\n"
    "          <dt>{{ _('发文机关') }}</dt><dd data-testid=\"issuer\">{{ (notice.issuing_authority if notice.doc_number else '') or notice.kind.issuing_authority or office_name }}</dd>\n"
    "          <dt>{{ _('用印机关') }}</dt><dd>{{ (notice.seal_owner if notice.doc_number else '') or notice.kind.seal_owner or office_name }}</dd>\n"
    "          {% if notice.cc %}<dt>{{ _('抄送') }}</dt><dd data-testid=\"cc\">{{ notice.cc }}</dd>{% endif %}\n"
    "          {% if notice.task_id is not none %}<dt>{{ _('来源任务') }}</dt><dd>{{ task_title }}</dd>{% endif %}\n"
    "          <dt>{{ _('签发日期') }}</dt><dd>{{ notice.issue_date|cn_date or '—' }}</dd>\n"
    "          <dt>{{ _('整改期限') }}</dt>\n"
    '          <dd data-testid="deadline">\n'
    "            {% if notice.deadline %}{{ notice.deadline|cn_date }} {{ days_left(info) }}\n"
    "            {% elif preview and preview.deadline %}<span class=\"text-muted\">{{ _('如今日签发：%(d)s', d=preview.deadline|cn_date) }}{% if notice.time_limit_days %}（{{ _('%(n)s 个工作日', n=notice.time_limit_days) }}）{% endif %}</span>\n"
    "            {% else %}—{% endif %}\n"
    "            {% if (info and info.weekends_only) or (preview and preview.weekends_only) %}<div class=\"small text-warning-emphasis\">{{ _('所涉年度的节假日日历尚未确认，期限按预估的节假日或仅按周末计算。') }}</div>{% endif %}\n"
    "          </dd>\n"
    "          <dt>{{ _('起草人') }}</dt><dd>{{ drafted_by_name or '—' }}</dd>\n"
    "          {% if approved_by_name is not none %}<dt>{{ _('签发人') }}</dt><dd>{{ approved_by_name }}</dd>{% endif %}\n"
    "          {% if notice.acknowledged_at %}<dt>{{ _('签收') }}</dt><dd>{{ acknowledged_by_name or '' }} {{ notice.acknowledged_at|cn_datetime }}</dd>{% endif %}\n"
    "        </dl>\n"
    '        {% if notice.intro %}<p class="mt-3 mb-1">{{ notice.intro }}</p>{% endif %}\n'
    '        {% if notice.requirements %}<div class="mt-2 preline">{{ notice.requirements }}</div>{% endif %}\n'
    "      </div>\n"
    "      {% if 'return' in steps or 'void' in steps %}\n"
    '      <div class="card-footer bg-white d-flex flex-wrap gap-3">\n'
    "        {% if 'return' in steps %}{{ reason_form(url_for('notices.return_', notice_id=notice.id), _('退回修改'), _('退回理由（必填）'), class_='btn btn-outline-warning btn-sm', testid='return-notice') }}{% endif %}\n"
    "        {% if 'void' in steps %}{{ reason_form(url_for('notices.void', notice_id=notice.id), _('作废'), _('作废理由（必填）'), testid='void', confirm=_('作废后不能恢复（已签发的文号不再使用）。确定作废本通知书？')) }}{% endif %}\n"
    "      </div>\n"
    "      {% endif %}\n"
    "    </div>\n"
    "\n"
    "    <h2 class=\"h6 mt-4 mb-2\">{{ _('整改事项（%(n)s 项）', n=items|length) }}</h2>\n"
)
TOKENS = re.compile(r'(name="form_token" value=")[^"]+')


@pytest.fixture
def w(make_user) -> World:
    return World(make_user)


@pytest.fixture
def heads(monkeypatch):
    """Each rendered page's new head beside the old template code's, in the same request."""
    pairs = []
    render = detail_view.render_template

    def both(name, **context):
        pairs.append((str(context["notice_head"]), render_template_string(OLD_HEAD, **context)))
        return render(name, **context)

    monkeypatch.setattr(detail_view, "render_template", both)
    return pairs


def _findings(w: World, n: int = 2) -> list:
    return FindingFactory.create_batch(n, unit=w.unit, task=w.task, inspector=w.inspector)


def _notices(w: World) -> list:
    """Notices in every status, with and without a deadline's estimate, extensions, escalations,
    reports with files, a kind without rectification, a copy line and no source task."""
    today = local_today()
    draft = w.draft(findings=_findings(w), intro="开头语", requirements="整改要求\n第二行")
    returned = w.submitted(findings=_findings(w))
    svc.notice_return(actor=w.lead, notice=returned, reason="请补充案号")
    submitted = w.submitted(findings=_findings(w), fixed_deadline=today + timedelta(days=40))
    issued = w.issued(findings=_findings(w), today=today)
    acknowledged = w.acknowledged(findings=_findings(w), today=today)
    overdue = w.acknowledged(findings=_findings(w, 3))  # issued on TODAY (March): long past its deadline
    overdue.cc = "某某局"
    w.report(overdue, overdue.items[0], files=[upload()])
    w.report(overdue, overdue.items[1])
    extensions_svc.escalation_add(
        actor=w.lead, notice=overdue, kind="interview", on_date=today, note="", today=today
    )
    extensions_svc.extension_request(
        actor=w.liaison,
        notice=overdue,
        reason="需采购设备",
        requested_deadline=overdue.deadline + timedelta(days=10),
        today=TODAY,
    )
    closed = w.acknowledged(findings=_findings(w, 1))
    w.report(closed, closed.items[0])
    svc.item_accept(actor=w.inspector, notice=closed, item=closed.items[0])
    voided = w.issued(findings=_findings(w))
    svc.notice_void(actor=w.lead, notice=voided, reason="主送单位有误")
    untasked = FindingFactory(unit=w.unit, task=None, inspector=w.inspector)
    void_draft = w.draft(findings=[untasked])
    svc.notice_void(actor=w.lead, notice=void_draft, reason="重复")
    kind = NoticeKindFactory(name="督察建议书", prefix="海法督建", requires_rectification=False)
    advice = w.issued(findings=_findings(w), kind_id=kind.id)
    return [draft, returned, submitted, issued, acknowledged, overdue, closed, voided, void_draft, advice]


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("with_pdf", [True, False])
def test_the_head_is_the_template_s(client, w, heads, monkeypatch, locale, with_pdf):
    monkeypatch.setattr(pdf, "pdf_available", lambda: with_pdf)
    notices = _notices(w)
    viewers = [w.lead, w.lead2, w.inspector, w.inspector2, w.admin, w.liaison]
    seen = 0
    for viewer in viewers:
        client.login_user(viewer)
        with client.session_transaction() as session:
            session["lang"] = locale
        for notice in notices:
            response = client.get(f"/notices/{notice.id}")
            assert response.status_code in (200, 404), (notice.status, viewer.role)
            seen += response.status_code == 200
    assert len(heads) == seen > len(notices)
    for new, old in heads:
        assert new == old
    pages = "".join(new for new, _ in heads)
    for testid in (
        "edit",
        "submit",
        "issue",
        "acknowledge",
        "return-notice",
        "void",
        "print-link",
        "overdue",
    ):
        assert f'data-testid="{testid}"' in pages, testid
    assert ('data-testid="pdf-link"' in pages) is with_pdf
    for banner in ("voided-banner", "closed-banner"):
        assert banner in pages


def test_every_written_value_of_the_head_is_escaped(client, w, heads):
    notice = w.draft(title=EVIL, intro=EVIL, requirements=EVIL)
    notice.kind.name = notice.kind.issuing_authority = notice.kind.seal_owner = EVIL
    notice.cc = EVIL
    notice.unit.name = EVIL
    notice.task.title = EVIL
    w.inspector.display_name = EVIL
    svc.notice_submit(actor=w.inspector, notice=notice)
    svc.notice_return(actor=w.lead, notice=notice, reason=EVIL)
    client.login_user(w.inspector)
    assert client.get(f"/notices/{notice.id}").status_code == 200
    ((new, old),) = heads
    assert new == old
    assert "<b>" not in new
    # the title, the subtitle, the kind, unit, issuer, seal, copy line, task and drafter, the intro,
    # the requirements and the return reason
    assert new.count(ESCAPED) == 12
