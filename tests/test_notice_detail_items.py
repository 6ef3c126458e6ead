"""The notice page's items built in Python (views/notices/detail_items.py): the same markup as the
template's loop they replace (templates/notices/detail.html, as it was), every value escaped."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace as NS

import pytest
from flask import render_template_string

from supervision.views.notices.detail_items import item_heads

EVIL = "<b>\"x\" & 'y'</b>"

# The loop's body up to the forms, as it was in templates/notices/detail.html.
OLD_ITEM_HEAD = (
    "\n"
    '    <div class="card mb-3 notice-item" id="item-{{ item.id }}" data-testid="item-{{ item.seq }}">\n'
    '      <div class="card-header d-flex justify-content-between align-items-center flex-wrap gap-2">\n'
    "        <span>{{ _('第%(n)s项', n=item.seq) }} · {{ item.description|truncate(40) }}</span>\n"
    "        {% if notice.kind.requires_rectification %}{{ status_badge('notice_item', item.status) }}{% else %}<span class=\"badge bg-light text-muted\">{{ _('无需整改报告') }}</span>{% endif %}\n"
    "      </div>\n"
    '      <div class="card-body">\n'
    '        <dl class="dl-grid mb-2">\n'
    "          <dt>{{ _('问题') }}</dt><dd>{{ item.description }}</dd>\n"
    "          {% if item.legal_basis %}<dt>{{ _('依据') }}</dt><dd>{{ item.legal_basis }}</dd>{% endif %}\n"
    "          <dt>{{ _('整改要求') }}</dt><dd>{{ item.requirement }}</dd>\n"
    "        </dl>\n"
    "        {# each report carries its verdicts (queries/notice_detail.py) #}\n"
    "        {% for r in item.rectifications %}\n"
    '        <div class="report-box">\n'
    "          <div class=\"small text-muted\">{{ _('第%(n)s次整改报告', n=loop.index) }} · {{ r.by_name or '' }} · {{ r.submitted_at|cn_datetime }} · {{ _('完成日期') }} {{ r.completed_on|cn_date }}</div>\n"
    '          <div class="preline my-1">{{ r.measures }}</div>\n'
    "          {{ attachments(files.get(r.id, [])) }}\n"
    "          {% for v in r.verdicts %}\n"
    '          <div class="verdict verdict-{{ v.decision }} mt-2">\n'
    "            <i class=\"bi bi-{{ 'check-circle' if v.decision == 'accept' else 'arrow-return-left' }}\"></i>\n"
    "            {{ _('核查通过') if v.decision == 'accept' else _('退回整改') }} · {{ v.by_name or '' }} · {{ v.at|cn_datetime }}{% if v.reason %}：{{ v.reason }}{% endif %}\n"
    "          </div>\n"
    "          {% endfor %}\n"
    "        </div>\n"
    "        {% endfor %}\n"
    "\n"
)
OLD = (
    "{% from '_macros/ui.html' import status_badge, attachments %}{% for item in items %}"
    + OLD_ITEM_HEAD
    + "        {% endfor %}"
)


def _items():
    at = datetime(2026, 3, 5, 6, 5, tzinfo=UTC)
    verdicts = [
        NS(decision="return", reason=EVIL, at=at, by_name=EVIL),
        NS(decision="accept", reason=None, at=at, by_name=None),
        NS(decision="accept", reason="", at=None, by_name="张三"),
    ]
    reports = [
        NS(
            id=1,
            measures=EVIL,
            completed_on=date(2026, 3, 1),
            submitted_at=at,
            by_name=EVIL,
            verdicts=verdicts,
        ),
        NS(id=2, measures="整改\n措施", completed_on=None, submitted_at=None, by_name=None, verdicts=[]),
    ]
    long = "这是一个很长的问题描述" * 6 + " with words to cut " + EVIL
    return [
        NS(
            id=7,
            seq=1,
            requirement=EVIL,
            status="submitted",
            description=EVIL,
            legal_basis=EVIL,
            rectifications=reports,
        ),
        NS(
            id=8,
            seq=2,
            requirement="",
            status="pending",
            description=long,
            legal_basis=None,
            rectifications=[],
        ),
        NS(
            id=9,
            seq=3,
            requirement="x",
            status="accepted",
            description="a " * 30,
            legal_basis="",
            rectifications=reports[1:],
        ),
    ]


def _files():
    at = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    return {
        1: [
            NS(id=3, is_image=True, original_name=EVIL, size=2048, uploaded_at=at),
            NS(id=4, is_image=False, original_name="报告.pdf", size=123456, uploaded_at=at),
        ]
    }


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("rectify", [True, False])
@pytest.mark.parametrize("with_files", [True, False])
def test_the_item_heads_are_the_template_s(app, locale, rectify, with_files):
    from flask_babel import force_locale

    items, files = _items(), _files() if with_files else {}
    notice = NS(kind=NS(requires_rectification=rectify))
    with app.test_request_context("/notices/1"), force_locale(locale):
        old = render_template_string(OLD, items=items, files=files, notice=notice)
        heads = item_heads(items, rectify, files)
    assert "".join(head for _, head in heads) == old
    assert [item for item, _ in heads] == items


def test_every_written_value_of_an_item_is_escaped(app):
    with app.test_request_context("/notices/1"):
        html = "".join(head for _, head in item_heads(_items(), True, _files()))
    assert "<b>" not in html
    assert "&lt;b&gt;&#34;x&#34; &amp; &#39;y&#39;&lt;/b&gt;" in html
