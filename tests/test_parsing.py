"""The one number parser (supervision/parsing.py) and the pages that read numbers from the URL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from supervision.parsing import MAX_ID, BadNumber, coerce_id, form_id, parse_decimal, parse_int

from . import factories

HUGE = str(10**20)


@pytest.mark.parametrize(
    ("text", "expected"), [("1", 1), (" 42 ", 42), ("+7", 7), (str(MAX_ID), MAX_ID), ("", None), (None, None)]
)
def test_parse_int_reads_whole_numbers_and_blank(text, expected):
    assert parse_int(text) == expected


@pytest.mark.parametrize(
    "text", [HUGE, str(MAX_ID + 1), "0", "-1", "abc", "1e5", "1.0", "nan", "1_0", "%00", "9" * 5000]
)
def test_parse_int_refuses_what_is_not_an_id(text):
    with pytest.raises(BadNumber):
        parse_int(text)


def test_parse_int_message_names_the_bound():
    with pytest.raises(BadNumber, match="2000 至 2100"):
        parse_int("99999", minimum=2000, maximum=2100)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.5", Decimal("1.5")), ("0", Decimal(0)), ("-0", Decimal(0)), ("1e2", Decimal(100)), ("", None)],
)
def test_parse_decimal_reads_finite_numbers(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize("text", ["nan", "NaN", "inf", "-Infinity", "sNaN", "1e300", "abc", "1,5"])
def test_parse_decimal_refuses_nan_inf_and_text(text):
    with pytest.raises(BadNumber):
        parse_decimal(text)


def test_parse_decimal_bounds_and_places():
    assert parse_decimal("2.25", places=2, minimum=0, maximum=100) == Decimal("2.25")
    with pytest.raises(BadNumber, match="2 位小数"):
        parse_decimal("2.255", places=2)
    with pytest.raises(BadNumber, match="0 至 100"):
        parse_decimal("100.5", minimum=0, maximum=100)
    with pytest.raises(BadNumber):
        parse_decimal(float("nan"))


def test_coerce_id_accepts_the_none_choice_and_refuses_huge_ids():
    assert coerce_id("0") == 0 and coerce_id(5) == 5
    for bad in (HUGE, "-1", "", "x"):
        with pytest.raises(ValueError):
            coerce_id(bad)
    assert form_id(HUGE) is None and form_id("3") == 3


# --- pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [f"/tasks/{HUGE}", f"/notices/{HUGE}", f"/admin/users/{HUGE}", f"/tasks/{MAX_ID + 1}"]
)
def test_a_huge_id_in_the_path_is_a_404(client, login_as, url):
    login_as("lead")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "query",
    [f"page={HUGE}", f"unit={HUGE}", f"year={HUGE}", "year=-1", "year=99999", "unit=abc", f"task={HUGE}"],
)
def test_a_bad_number_in_the_query_is_a_400_with_a_message(client, login_as, query):
    login_as("lead")
    response = client.get(f"/tasks/findings?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "参数" in html and "无效" in html


@pytest.mark.parametrize(
    "url",
    [
        f"/notices/?kind={HUGE}",
        f"/notices/?unit={HUGE}",
        "/notices/?year=-1",
        "/admin/holidays?year=99999",
        "/admin/holidays?year=-1",
        f"/notices/register?year={HUGE}",
        f"/reviews/?year={HUGE}",
        f"/registers/assessments.xlsx?round={HUGE}",
        f"/admin/users?unit={HUGE}",
        f"/inspectors/?unit={HUGE}",
    ],
)
def test_bad_numbers_are_refused_on_every_list(client, login_as, url):
    login_as("admin" if "/admin/" in url else "lead")
    assert client.get(url).status_code == 400


def test_a_good_year_and_a_blank_one_still_filter(client, login_as):
    from datetime import date

    login_as("lead")
    old = factories.FindingFactory(found_on=date(2025, 5, 1), description="二〇二五年发现的问题")
    new = factories.FindingFactory(found_on=date(2026, 5, 1), description="二〇二六年发现的问题")
    response = client.get("/tasks/findings?year=2026&unit=&page=1")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The year filters; the blank unit does not.
    assert new.description in html and old.description not in html
    unfiltered = client.get("/tasks/findings?unit=&page=1").get_data(as_text=True)
    assert new.description in unfiltered and old.description in unfiltered
    response = client.get("/admin/holidays?year=2026")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "2026 年" in html and "year=2025" in html and "year=2027" in html


def test_the_dashboard_falls_back_to_this_year_for_a_year_outside_its_figures(client, login_as):
    from supervision.formatting import local_today

    login_as("lead")
    response = client.get(f"/dashboard/?year={HUGE}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"{local_today().year}年度法治督察" in html


def test_a_huge_finding_id_in_a_notice_draft_is_ignored(client, login_as):
    from supervision.extensions import db
    from supervision.models import Notice

    inspector = login_as("inspector")
    unit = factories.UnitFactory()
    kind = factories.NoticeKindFactory()
    factories.FindingFactory(unit=unit)
    response = client.post_form(
        f"/notices/new?unit={unit.id}",
        {"kind_id": str(kind.id), "title": "t", "time_limit_days": "10", "finding": [HUGE, "-1", "x"]},
    )
    # The bad ids are dropped, not looked up: the form comes back saying no finding was chosen.
    assert response.status_code == 200, inspector
    assert "至少需要一个整改事项" in response.get_data(as_text=True)
    assert db.session.query(Notice).count() == 0
