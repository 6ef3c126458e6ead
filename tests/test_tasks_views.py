"""Tasks, findings and the inspector pool through the browser's eyes: role × route, forms, counts, export."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from supervision.extensions import db
from supervision.formatting import local_today
from supervision.models import Attachment, Finding, InspectorProfile, SupervisionTask
from supervision.services.attachments import attachments_add

from . import factories
from .conftest import count_queries
from .test_tasks import png_bytes, upload


@pytest.fixture
def world(make_user):
    a, b, c = (factories.UnitFactory() for _ in range(3))
    users = {
        "admin": make_user("admin"),
        "lead": make_user("lead"),
        "member": make_user("inspector", unit=a, display_name="陈敏"),
        "outsider": make_user("inspector", unit=c),
        "liaison": make_user("liaison", unit=b),
    }
    task = factories.TaskFactory(status="active")
    task.units = [a, b]
    factories.TaskInspectorFactory(task=task, user=users["member"], is_leader=True)
    draft = factories.TaskFactory(status="draft")
    draft.units = [a]
    factories.TaskInspectorFactory(task=draft, user=users["member"], is_leader=True)
    finding = factories.FindingFactory(task=task, unit=b, inspector=users["member"])
    loose = factories.FindingFactory(task=None, unit=b, inspector=None)  # e.g. from a case-file review
    [photo] = attachments_add(
        actor=users["member"],
        owner_type="finding",
        owner_id=finding.id,
        uploads=[upload(png_bytes(), "照片.png")],
    )
    [doc] = attachments_add(
        actor=users["lead"],
        owner_type="task",
        owner_id=task.id,
        uploads=[upload(b"%PDF-1.4 test", "依据.pdf")],
    )
    db.session.commit()
    return {
        **users, "a": a, "b": b, "c": c, "task": task, "draft": draft, "finding": finding,
        "loose": loose, "photo": photo, "doc": doc,
    }  # fmt: skip


ROLES = ["anonymous", "admin", "lead", "member", "outsider", "liaison"]

# url template, expected status per role (anonymous, admin, lead, member, outsider, liaison)
GET_MATRIX = [
    ("/tasks/", (302, 200, 200, 200, 200, 403)),
    ("/tasks/{task}", (302, 200, 200, 200, 404, 403)),
    ("/tasks/new", (302, 403, 200, 403, 403, 403)),
    ("/tasks/{draft}/edit", (302, 403, 200, 403, 403, 403)),
    ("/tasks/{task}/ledger.xlsx", (302, 200, 200, 200, 404, 403)),
    ("/tasks/{task}/findings/new", (302, 403, 403, 200, 404, 403)),
    ("/tasks/findings", (302, 200, 200, 200, 200, 403)),
    ("/tasks/findings/{finding}", (302, 200, 200, 200, 404, 403)),
    ("/tasks/findings/{loose}", (302, 200, 200, 200, 200, 403)),
    ("/tasks/findings/{finding}/edit", (302, 403, 403, 200, 404, 403)),
    ("/tasks/categories", (302, 200, 200, 403, 403, 403)),
    ("/inspectors/", (302, 200, 200, 200, 200, 403)),
    ("/inspectors/{member_id}", (302, 200, 200, 200, 200, 403)),
    ("/inspectors/{member_id}/edit", (302, 200, 200, 403, 403, 403)),
    ("/files/{photo}", (302, 200, 200, 200, 404, 404)),
    ("/files/{doc}", (302, 200, 200, 200, 404, 404)),
]


def fill(url: str, w) -> str:
    return url.format(
        task=w["task"].id,
        draft=w["draft"].id,
        finding=w["finding"].id,
        loose=w["loose"].id,
        member_id=w["member"].id,
        photo=w["photo"].id,
        doc=w["doc"].id,
    )


@pytest.mark.parametrize(("url", "expected"), GET_MATRIX, ids=[u for u, _ in GET_MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(client, world, url, expected, role):
    if role != "anonymous":
        client.login_user(world[role])
    response = client.get(fill(url, world))
    assert response.status_code == expected[ROLES.index(role)], (role, url)


# POSTs: url, form, expected status per role (anonymous, admin, lead, member, outsider, liaison)
POST_MATRIX = [
    ("/tasks/new", {}, (302, 403, 200, 403, 403, 403)),
    ("/tasks/{task}/step/close", {}, (302, 403, 302, 403, 403, 403)),
    ("/tasks/{task}/files", {}, (302, 403, 302, 403, 403, 403)),
    ("/tasks/findings/{finding}/dismiss", {"reason": "重复"}, (302, 403, 302, 403, 403, 403)),
    ("/tasks/findings/{finding}/files", {}, (302, 403, 403, 302, 404, 403)),
    ("/tasks/{task}/findings/new", {}, (302, 403, 403, 200, 404, 403)),
    ("/inspectors/{member_id}/edit", {"certificate_no": "X-1"}, (302, 302, 302, 403, 403, 403)),
]


@pytest.mark.parametrize(("url", "form", "expected"), POST_MATRIX, ids=[u for u, _, _ in POST_MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_post_matrix(client, world, url, form, expected, role):
    if role != "anonymous":
        client.login_user(world[role])
        response = client.post_form(fill(url, world), form)
    else:
        response = client.post(fill(url, world), data=form)
        expected = (400, *expected[1:]) if response.status_code == 400 else expected  # CSRF first
    assert response.status_code == expected[ROLES.index(role)], (role, url, response.status_code)


def test_liaison_sees_no_task_nav_and_inspector_sees_my_tasks(client, world):
    client.login_user(world["member"])
    page = client.get("/tasks/").get_data(as_text=True)
    assert "我的任务" in page and world["task"].title in page
    client.login_user(world["outsider"])
    page = client.get("/tasks/").get_data(as_text=True)
    assert world["task"].title not in page
    client.login_user(world["lead"])
    page = client.get("/tasks/").get_data(as_text=True)
    assert "督察任务" in page and world["task"].title in page and world["draft"].title in page


# --- forms through the client ---------------------------------------------------------------


def task_form(w, **over) -> dict:
    form = {
        "title": "涉企行政检查专项监督",
        "kind": "monitor",
        "basis": "海法治办〔2026〕8号",
        "description": "",
        "period_start": "2026-04-01",
        "period_end": "2026-05-31",
        "unit_ids": [str(w["b"].id), str(w["a"].id)],
        "inspector_ids": [str(w["member"].id)],
        "leader_id": str(w["member"].id),
    }
    form.update(over)
    return form


def test_lead_creates_task_and_is_warned_about_own_unit(client, world):
    client.login_user(world["lead"])
    response = client.post_form("/tasks/new", task_form(world), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已新建督察任务" in page and "涉企行政检查专项监督" in page
    assert "回避提醒" in page and "陈敏" in page  # the member's home unit a is a target


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"period_end": "2026-03-01"}, "结束日期不能早于开始日期"),
        ({"unit_ids": []}, "请至少选择一个被督察单位"),
        ({"inspector_ids": [], "leader_id": ""}, "请至少选择一名督察员"),
        ({"period_start": "not a date"}, "开始日期"),
    ],
)
def test_bad_task_form_shows_message_and_saves_nothing(client, world, override, message):
    client.login_user(world["lead"])
    before = db.session.scalar(select(func.count(SupervisionTask.id)))
    response = client.post_form("/tasks/new", task_form(world, **override))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SupervisionTask.id))) == before


def test_expired_inspector_is_refused_in_the_form(client, world):
    factories.InspectorProfileFactory(user=world["member"], term_end=date(2020, 1, 1))
    client.login_user(world["lead"])
    page = client.get("/tasks/new").get_data(as_text=True)
    assert "任期已届满" in page
    response = client.post_form("/tasks/new", task_form(world))
    assert "届满，不能编入新任务" in response.get_data(as_text=True)


def test_task_form_lists_600_units_with_a_filter_box(client, world):
    for _ in range(600):
        db.session.add(factories.UnitFactory.build())
    db.session.commit()
    client.login_user(world["lead"])
    with count_queries() as n:
        page = client.get("/tasks/new").get_data(as_text=True)
    assert page.count('name="unit_ids"') >= 600
    assert 'data-filter-list="unit-list"' in page and "data-select-visible" in page
    assert n() < 15


def finding_form(w, **over) -> dict:
    form = {
        "unit_id": str(w["b"].id),
        "category": "证据",
        "severity": "serious",
        "description": "现场照片未注明拍摄时间",
        "legal_basis": "",
        "found_on": local_today().isoformat(),
    }
    form.update(over)
    return form


def test_member_records_finding_with_photo_through_the_form(client, world):
    client.login_user(world["member"])
    data = finding_form(world)
    data["files"] = [(io.BytesIO(png_bytes()), "现场照片.png")]
    response = client.post_form(
        f"/tasks/{world['task'].id}/findings/new",
        data,
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "问题已记录" in page and "现场照片.png" in page
    finding = db.session.scalar(select(Finding).order_by(Finding.id.desc()))
    assert finding.severity == "serious"
    assert (
        db.session.scalar(
            select(func.count(Attachment.id)).where(
                Attachment.owner_type == "finding", Attachment.owner_id == finding.id
            )
        )
        == 1
    )


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"unit_id": "c"}, "不在本任务的督察范围内"),
        ({"unit_id": "a"}, "本人所在单位"),
        ({"description": ""}, "请填写发现的问题"),
    ],
)
def test_bad_finding_form_shows_message_and_saves_nothing(client, world, override, message):
    if "unit_id" in override:
        override = {"unit_id": str(world[override["unit_id"]].id)}
    client.login_user(world["member"])
    before = db.session.scalar(select(func.count(Finding.id)))
    response = client.post_form(f"/tasks/{world['task'].id}/findings/new", finding_form(world, **override))
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Finding.id))) == before


def test_disallowed_evidence_is_refused_in_the_form(client, world):
    client.login_user(world["member"])
    data = finding_form(world)
    data["files"] = [(io.BytesIO(b"MZ\x90\x00binary"), "virus.exe")]
    before = db.session.scalar(select(func.count(Finding.id)))
    response = client.post_form(
        f"/tasks/{world['task'].id}/findings/new", data, content_type="multipart/form-data"
    )
    assert "类型不允许上传" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Finding.id))) == before


def test_finding_on_closed_task_is_refused(client, world):
    world["task"].status = "closed"
    db.session.commit()
    client.login_user(world["member"])
    response = client.post_form(
        f"/tasks/{world['task'].id}/findings/new", finding_form(world), follow_redirects=True
    )
    assert "任务不在进行中" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Finding.id))) == 2


def test_second_save_of_the_same_finding_is_refused(client, world, make_user):
    finding = world["finding"]
    client.login_user(world["member"])
    page = client.get(f"/tasks/findings/{finding.id}/edit").get_data(as_text=True)
    assert f'name="version" type="hidden" value="{finding.version}"' in page
    stale = finding.version
    first = client.post_form(
        f"/tasks/findings/{finding.id}/edit",
        finding_form(world, description="第一次修改", version=str(stale)),
    )
    assert first.status_code == 302
    second = client.post_form(
        f"/tasks/findings/{finding.id}/edit",
        finding_form(world, description="第二次修改", version=str(stale)),
    )
    assert "已被他人修改" in second.get_data(as_text=True)
    assert db.session.get(Finding, finding.id).description == "第一次修改"


def test_lead_dismisses_with_reason_and_it_shows(client, world):
    client.login_user(world["lead"])
    response = client.post_form(
        f"/tasks/findings/{world['finding'].id}/dismiss", {"reason": ""}, follow_redirects=True
    )
    assert "必须填写理由" in response.get_data(as_text=True)
    response = client.post_form(
        f"/tasks/findings/{world['finding'].id}/dismiss", {"reason": "经核实已整改"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "已撤销" in page and "经核实已整改" in page


def test_lead_activates_closes_and_reopens(client, world):
    client.login_user(world["lead"])
    draft = world["draft"]
    client.post_form(f"/tasks/{draft.id}/step/activate")
    assert db.session.get(SupervisionTask, draft.id).status == "active"
    client.post_form(f"/tasks/{draft.id}/step/close")
    assert db.session.get(SupervisionTask, draft.id).status == "closed"
    page = client.post_form(f"/tasks/{draft.id}/step/reopen", {"reason": ""}, follow_redirects=True)
    assert "必须填写理由" in page.get_data(as_text=True)
    client.post_form(f"/tasks/{draft.id}/step/reopen", {"reason": "补充督察"})
    assert db.session.get(SupervisionTask, draft.id).status == "active"
    client.post_form(f"/tasks/{draft.id}/step/bogus")
    assert db.session.get(SupervisionTask, draft.id).status == "active"


def test_profile_edit_through_the_form(client, world):
    client.login_user(world["lead"])
    response = client.post_form(
        f"/inspectors/{world['member'].id}/edit",
        {"specialties": ["法律", "市场监管"], "specialties_other": "消防", "certificate_no": "浙督9",
         "term_start": "2025-01-01", "term_end": "2027-12-31"},
        follow_redirects=True,
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert "已保存" in page and "消防" in page
    profile = db.session.scalar(
        select(InspectorProfile).where(InspectorProfile.user_id == world["member"].id)
    )
    assert profile.specialty_list == ["法律", "市场监管", "消防"]


def test_pool_filters_by_term_specialty_and_shows_workload(client, world):
    factories.InspectorProfileFactory(
        user=world["member"], specialties="市场监管", term_end=date(2027, 12, 31)
    )
    factories.InspectorProfileFactory(user=world["outsider"], specialties="法律", term_end=date(2020, 12, 31))
    client.login_user(world["lead"])
    expired = client.get("/inspectors/?term=expired").get_data(as_text=True)
    assert world["outsider"].display_name in expired and "陈敏" not in expired
    market = client.get("/inspectors/?specialty=市场监管").get_data(as_text=True)
    assert "陈敏" in market and world["outsider"].display_name not in market


def test_categories_page_adds_and_toggles(client, world):
    from supervision.models import FindingCategory
    from supervision.queries.tasks import finding_category_names

    client.login_user(world["lead"])
    response = client.post_form("/tasks/categories", {"name": "执法监督"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "执法监督" in page and "主体" in page
    category = db.session.scalar(select(FindingCategory).where(FindingCategory.name == "执法监督"))
    assert category.active and finding_category_names()[-1] == "执法监督"
    client.post_form(f"/tasks/categories/{category.id}/active", {"active": "0"})
    assert db.session.get(FindingCategory, category.id).active is False
    assert "执法监督" not in finding_category_names()  # no longer offered for new findings
    assert "执法监督" in finding_category_names(include_inactive=True)  # still listed on this page
    client.post_form(f"/tasks/categories/{category.id}/active", {"active": "1"})
    assert "执法监督" in finding_category_names()


# --- query counts ---------------------------------------------------------------------------


def _findings(task, units, inspector, n):
    for i in range(n):
        db.session.add(
            Finding(
                task_id=task.id,
                unit_id=units[i % len(units)].id,
                inspector_id=inspector.id,
                category="程序",
                severity=("normal", "major", "serious")[i % 3],
                description=f"问题{i}",
                legal_basis="",
                found_on=date(2026, 4, 1),
                status="open",
            )
        )
    db.session.commit()


def _measure(client, url) -> int:
    with count_queries() as n:
        response = client.get(url)
    assert response.status_code == 200
    return n()


@pytest.mark.parametrize("role", ["lead", "member"])
def test_task_list_and_task_page_query_counts_do_not_grow(client, world, role):
    units = [factories.UnitFactory() for _ in range(5)]
    small = factories.TaskFactory(status="active")
    small.units = [*units, world["b"]]
    big = factories.TaskFactory(status="active")
    big.units = [*units, world["b"]]
    for t in (small, big):
        factories.TaskInspectorFactory(task=t, user=world["member"], is_leader=True)
    db.session.commit()
    _findings(small, units, world["member"], 10)
    _findings(big, units, world["member"], 300)
    client.login_user(world[role])
    small_page = _measure(client, f"/tasks/{small.id}")
    big_page = _measure(client, f"/tasks/{big.id}")
    assert small_page == big_page, (small_page, big_page)
    print(f"task page queries ({role}): {small_page} at 10 findings, {big_page} at 300")
    list_before = _measure(client, "/tasks/")
    for _ in range(25):  # more tasks than a page, each with findings
        t = factories.TaskFactory(status="active")
        t.units = units
        factories.TaskInspectorFactory(task=t, user=world["member"])
        db.session.commit()
        _findings(t, units, world["member"], 3)
    list_after = _measure(client, "/tasks/")
    assert list_before == list_after, (list_before, list_after)
    print(f"task list queries ({role}): {list_before} at 3 tasks, {list_after} at 28 tasks")
    findings_small = _measure(client, f"/tasks/findings?task={small.id}")
    findings_big = _measure(client, f"/tasks/findings?task={big.id}")
    assert findings_small == findings_big
    home_before = _measure(client, "/")
    assert home_before == _measure(client, "/")


def test_pool_query_count_does_not_grow(client, world, make_user):
    client.login_user(world["lead"])
    for _ in range(3):
        factories.InspectorProfileFactory(user=make_user("inspector"))
    few = _measure(client, "/inspectors/")
    for _ in range(40):
        factories.InspectorProfileFactory(user=make_user("inspector"))
    assert _measure(client, "/inspectors/") == few


# --- the ledger export ----------------------------------------------------------------------


def test_ledger_xlsx_reads_back_with_one_row_per_finding(client, world):
    _findings(world["task"], [world["b"]], world["member"], 4)
    client.login_user(world["lead"])
    response = client.get(f"/tasks/{world['task'].id}/ledger.xlsx")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.data))
    ws = wb.active
    assert "督察问题台账" in ws["A1"].value
    header = [c.value for c in ws[3]]
    assert header == [
        "序号",
        "被督察单位",
        "问题分类",
        "严重程度",
        "发现的问题",
        "依据条款",
        "督察员",
        "发现日期",
        "状态",
    ]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4) if isinstance(row[0].value, int)]
    assert len(rows) == 5
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5]
    assert all(r[1] == world["b"].name and r[6] == "陈敏" and r[8] == "待处理" for r in rows)
    assert {r[3] for r in rows} >= {"一般", "较重", "严重"}
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$3:$3"


def test_home_panels_for_inspector_and_lead(app, world):
    from flask import render_template

    from supervision.views.tasks.panels import inspector_panel, lead_panel

    with app.test_request_context("/"):  # a panel runs in the home page's request (its row links)
        template, ctx = inspector_panel(world["member"])
        html = render_template(template, ctx=ctx)
    assert ctx["active_count"] == 1 and ctx["task_count"] == 2 and ctx["finding_count"] == 1
    assert "我的任务" in html and world["task"].title in html and "记录问题" in html
    template, ctx = lead_panel(world["lead"])
    assert ctx["active_count"] == 1 and ctx["draft_count"] == 1 and ctx["open_count"] == 2
    with app.test_request_context("/"):
        html = render_template(template, ctx=ctx)
    # 进行中的督察任务 lists active tasks only (a draft is not under way; it has its own count).
    assert "进行中的督察任务" in html and world["task"].title in html
    assert world["draft"].title not in html


def test_inspector_page_hides_tasks_the_viewer_is_not_on(client, world):
    client.login_user(world["outsider"])
    page = client.get(f"/inspectors/{world['member'].id}").get_data(as_text=True)
    assert world["task"].title not in page and "暂未参与任务" in page
    client.login_user(world["lead"])
    page = client.get(f"/inspectors/{world['member'].id}").get_data(as_text=True)
    assert world["task"].title in page and world["draft"].title in page


def test_lead_edits_a_draft_and_a_stale_form_is_refused(client, world):
    draft = world["draft"]
    client.login_user(world["lead"])
    page = client.get(f"/tasks/{draft.id}/edit").get_data(as_text=True)
    assert "编辑督察任务" in page and "checked" in page
    stale = str(draft.version)
    response = client.post_form(
        f"/tasks/{draft.id}/edit", task_form(world, title="改后的名称", version=stale)
    )
    assert response.status_code == 302
    response = client.post_form(f"/tasks/{draft.id}/edit", task_form(world, title="又改一次", version=stale))
    assert "已被他人修改" in response.get_data(as_text=True)
    assert db.session.get(SupervisionTask, draft.id).title == "改后的名称"
    # Once active, the task can no longer be edited.
    client.post_form(f"/tasks/{draft.id}/step/activate")
    response = client.get(f"/tasks/{draft.id}/edit", follow_redirects=True)
    assert "只有草稿状态的任务可以修改" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("who", "url", "fields"),
    [
        ("lead", "/tasks/new", ["kind"]),
        ("member", "/tasks/{task}/findings/new", ["unit_id", "category"]),
        ("admin", "/admin/users/new", ["role"]),
        ("admin", "/admin/units/new", ["kind"]),
    ],
)
def test_required_selects_carry_the_required_mark(client, world, who, url, fields):
    client.login_user(world[who])
    page = client.get(url.format(task=world["task"].id)).get_data(as_text=True)
    for name in fields:
        assert f'<label class="form-label required" for="{name}">' in page, name
        assert re.search(rf'<select[^>]*id="{name}"[^>]*required', page), name


def test_a_task_posted_without_its_kind_says_so(client, world):
    client.login_user(world["lead"])
    page = client.post_form("/tasks/new", {"title": "专项督察"}).get_data(as_text=True)
    assert "请选择任务类型" in page


def test_findings_table_rows_escape_every_value(client, world):
    """The rows are built in Python (views/tasks/finding_rows.py): each value is escaped once."""
    task = factories.TaskFactory(status="active", code='T<1>&"')
    factories.FindingFactory(
        task=task,
        unit=factories.UnitFactory(short_name="<b>unit</b>"),
        category="a&b",
        description="<script>alert(1)</script>" + "长" * 70,
    )
    db.session.commit()
    client.login_user(world["lead"])
    for url in ("/tasks/findings", f"/tasks/{task.id}"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<b>unit</b>" not in html and "&lt;b&gt;unit&lt;/b&gt;" in html
        assert "a&amp;b" in html and "长" * 70 not in html and "…</a>" in html
    assert "T&lt;1&gt;&amp;&#34;</a>" in client.get("/tasks/findings").get_data(as_text=True)


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_task_list_rows_escape_every_value(app, locale):
    """The task list's rows are built in Python (views/tasks/task_rows.py): each value is escaped."""
    from collections import namedtuple

    from flask_babel import force_locale

    from supervision.views.tasks.task_rows import COLUMNS, task_rows

    evil = '<script>alert("x")</script>&'
    row = namedtuple("Row", COLUMNS)(
        id=7,
        code=evil,
        title=evil,
        kind=evil,
        period_start=date(2026, 3, 5),
        period_end=date(2026, 4, 1),
        status=evil,
        findings=4,
        open_findings=2,
        serious_findings=1,
        units=3,
        team_size=3,
        leader=evil,
        total=1,
        years="2026",
    )
    with app.test_request_context("/"), force_locale(locale):
        html = str(task_rows([row], '/tasks/"x'))
        known = str(task_rows([row._replace(kind="special", status="active")], "/tasks/"))
    assert "<script>" not in html and 'alert("x")' not in html and 'href="/tasks/"' not in html
    # code, title, kind (twice), leader and the status class: every written value
    assert html.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;") == 6
    assert 'href="/tasks/&#34;x7"' in html
    assert ("等 3 人" if locale == "zh_CN" else "(3 in all)") in html
    assert 'href="/tasks/7"' in known and "status-task-active" in known
    assert ("专项督察" if locale == "zh_CN" else "Special") in known


@pytest.mark.parametrize("role", ["lead", "inspector"])
def test_task_list_total_and_years_with_and_without_rows(client, make_user, role):
    """The list's rows carry its total and the user's task years (queries.tasks._TaskPage); a page
    without rows (nothing matches, or past the end) asks them apart and shows the same years."""
    user = make_user(role)
    tasks = [factories.TaskFactory(year=2025 + i % 2, title=f"年度任务{i}") for i in range(23)]
    hidden = factories.TaskFactory(year=2019, title="别人的任务")
    if role == "inspector":
        for t in tasks:
            factories.TaskInspectorFactory(task=t, user=user)
    db.session.commit()
    client.login_user(user)
    years = ['<option value="2026" >2026</option>', '<option value="2025" >2025</option>']
    for url in ("/tasks/", "/tasks/?page=2", "/tasks/?page=9", "/tasks/?q=没有这个词"):
        body = client.get(url).get_data(as_text=True)
        assert all(y in body for y in years), url
        assert ('<option value="2019"' in body) == (role == "lead"), url
    first = client.get("/tasks/").get_data(as_text=True)
    assert first.count('href="/tasks/?page=2"') >= 1 and "?page=3" not in first
    assert "年度任务" in client.get("/tasks/?page=2").get_data(as_text=True)
    assert "没有符合条件的督察任务" in client.get("/tasks/?q=没有这个词").get_data(as_text=True)
    assert hidden.title not in first or role == "lead"
    with count_queries() as n:
        client.get("/tasks/")
    with count_queries() as past_end:
        client.get("/tasks/?page=9")
    assert past_end() == n() + 2  # the count and the years, apart
