"""Framework import: every bad row reported, nothing imported on any error; round trip; versions."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from supervision.errors import DomainError, ImportRejected
from supervision.extensions import db
from supervision.models import Framework, Indicator
from supervision.services import frameworks as framework_svc
from supervision.services import scorecards as svc
from supervision.tabular import read_rows

from .factories import UnitFactory, framework_rows, make_framework


def _count() -> int:
    return db.session.scalar(select(func.count(Framework.id)))


def _rows(*specs):
    """specs: (code, parent, text, points[, kinds[, level]]) → numbered rows from line 2."""
    rows = []
    for number, spec in enumerate(specs, start=2):
        code, parent, text, points, *rest = spec
        rows.append(
            (
                number,
                {
                    "层级名称": rest[1] if len(rest) > 1 else "",
                    "编码": code,
                    "上级编码": parent,
                    "内容": text,
                    "分值": points,
                    "评价方式": "",
                    "适用单位类型": rest[0] if rest else "",
                    "责任单位": "",
                },
            )
        )
    return rows


def _rejected(rows) -> list[str]:
    with pytest.raises(ImportRejected) as error:
        framework_svc.framework_import(actor=None, name="坏文件", rows=rows)
    db.session.rollback()
    assert _count() == 0, "nothing may be imported when any row is bad"
    return error.value.errors


def test_good_file_imports_a_tree_with_level_names_and_equal_weights():
    framework = make_framework(areas=3, per_area=4)
    assert framework.level_names == ["一级指标", "二级指标", "三级指标"]
    indicators = db.session.scalars(select(Indicator).where(Indicator.framework_id == framework.id)).all()
    leaves = [i for i in indicators if i.is_leaf]
    assert len(indicators) == 3 + 3 + 12 and len(leaves) == 12
    assert {i.max_points for i in leaves} == {1.0}  # equal weights by default
    roots = [i for i in indicators if i.level == 1]
    assert all(r.max_points == 4.0 and r.area_id == r.id for r in roots)
    assert all(leaf.area_id in {r.id for r in roots} for leaf in leaves)


def test_any_depth_and_level_names_from_the_file():
    rows = _rows(
        ("A", "", "方面", "", "", "方面"),
        ("A1", "A", "任务", "", "", "任务"),
        ("A1a", "A1", "要求", "", "", "要求"),
        ("A1a-1", "A1a", "细则一", "3", "", "细则"),
        ("A1a-2", "A1a", "细则二", "2", "", "细则"),
        ("B", "", "另一方面（本身即评分项）", "5", "", "方面"),
    )
    framework = framework_svc.framework_import(actor=None, name="四级体系", rows=rows)
    assert framework.level_names == ["方面", "任务", "要求", "细则"]
    by_code = {
        i.code: i for i in db.session.scalars(select(Indicator).where(Indicator.framework_id == framework.id))
    }
    assert by_code["A1a-1"].level == 4 and by_code["A"].max_points == 5.0
    assert by_code["B"].is_leaf and by_code["B"].max_points == 5.0


@pytest.mark.parametrize(
    ("specs", "expected"),
    [
        ([("1", "", "领域", ""), ("1", "", "重复", "")], "第 3 行：编码“1”重复"),
        ([("1", "", "领域", ""), ("1.1", "9", "无上级", "")], "第 3 行：上级编码“9”不存在"),
        ([("1", "", "领域", ""), ("1.1", "1", "指标", "两分")], "第 3 行：分值“两分”不是数字"),
        ([("1", "", "领域", ""), ("1.1", "1", "指标", "-1")], "第 3 行：分值不能为负数"),
        ([("1", "", "领域", ""), ("1.1", "1", "指标", "nan")], "第 3 行：分值“nan”不是数字"),
        ([("1", "", "领域", ""), ("1.1", "1", "指标", "inf")], "第 3 行：分值“inf”不是数字"),
        ([("1", "", "领域", ""), ("1.1", "1", "指标", "-Infinity")], "第 3 行：分值“-Infinity”不是数字"),
        ([("1", "", "领域", ""), ("1.1", "1", "指标", "1e300")], "第 3 行：分值“1e300”不是数字"),
        ([("1", "", "领域", ""), ("", "1", "无编码", "")], "第 3 行：编码不能为空"),
        ([("1", "", "领域", ""), ("1.1", "1", "", "")], "第 3 行：内容不能为空"),
        ([("1", "", "领域", ""), ("1.1", "1", "指标", "", "街道办")], "第 3 行：适用单位类型“街道办”无效"),
        ([("1", "", "领域", ""), ("1.1", "1", "甲", "2"), ("1.2", "1", "乙", "")], "第 4 行：未填写分值"),
        (
            [("1", "", "领域", "5"), ("1.1", "1", "甲", "2"), ("1.2", "1", "乙", "2")],
            "第 2 行：分值 5 与下级指标分值之和 4",
        ),
        ([("1", "2", "甲", ""), ("2", "1", "乙", "")], "形成循环"),
        ([("1", "1", "自己", "")], "上级编码不能是本行编码"),
        (
            [("1", "", "领域", "", "", "一级指标"), ("2", "", "领域二", "", "", "第一级")],
            "第 3 行：层级名称“第一级”与同级的“一级指标”",
        ),
    ],
)
def test_each_bad_row_is_reported_and_nothing_imported(specs, expected):
    errors = _rejected(_rows(*specs))
    assert any(expected in e for e in errors), errors


def test_every_bad_row_is_listed_not_only_the_first():
    errors = _rejected(
        _rows(("1", "", "领域", ""), ("1.1", "1", "甲", "x"), ("1.2", "7", "乙", ""), ("1.1", "1", "丙", ""))
    )
    joined = "\n".join(errors)
    assert "第 3 行" in joined and "第 4 行" in joined and "第 5 行" in joined


def test_empty_file_is_refused():
    with pytest.raises(ImportRejected):
        framework_svc.framework_import(actor=None, name="空", rows=[])


def test_name_is_required():
    with pytest.raises(DomainError):
        framework_svc.framework_import(actor=None, name=" ", rows=framework_rows())


def _upload(data: bytes, name: str) -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name)


def _tree(framework: Framework) -> list[tuple]:
    return [
        (
            i.code,
            i.parent.code if i.parent else "",
            i.level,
            i.text,
            i.max_points,
            i.method,
            i.applies_to,
            i.responsible,
        )
        for i in db.session.scalars(
            select(Indicator).where(Indicator.framework_id == framework.id).order_by(Indicator.position)
        )
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_gives_the_same_framework(client, login_as, fmt):
    original = make_framework(areas=2, per_area=3, points="2.5", kinds="部门、镇乡街道")
    login_as("admin")
    response = client.get(f"/scorecards/frameworks/{original.id}/export.{fmt}")
    assert response.status_code == 200
    rows = read_rows(_upload(response.data, f"x.{fmt}"), required=framework_svc.FRAMEWORK_REQUIRED)
    again = framework_svc.framework_import(actor=None, name=original.name, rows=rows)
    assert again.version == original.version + 1  # same name → a new version
    assert again.level_names == original.level_names
    assert _tree(again) == _tree(original)


def test_demo_framework_file_has_100_checkable_indicators_and_round_trips(client, login_as):
    framework, created = framework_svc.seed_demo_framework()
    assert created and framework.is_demo
    again, created_again = framework_svc.seed_demo_framework()
    assert again.id == framework.id and not created_again  # idempotent
    leaves = db.session.scalars(
        select(Indicator).where(Indicator.framework_id == framework.id, Indicator.is_leaf.is_(True))
    ).all()
    assert len(leaves) == 100
    assert len({i.area_id for i in leaves}) == 9
    assert any("报备率、及时率、规范率均达100%" in i.text for i in leaves)
    login_as("admin")
    page = client.get(f"/scorecards/frameworks/{framework.id}").get_data(as_text=True)
    assert "示例" in page and 'data-testid="demo-label"' in page
    data = client.get(f"/scorecards/frameworks/{framework.id}/export.xlsx").data
    rows = read_rows(_upload(data, "demo.xlsx"), required=framework_svc.FRAMEWORK_REQUIRED)
    copy = framework_svc.framework_import(actor=None, name="副本", rows=rows)
    assert [t[:5] for t in _tree(copy)] == [t[:5] for t in _tree(framework)]


def test_template_downloads_and_imports(client, login_as):
    login_as("admin")
    response = client.get("/scorecards/frameworks/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [c.value for c in sheet[1]] == framework_svc.FRAMEWORK_COLUMNS
    rows = read_rows(_upload(response.data, "t.xlsx"), required=framework_svc.FRAMEWORK_REQUIRED)
    framework = framework_svc.framework_import(actor=None, name="模板示例", rows=rows)
    assert framework.level_names == ["一级指标", "二级指标", "三级指标"]


def test_import_page_lists_every_error_and_saves_nothing(client, login_as):
    login_as("admin")
    bad = "层级名称,编码,上级编码,内容,分值\n一级指标,1,,领域,\n三级指标,1.1,9,甲,x\n".encode()
    response = client.post_form(
        "/scorecards/frameworks/import",
        {"name": "坏文件", "file": (io.BytesIO(bad), "bad.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "第 3 行" in html and "不是数字" in html and "不存在" in html
    assert _count() == 0


def test_import_page_imports_a_good_file(client, login_as):
    login_as("admin")
    good = "层级名称,编码,上级编码,内容,分值,评价方式,适用单位类型,责任单位\n一级指标,1,,领域,,,,\n三级指标,1.1,1,甲,2,资料审查,部门,\n".encode()
    response = client.post_form(
        "/scorecards/frameworks/import",
        {"name": "好文件", "year": "2026", "file": (io.BytesIO(good), "good.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    framework = db.session.scalar(select(Framework))
    assert framework.name == "好文件" and framework.year == 2026


def test_frozen_framework_cannot_be_edited(client, login_as, make_user):
    framework = make_framework()
    leaf = db.session.scalar(
        select(Indicator).where(Indicator.framework_id == framework.id, Indicator.is_leaf)
    )
    admin = login_as("admin")
    ok = client.post_form(
        f"/scorecards/frameworks/{framework.id}/indicators/{leaf.id}/edit",
        {"text": "新内容", "max_points": "3", "method": "", "kinds": ["town"], "responsible": ""},
    )
    assert ok.status_code == 302
    db.session.refresh(leaf)
    assert leaf.text == "新内容" and leaf.max_points == 3.0 and leaf.applies_to == "town"
    assert leaf.parent.max_points == 5.0  # parents re-summed
    lead = make_user("lead")
    UnitFactory()
    svc.round_open(
        actor=lead,
        framework_id=framework.id,
        year=2026,
        title="轮次",
        deadline=None,
        unit_ids=[],
        all_units=True,
    )
    with pytest.raises(DomainError, match="冻结"):
        framework_svc.indicator_update(
            actor=admin, indicator=leaf, data={"text": "再改", "kinds": ["town"], "max_points": "1"}
        )
    db.session.rollback()
    db.session.refresh(leaf)
    assert leaf.text == "新内容"
