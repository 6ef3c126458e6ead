"""Type-ahead pickers: the suggestion endpoints (scoped, bounded) and the filter pages that use them
(a page no longer lists every unit, and a typed name works without picking)."""

from __future__ import annotations

import re

import pytest

from supervision.extensions import db

from . import factories


@pytest.fixture
def district():
    town = factories.UnitFactory(name="横街镇人民政府", short_name="横街镇", kind="town")
    other = factories.UnitFactory(name="横溪镇人民政府", short_name="横溪镇", kind="town")
    bureau = factories.UnitFactory(name="海曙区市场监督管理局", short_name="区市场监管局")
    for n in range(30):
        factories.UnitFactory(name=f"海曙区测试局{n:02d}", short_name=f"测试局{n:02d}")
    t1 = factories.TaskFactory(title="食品安全专项督察", units=[town, bureau])
    t2 = factories.TaskFactory(title="城市管理执法检查", units=[other])
    db.session.commit()
    return {"town": town, "other": other, "bureau": bureau, "t1": t1, "t2": t2}


def test_units_suggest_bounded_ranked_and_escaped(client, login_as, district):
    login_as("lead")
    all_units = client.get("/suggest/units").get_json()
    assert len(all_units) == 20  # at most twenty, whatever the district's size
    hits = client.get("/suggest/units?q=横街").get_json()
    assert [h["label"] for h in hits] == ["横街镇人民政府"] and hits[0]["hint"] == "横街镇"
    # An exact short name comes before names that merely contain the text.
    both = client.get("/suggest/units?q=镇").get_json()
    assert {h["label"] for h in both} == {"横街镇人民政府", "横溪镇人民政府"}
    assert client.get("/suggest/units?q=%25").get_json() == []  # "%" is text, not a wildcard
    assert client.get("/suggest/units?q=测试局0_").get_json() == []


def test_units_suggest_is_scoped_for_a_liaison(client, login_as, district):
    login_as("liaison", unit=district["town"])
    assert [h["label"] for h in client.get("/suggest/units").get_json()] == ["横街镇人民政府"]
    assert client.get("/suggest/units?q=横溪").get_json() == []
    assert client.get("/suggest/inspectors").status_code == 403


def test_inspectors_suggest_only_for_the_office(client, login_as, make_user, district):
    make_user("inspector", display_name="陈敏", username="chenmin", unit=district["bureau"])
    make_user("liaison", display_name="陈立", unit=district["town"])
    login_as("inspector")
    assert client.get("/suggest/inspectors").status_code == 403
    client.get("/auth/logout")
    login_as("lead")
    hits = client.get("/suggest/inspectors?q=陈").get_json()
    assert [(h["label"], h["hint"]) for h in hits] == [("陈敏", "海曙区市场监督管理局")]  # not the liaison
    assert client.get("/suggest/inspectors?q=chenmin").get_json()[0]["label"] == "陈敏"


def _titles(page: str) -> set[str]:
    return set(re.findall(r"(食品安全专项督察|城市管理执法检查)", page))


def test_task_list_filters_by_picked_or_typed_unit(client, login_as, district):
    login_as("lead")
    by_id = client.get(f"/tasks/?unit={district['other'].id}").get_data(as_text=True)
    assert _titles(by_id) == {"城市管理执法检查"}
    assert 'value="横溪镇人民政府"' in by_id  # the picker shows what was chosen
    typed = client.get("/tasks/?unit=&unit_name=横街镇").get_data(as_text=True)
    assert _titles(typed) == {"食品安全专项督察"}
    unknown = client.get("/tasks/?unit=&unit_name=不存在的单位").get_data(as_text=True)
    assert "没有找到名称为“不存在的单位”的单位" in unknown
    assert _titles(unknown) == {"食品安全专项督察", "城市管理执法检查"}  # no filter, nothing hidden
    ambiguous = client.get("/tasks/?unit=&unit_name=镇人民政府").get_data(as_text=True)
    assert "有多个单位与“镇人民政府”相符" in ambiguous


def test_filter_pages_do_not_list_every_unit(client, login_as, district):
    login_as("lead")
    pages = ["/tasks/", "/tasks/findings", "/registers/", "/scorecards/roadmap"]
    before = {p: client.get(p).get_data(as_text=True).count("<option") for p in pages}
    for n in range(100):
        factories.UnitFactory(name=f"新增单位{n:03d}")
    db.session.commit()
    after = {p: client.get(p).get_data(as_text=True).count("<option") for p in pages}
    assert after == before


def test_findings_export_follows_a_typed_unit(client, login_as, district):
    login_as("lead")
    inspector = factories.UserFactory(role="inspector", unit=district["bureau"])
    factories.FindingFactory(
        task=district["t1"], unit=district["town"], inspector=inspector, description="甲问题"
    )
    factories.FindingFactory(
        task=district["t1"], unit=district["bureau"], inspector=inspector, description="乙问题"
    )
    page = client.get("/tasks/findings?unit_name=横街镇").get_data(as_text=True)
    assert "甲问题" in page and "乙问题" not in page
    assert f"/registers/findings.xlsx?unit={district['town'].id}" in page


def test_registers_page_has_no_unit_picker_for_a_liaison(client, login_as, district):
    login_as("liaison", unit=district["town"])
    page = client.get("/registers/").get_data(as_text=True)
    assert "picker-unit" not in page
    client.get("/auth/logout")
    login_as("lead")
    assert "picker-unit" in client.get("/registers/").get_data(as_text=True)


# --- search: typed text is text --------------------------------------------


def test_search_treats_percent_and_underscore_as_text(client, login_as, district):
    login_as("lead")
    factories.TaskFactory(title="整改率100%专项督察")
    db.session.commit()
    for q in ("%25", "_", "\\"):
        html = client.get(f"/search/?q={q}").get_data(as_text=True)
        assert "食品安全专项督察" not in html, q  # was: "%" matched every record
    html = client.get("/search/?q=100%25").get_data(as_text=True)
    assert "整改率100%专项督察" in html and "食品安全专项督察" not in html


def test_keyword_filters_treat_percent_as_text(client, login_as, district):
    login_as("lead")
    assert "食品安全专项督察" not in client.get("/tasks/?q=%25").get_data(as_text=True)
    assert "食品安全专项督察" in client.get("/tasks/?q=食品").get_data(as_text=True)
    assert "横街镇人民政府" not in client.get("/admin/units?q=_").get_data(as_text=True)


def test_search_refuses_an_overlong_query_with_a_message(client, login_as, district):
    login_as("lead")
    response = client.get("/search/?q=" + "食" * 101)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'data-testid="search-error"' in html and "最多 100 个字" in html
    assert 'data-testid="search-total"' not in html  # nothing was searched
    assert client.get("/search/?q=" + "食" * 100).status_code == 200
    assert html.count('maxlength="100"') == 3  # the page's box and the navbar's two


def test_every_keyword_box_has_a_maxlength(client, login_as, district):
    login_as("lead")
    for url in ("/tasks/", "/tasks/findings", "/notices/", "/admin/units", "/admin/users", "/inspectors/"):
        html = client.get(url).get_data(as_text=True)
        boxes = re.findall(r'<input[^>]*name="q"[^>]*>', html)
        assert boxes and all('maxlength="100"' in box for box in boxes), url
