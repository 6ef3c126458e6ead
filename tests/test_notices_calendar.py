"""Working-day arithmetic (pure), the holiday seed, and document numbering (incl. concurrency on PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from supervision.calendar import (
    WorkCalendar,
    add_working_days,
    calendar_from_rows,
    load_calendar,
    package_days,
    working_days_between,
)
from supervision.extensions import db
from supervision.formatting import local_today
from supervision.models import DocCounter, Holiday
from supervision.numbering import format_number, next_number

from .conftest import is_postgres

PACKAGE = calendar_from_rows((day, is_workday) for day, is_workday, _name in package_days())
EMPTY = WorkCalendar()


# --- pure working-day arithmetic ------------------------------------------------------------


def test_national_day_2025_with_adjusted_working_days():
    # 2025: 10月1日–8日 off; Sunday 28 September and Saturday 11 October are working days (调休).
    assert PACKAGE.is_workday(date(2025, 9, 28)) and PACKAGE.is_workday(date(2025, 10, 11))
    assert not any(PACKAGE.is_workday(date(2025, 10, d)) for d in range(1, 9))
    # From Friday 26 September: Sun 28 (调休), Mon 29, Tue 30, then Thu 9, Fri 10, Sat 11 (调休).
    assert add_working_days(date(2025, 9, 26), 1, PACKAGE) == date(2025, 9, 28)
    assert add_working_days(date(2025, 9, 26), 3, PACKAGE) == date(2025, 9, 30)
    assert add_working_days(date(2025, 9, 26), 4, PACKAGE) == date(2025, 10, 9)
    assert add_working_days(date(2025, 9, 26), 6, PACKAGE) == date(2025, 10, 11)
    assert add_working_days(date(2025, 9, 26), 7, PACKAGE) == date(2025, 10, 13)
    # Counting weekends only would be badly wrong across the holiday.
    assert add_working_days(date(2025, 9, 26), 4, EMPTY) == date(2025, 10, 2)


def test_national_day_2026_with_adjusted_working_days():
    # 2026: 10月1日–7日 off; Sunday 20 September and Saturday 10 October are working days.
    assert PACKAGE.is_workday(date(2026, 9, 20)) and PACKAGE.is_workday(date(2026, 10, 10))
    assert not PACKAGE.is_workday(date(2026, 10, 7))
    assert PACKAGE.is_workday(date(2026, 10, 8))
    # From Wednesday 30 September, 15 working days: 8, 9, 10(Sat), 12–16, 19–23, 26, 27 October.
    assert add_working_days(date(2026, 9, 30), 15, PACKAGE) == date(2026, 10, 27)
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 27), PACKAGE) == 15


def test_working_days_between_is_signed_and_zero_on_the_day():
    cal = PACKAGE
    assert working_days_between(date(2025, 9, 30), date(2025, 9, 30), cal) == 0
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 9), cal) == 1
    assert working_days_between(date(2025, 10, 9), date(2025, 9, 30), cal) == -1
    # Overdue across the holiday: 5 working days from Tue 30 Sep 2025 to Tue 14 Oct (9, 10, 11, 13, 14).
    assert working_days_between(date(2025, 10, 14), date(2025, 9, 30), cal) == -5


@pytest.mark.parametrize("n", [0, 1, 5, 15, 30, 61])
def test_add_and_between_agree(n):
    for start in (date(2025, 9, 26), date(2026, 1, 30), date(2026, 9, 18)):
        end = add_working_days(start, n, PACKAGE)
        assert working_days_between(start, end, PACKAGE) == n
        assert n == 0 or PACKAGE.is_workday(end)


def test_year_without_calendar_counts_weekends_only():
    cal = calendar_from_rows([(date(2026, 10, 1), False)])
    assert cal.covers(2026) and not cal.covers(2030)
    assert cal.uncovered_years(date(2026, 5, 1), date(2030, 10, 1)) == [2030]
    # 1 October 2030 is a Tuesday: a working day, since 2030 has no holiday table.
    assert cal.is_workday(date(2030, 10, 1))
    assert add_working_days(date(2030, 9, 27), 1, cal) == date(2030, 9, 30)


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 1), -1, EMPTY)


# --- the holiday table ------------------------------------------------------------------------


def test_seed_calendar_is_idempotent_and_keeps_edits(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "calendar"])
    assert first.exit_code == 0 and "新增" in first.output
    count = db.session.scalar(select(func.count(Holiday.id)))
    assert count > 500
    edited = db.session.scalar(select(Holiday).where(Holiday.day == date(2026, 10, 7)))
    edited.name = "国庆节（本单位另行安排）"
    db.session.commit()
    second = runner.invoke(args=["seed", "calendar"])
    assert "已是最新" in second.output
    assert db.session.scalar(select(func.count(Holiday.id))) == count
    assert db.session.get(Holiday, edited.id).name == "国庆节（本单位另行安排）"
    cal = load_calendar(date(2026, 10, 1))
    assert cal.covers(2026) and not cal.is_workday(date(2026, 10, 1)) and cal.is_workday(date(2026, 10, 10))
    assert db.session.scalar(select(Holiday.name).where(Holiday.day == date(2025, 9, 28))) == "国庆节调休"


# --- numbering --------------------------------------------------------------------------------


def test_number_format():
    assert format_number("海法督", 2026, 3) == "海法督〔2026〕3号"
    assert format_number("海法督", 2026, 12) == "海法督〔2026〕12号"


def test_series_per_prefix_and_year():
    assert [next_number("海法督", 2026) for _ in range(3)] == [1, 2, 3]
    assert next_number("海法督", 2027) == 1
    assert next_number("海法整改", 2026) == 1
    db.session.commit()
    assert (
        db.session.scalar(
            select(DocCounter.last).where(DocCounter.prefix == "海法督", DocCounter.year == 2026)
        )
        == 3
    )


def test_rolled_back_issue_leaves_no_gap():
    assert next_number("海法督", 2026) == 1
    db.session.commit()
    assert next_number("海法督", 2026) == 2
    db.session.rollback()
    assert next_number("海法督", 2026) == 2


@pytest.mark.postgres
@pytest.mark.real_commits  # twenty threads, each on its own connection
def test_twenty_concurrent_issuers_get_one_to_twenty(app):
    if not is_postgres():
        pytest.skip("concurrency of numbering is tested on PostgreSQL")
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(20, timeout=60)

    def issue() -> None:
        try:
            with app.app_context():
                barrier.wait()
                n = next_number("海法督", 2026)
                results.append(n)
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=issue) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(results) == list(range(1, 21))


# --- years beyond the package's data: estimate (预估), range entry, the pasted notice, 确认 ----------

# 2027 from the almanac (万年历), not from lunar-python: 正月初一 is Saturday 6 February, so 除夕 is
# Friday 5 February; 端午 (五月初五) Wednesday 9 June, 中秋 (八月十五) Wednesday 15 September, 清明 5 April.
SPRING_2027 = date(2027, 2, 6)


def _estimate_2027() -> dict[date, str]:
    from supervision.calendar_estimate import estimate_holidays

    return {e.day: e.name for e in estimate_holidays(2027)}


def test_estimate_2027_spring_festival_and_national_day():
    estimate = _estimate_2027()
    spring = [d for d, name in estimate.items() if name == "春节"]
    # 除夕 to 正月初七: 8 days, as the 2025 notice gave (1月28日–2月4日).
    assert spring == [SPRING_2027 - timedelta(days=1) + timedelta(days=k) for k in range(8)]
    assert [d for d, name in estimate.items() if name == "国庆节"] == [date(2027, 10, d) for d in range(1, 8)]
    assert [d for d, name in estimate.items() if name == "劳动节"] == [date(2027, 5, d) for d in range(1, 6)]
    assert estimate[date(2027, 1, 1)] == "元旦"
    assert estimate[date(2027, 4, 5)] == "清明节"
    assert estimate[date(2027, 6, 9)] == "端午节"
    assert estimate[date(2027, 9, 15)] == "中秋节"
    assert len(estimate) == 1 + 8 + 1 + 5 + 1 + 1 + 7


def test_estimated_festival_days_were_holidays_in_the_package_years():
    """The lunar dates and the 清明 solar term, checked against the official data of 2015–2026."""
    from supervision.calendar_estimate import lunar_dates

    official = {day for day, is_workday, _name in package_days() if not is_workday}
    for year in range(2015, 2027):
        for name, day in lunar_dates(year).items():
            assert day in official, (year, name, day)


def test_estimate_of_the_2025_and_2026_pattern_gives_their_days_off():
    """Every estimated day of 2025 and 2026 was a day off in the official notice of that year."""
    from supervision.calendar_estimate import estimate_holidays

    for year in (2025, 2026):
        assert all(not PACKAGE.is_workday(e.day) for e in estimate_holidays(year)), year


def test_mid_autumn_inside_national_day_week_makes_it_eight_days():
    from supervision.calendar_estimate import estimate_holidays

    # 2028: 中秋 is 3 October (almanac), inside the week: 10月1日–8日 as in 2025.
    days = [e.day for e in estimate_holidays(2028) if e.name == "国庆节、中秋节"]
    assert days == [date(2028, 10, d) for d in range(1, 9)]


def test_2027_deadline_does_not_land_in_national_day_once_estimated():
    # Weekends only, 2027-09-20 + 10 working days is Monday 4 October, inside 国庆.
    assert add_working_days(date(2027, 9, 20), 10, EMPTY) == date(2027, 10, 4)
    estimated = calendar_from_rows((day, False) for day in _estimate_2027())
    # 21–24, 27–30 September (8), then Friday 8 October and Monday 11 October.
    assert add_working_days(date(2027, 9, 20), 10, estimated) == date(2027, 10, 11)


# the 2026 notice (国办发明电〔2025〕7号) as published, with its title, salutation and closing
NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作，确保人民群众祥和平安度过节日假期。
国务院办公厅
2025年11月4日"""


def test_the_2026_notice_reads_as_the_package_has_it():
    from supervision.calendar_notice import parse_notice

    parsed = parse_notice(NOTICE_2026, 2026)
    assert {(d.day, d.is_workday) for d in parsed.days} == {
        (day, is_workday) for day, is_workday, _name in package_days() if day.year == 2026
    }
    names = {d.day: d.name for d in parsed.days}
    assert names[date(2026, 10, 1)] == "国庆节" and names[date(2026, 9, 20)] == "国庆节调休"
    assert parsed.skipped == [1, 2, 3, 11, 12, 13]


def test_notice_lines_in_older_wording():
    from supervision.calendar_notice import parse_notice

    text = (
        "一、元旦：1月1日（周五）放假，与周末连休。\n"
        "十月一日至七日放假调休，共7天。9月26日（周日）、10月9日（周六）上班。\n"
        "二、春节：2月10日至17日放假调休，共8天。2月4日（星期日）上班。鼓励各单位安排职工在除夕（2月9日）休息。"
    )
    days = {d.day: (d.is_workday, d.name) for d in parse_notice(text, 2027).days}
    assert days[date(2027, 1, 1)] == (False, "元旦") and date(2027, 1, 2) not in days
    assert [d for d in days if d.month == 10 and not days[d][0]] == [date(2027, 10, d) for d in range(1, 8)]
    assert days[date(2027, 9, 26)] == (True, "国庆节调休")  # named from the estimate: no name in the line
    assert days[date(2027, 10, 9)] == (True, "国庆节调休")
    assert date(2027, 2, 9) not in days  # 鼓励……休息 is no arrangement
    assert days[date(2027, 2, 4)] == (True, "春节调休")


@pytest.mark.parametrize(
    "line, reason",
    [
        ("四、劳动节：5月1日至5日放假调休，共5天。4月25日、5月十x日上班。", "无法识别的日期"),
        ("二、春节：2月30日放假。", "2月没有30日"),
        ("一、元旦：放假一天。", "没有找到日期"),
        ("七、国庆节：10月1日至7日放假。10月3日上班。", "既放假又上班"),
    ],
)
def test_a_line_that_cannot_be_read_is_refused_by_its_number(line, reason):
    from supervision.calendar_notice import NoticeParseError, parse_notice

    with pytest.raises(NoticeParseError) as caught:
        parse_notice("一、元旦：1月1日（周五）放假，与周末连休。\n" + line, 2027)
    assert caught.value.line == 2
    assert "第 2 行" in caught.value.message and reason in caught.value.message
    assert line[:10] in caught.value.message


def _rows(year: int) -> dict[date, Holiday]:
    return {
        h.day: h
        for h in db.session.scalars(
            select(Holiday).where(Holiday.day.between(date(year, 1, 1), date(year, 12, 31)))
        )
    }


def test_one_entered_day_does_not_cover_the_year(client, login_as):
    login_as("admin")
    client.post_form("/admin/holidays?year=2031", {"day": "2031-10-01", "name": "国庆节"})
    cal = load_calendar(date(2031, 5, 1))
    assert not cal.is_workday(date(2031, 10, 1))
    assert not cal.covers(2031) and cal.uncovered_years(date(2031, 10, 9)) == [2031]
    page = client.get("/admin/holidays?year=2031").get_data(as_text=True)
    assert "尚未确认" in page and 'data-testid="confirm-year"' in page


def test_a_range_is_entered_at_once_and_replaces_estimated_days(client, login_as):
    from supervision.models import AuditEvent

    login_as("admin")
    assert client.post_form("/admin/holidays/2027/estimate").status_code == 302
    assert _rows(2027)[date(2027, 10, 4)].estimated
    response = client.post_form(
        "/admin/holidays?year=2027",
        {"day": "2027-10-01", "last_day": "2027-10-07", "name": "国庆节"},
        follow_redirects=True,
    )
    assert "已添加 7 天" in response.get_data(as_text=True)
    rows = _rows(2027)
    assert [rows[date(2027, 10, d)].estimated for d in range(1, 8)] == [False] * 7
    assert rows[date(2027, 2, 6)].estimated  # the rest of the estimate stays
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "holiday.add"))
    assert "2027年10月1日至2027年10月7日" in event.summary
    # A range over days already entered is refused as a whole.
    response = client.post_form(
        "/admin/holidays?year=2027",
        {"day": "2027-09-30", "last_day": "2027-10-02", "name": "国庆节"},
        follow_redirects=True,
    )
    assert "2027年10月1日、2027年10月2日已在日历中" in response.get_data(as_text=True)
    assert date(2027, 9, 30) not in _rows(2027)


def test_paste_import_previews_then_saves(client, login_as):
    login_as("admin")
    db.session.add(Holiday(day=date(2026, 10, 8), name="国庆节", estimated=True))  # as if estimated
    db.session.add(Holiday(day=date(2026, 3, 8), name="本单位活动"))  # entered by hand
    db.session.commit()
    preview = client.post_form("/admin/holidays/import", {"year": "2026", "text": NOTICE_2026})
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'data-testid="import-preview"' in page
    assert "2026年10月10日" in page and "新增" in page and "删除预估" in page and "保留" in page
    assert len(_rows(2026)) == 2  # nothing saved by the preview
    response = client.post_form(
        "/admin/holidays/import", {"year": "2026", "text": NOTICE_2026, "save": "1"}, follow_redirects=True
    )
    assert "已导入 2026 年的 39 天" in response.get_data(as_text=True)
    rows = _rows(2026)
    assert len(rows) == 40 and not any(h.estimated for h in rows.values())
    assert date(2026, 10, 8) not in rows and rows[date(2026, 3, 8)].name == "本单位活动"
    assert rows[date(2026, 10, 10)].is_workday and rows[date(2026, 10, 10)].name == "国庆节调休"


def test_paste_import_drops_estimated_days_the_notice_does_not_have(client, login_as):
    login_as("admin")
    client.post_form("/admin/holidays/2027/estimate")
    text = "七、国庆节：10月1日（周五）至6日（周三）放假调休，共6天。9月26日（周日）上班。"
    page = client.post_form("/admin/holidays/import", {"year": "2027", "text": text}).get_data(as_text=True)
    assert "删除预估" in page and "预估" in page
    client.post_form("/admin/holidays/import", {"year": "2027", "text": text, "save": "1"})
    rows = _rows(2027)
    assert date(2027, 10, 7) not in rows and rows[date(2027, 9, 26)].is_workday
    assert rows[date(2027, 2, 6)].estimated  # other festivals keep their estimate


def test_paste_import_refuses_a_line_it_cannot_read(client, login_as):
    login_as("admin")
    text = "一、元旦：1月1日（周五）放假，与周末连休。\n二、春节：2月30日至3月5日放假。"
    response = client.post_form("/admin/holidays/import", {"year": "2027", "text": text, "save": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "第 2 行无法识别" in page and "2月没有30日" in page
    assert _rows(2027) == {}


def test_confirmed_year_silences_the_warning_while_entered_days_keep_it(client, login_as, make_user):
    from supervision.models import AuditEvent, CalendarYear
    from supervision.services import notices as svc

    from .factories import FindingFactory, NoticeKindFactory, UnitFactory

    today = local_today()
    year = today.year + 1
    admin = login_as("admin")
    # today's year covered, so that only the deadline's year is in question
    db.session.add(Holiday(day=date(today.year, 1, 1), name="元旦"))
    db.session.add(CalendarYear(year=today.year, confirmed_by_id=admin.id))
    db.session.commit()
    unit, inspector, lead = UnitFactory(), make_user("inspector"), make_user("lead")
    finding = FindingFactory(unit=unit, task=None, inspector=inspector)
    data = svc.DraftData(
        kind_id=NoticeKindFactory().id,
        unit_id=unit.id,
        title="整改通知",
        intro="",
        requirements="",
        time_limit_days=None,
        fixed_deadline=date(year, 10, 8),
        items=[(finding.id, "整改")],
    )
    draft = svc.notice_create(actor=inspector, data=data, today=today)
    notice = svc.notice_issue(
        actor=lead, notice=svc.notice_submit(actor=inspector, notice=draft), today=today
    )
    client.post_form(f"/admin/holidays?year={year}", {"day": f"{year}-10-01", "name": "国庆节"})
    client.login_user(lead)
    assert "尚未确认" in client.get(f"/notices/{notice.id}").get_data(as_text=True)
    client.login_user(admin)
    response = client.post_form(
        f"/admin/holidays/{year}/confirm", {"source": "国办发明电〔2026〕7号"}, follow_redirects=True
    )
    assert f"已确认 {year} 年" in response.get_data(as_text=True)
    assert load_calendar(date(year, 5, 1)).covers(year)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "calendar_year.confirm"))
    assert event.actor_id == admin.id and "国办发明电〔2026〕7号" in event.summary
    client.login_user(lead)
    assert "尚未确认" not in client.get(f"/notices/{notice.id}").get_data(as_text=True)
    client.login_user(admin)
    client.post_form(f"/admin/holidays/{year}/unconfirm")
    assert not load_calendar(date(year, 5, 1)).covers(year)


def test_confirm_accepts_the_remaining_estimate_and_only_admins_confirm(client, login_as):
    from supervision.models import CalendarYear

    login_as("admin")
    client.post_form("/admin/holidays/2030/estimate")
    page = client.get("/admin/holidays?year=2030").get_data(as_text=True)
    assert 'data-testid="estimated"' in page and "调休上班日无法预估" in page
    client.post_form("/admin/holidays/2030/confirm")
    assert db.session.get(CalendarYear, 2030) is not None
    assert not any(h.estimated for h in _rows(2030).values())
    login_as("lead")
    assert client.post_form("/admin/holidays/2031/confirm").status_code == 403
    assert client.post_form("/admin/holidays/2031/estimate").status_code == 403


def test_seed_estimates_the_years_after_the_package(app):
    today = local_today()
    app.test_cli_runner().invoke(args=["seed", "calendar"])
    last = max(d.year for d, _w, _n in package_days())
    for year in range(last + 1, today.year + 2):
        rows = _rows(year)
        assert rows and all(h.estimated for h in rows.values())
        assert not load_calendar(date(year, 6, 1)).covers(year)
    assert load_calendar(date(last, 6, 1)).covers(last)  # the package's years are covered


def test_an_estimated_year_keeps_the_warning_and_an_edit_makes_a_day_official(client, login_as):
    login_as("admin")
    client.post_form("/admin/holidays/2030/estimate")
    cal = load_calendar(date(2030, 6, 1))
    assert not cal.covers(2030) and cal.estimated(2030)
    assert not cal.is_workday(date(2030, 10, 7))
    day = _rows(2030)[date(2030, 10, 7)]
    client.post_form(
        f"/admin/holidays/{day.id}/edit", {"day": "2030-10-07", "name": "国庆节", "version": day.version}
    )
    db.session.expire_all()
    assert not _rows(2030)[date(2030, 10, 7)].estimated
    assert not load_calendar(date(2030, 6, 1)).covers(2030)  # one checked day does not cover the year


def test_the_seed_button_also_estimates_next_year(client, login_as):
    login_as("admin")
    year = local_today().year + 1
    page = client.post_form("/admin/holidays/seed", {"year": year}, follow_redirects=True).get_data(
        as_text=True
    )
    if year > max(d.year for d, _w, _n in package_days()):
        assert f"{year} 年：已按往年规律预估" in page and 'data-testid="estimated"' in page
