"""Deadlines and dates on notices are bounded, and a stored date beyond the bounds breaks no page."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

import pytest

from supervision.calendar import load_calendar, working_days_between
from supervision.errors import DomainError
from supervision.extensions import db
from supervision.formatting import local_today
from supervision.models import Notice
from supervision.notice_deadlines import latest_deadline
from supervision.services import notice_extensions as extensions_svc
from supervision.services import notices as svc
from supervision.services import rectification as rectification_svc

from .factories import NoticeKindFactory
from .test_notices import TODAY, World, _form_for
from .test_notices_calendar import PACKAGE as PACKAGE_CALENDAR

BOUND = "2028年3月2日"  # two years after TODAY (the issue date)


@pytest.fixture
def w(make_user) -> World:
    return World(make_user)


def test_latest_deadline_is_two_years_on_and_handles_29_february():
    assert latest_deadline(TODAY) == date(2028, 3, 2)
    assert latest_deadline(date(2028, 2, 29)) == date(2030, 2, 28)


def test_a_draft_deadline_beyond_two_years_is_refused_naming_the_bound(w):
    with pytest.raises(DomainError) as error:
        w.draft(fixed_deadline=date(9999, 12, 31))
    assert any(BOUND in e for e in error.value.errors), error.value.errors
    w.draft(fixed_deadline=date(2028, 3, 2))  # the bound itself is allowed


def test_issue_refuses_a_deadline_beyond_two_years(w):
    notice = w.submitted(fixed_deadline=date(2027, 1, 4))
    notice.fixed_deadline = date(9999, 12, 31)  # as an older draft might hold
    db.session.commit()
    with pytest.raises(DomainError, match=BOUND):
        svc.notice_issue(actor=w.lead, notice=notice, today=TODAY)
    db.session.rollback()
    assert db.session.get(Notice, notice.id).doc_number is None  # no number used up


def test_an_extension_beyond_two_years_is_refused(w):
    notice = w.acknowledged()
    with pytest.raises(DomainError, match=BOUND):
        extensions_svc.extension_request(
            actor=w.liaison, notice=notice, reason="忙", requested_deadline=date(9999, 12, 31), today=TODAY
        )
    ext = extensions_svc.extension_request(
        actor=w.liaison,
        notice=notice,
        reason="忙",
        requested_deadline=notice.deadline + timedelta(days=5),
        today=TODAY,
    )
    with pytest.raises(DomainError, match=BOUND):
        extensions_svc.extension_decide(
            actor=w.lead, notice=notice, ext=ext, approve=True, new_deadline=date(2030, 1, 1), note=""
        )


def test_an_escalation_before_the_issue_date_is_refused(w):
    notice = w.acknowledged()
    later = notice.deadline + timedelta(days=3)
    with pytest.raises(DomainError, match="不能早于通知书的签发日期（2026年3月2日）"):
        extensions_svc.escalation_add(
            actor=w.lead, notice=notice, kind="interview", on_date=date(1900, 1, 1), note="", today=later
        )
    with pytest.raises(DomainError, match="不能晚于今天"):
        extensions_svc.escalation_add(
            actor=w.lead,
            notice=notice,
            kind="interview",
            on_date=later + timedelta(days=1),
            note="",
            today=later,
        )
    assert extensions_svc.escalation_add(
        actor=w.lead, notice=notice, kind="interview", on_date=TODAY, note="", today=later
    )


# --- the calendar takes any stored date -----------------------------------------------------------


@pytest.mark.parametrize("day", [date(9999, 12, 31), date(1, 1, 1), date(9998, 12, 31)])
def test_load_calendar_takes_any_date(day):
    from supervision.models import Holiday

    # A 调休 day at the far date and a holiday in 2026: both inside the range the query reads.
    db.session.add_all(
        [Holiday(day=day, is_workday=day.weekday() >= 5), Holiday(day=date(2026, 10, 1), name="国庆节")]
    )
    db.session.commit()
    calendar = load_calendar(date(2026, 3, 2), day)
    assert calendar.is_workday(day) is (day.weekday() >= 5)
    assert calendar.is_workday(date(2026, 10, 1)) is False
    assert calendar.is_workday(date(2026, 3, 2)) is True  # a plain Monday


def _walk(start: date, end: date, calendar) -> int:
    sign, (a, b) = (1, (start, end)) if start <= end else (-1, (end, start))
    return sign * sum(calendar.is_workday(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))


def test_working_days_between_equals_the_day_by_day_walk():
    rng = random.Random(10)
    for _ in range(300):
        a = date(2023, 1, 1) + timedelta(days=rng.randrange(1500))
        b = a + timedelta(days=rng.randrange(-400, 400))
        assert working_days_between(a, b, PACKAGE_CALENDAR) == _walk(a, b, PACKAGE_CALENDAR), (a, b)


def test_working_days_to_year_9999_is_quick():
    started = time.perf_counter()
    left = working_days_between(date(2026, 3, 2), date(9999, 12, 31), PACKAGE_CALENDAR)
    assert time.perf_counter() - started < 0.1 and left > 2_000_000


def test_a_stored_deadline_of_9999_breaks_no_page(client, w):
    notice = w.acknowledged()
    notice.deadline = date(9999, 12, 31)  # stored before the bound existed
    db.session.commit()
    client.login_user(w.lead)
    for url in ("/notices/", f"/notices/{notice.id}", "/notices/?overdue=1", "/"):
        assert client.get(url).status_code == 200, url
    assert "9999年12月31日" in client.get(f"/notices/{notice.id}").get_data(as_text=True)
    assert notice.doc_number not in client.get("/notices/?overdue=1").get_data(as_text=True)  # not overdue
    client.login_user(w.liaison)
    for url in ("/notices/unit", f"/notices/{notice.id}", "/"):
        assert client.get(url).status_code == 200, url
    assert "9999年12月31日" in client.get(f"/notices/{notice.id}").get_data(as_text=True)


# --- the draft form's deadline preview --------------------------------------------------------------


@pytest.mark.parametrize("days", ["2900000", "-1", "0", "251", "abc", str(10**20)])
def test_the_draft_form_refuses_bad_days_without_computing_them(client, w, days):
    client.login_user(w.inspector)
    started = time.perf_counter()
    response = client.post_form(
        f"/notices/new?unit={w.unit.id}", _form_for(w, w.findings[:1], time_limit_days=days)
    )
    assert response.status_code == 200 and time.perf_counter() - started < 2
    assert db.session.query(Notice).count() == 0


def test_the_preview_endpoint_follows_the_days_and_the_fixed_deadline(client, w):
    client.login_user(w.inspector)
    data = client.get("/notices/deadline-preview?days=15").get_json()
    assert data["text"].startswith("如今日（") and "截止日期为" in data["text"] and not data["error"]
    ten = client.get("/notices/deadline-preview?days=10").get_json()["text"]
    assert ten != data["text"]
    fixed = client.get("/notices/deadline-preview?days=15&deadline=2027-01-04").get_json()
    assert "2027年1月4日" in fixed["text"]
    for bad in ("2900000", "-1", "abc", str(10**20)):
        started = time.perf_counter()
        refused = client.get(f"/notices/deadline-preview?days={bad}").get_json()
        assert refused["text"] == "" and "1 至 250" in refused["error"] and time.perf_counter() - started < 1
    assert "格式" in client.get("/notices/deadline-preview?deadline=9999-99-99").get_json()["error"]


def test_the_preview_refuses_a_fixed_deadline_the_form_would_refuse(client, w):
    # It announced "截止日期为 9999年12月31日" while saving the draft refuses that date.
    client.login_user(w.inspector)
    for deadline, bound in (("9999-12-31", "不能晚于"), (local_today().isoformat(), "不能早于")):
        data = client.get(f"/notices/deadline-preview?days=15&deadline={deadline}").get_json()
        assert data["text"] == "" and bound in data["error"]


def test_the_preview_needs_drafting_rights(client, w):
    client.login_user(w.liaison)
    assert client.get("/notices/deadline-preview?days=15").status_code == 403


def test_each_kind_option_carries_its_default_days_and_title(client, w):
    other = NoticeKindFactory(name="执法监督建议书", prefix="海法建", default_days=30)
    client.login_user(w.inspector)
    page = client.get(f"/notices/new?unit={w.unit.id}").get_data(as_text=True)
    assert f'data-default-title="{svc.default_title(w.unit, other)}"' in page
    assert f'data-default-title="{svc.default_title(w.unit, w.kind)}"' in page
    assert 'data-default-days="30"' in page and "data-deadline-preview=" in page


def test_a_rectification_completed_before_the_finding_was_found_is_refused(w):
    notice = w.acknowledged()
    item = notice.items[0]
    found = item.finding.found_on
    with pytest.raises(
        DomainError, match=f"不能早于问题的发现日期（{found.year}年{found.month}月{found.day}日）"
    ):
        rectification_svc.item_report(
            actor=w.liaison,
            notice=notice,
            item=item,
            measures="已整改。",
            completed_on=found - timedelta(days=1),
            uploads=[],
            today=TODAY,
        )
    db.session.rollback()
    assert rectification_svc.item_report(
        actor=w.liaison,
        notice=notice,
        item=item,
        measures="已整改。",
        completed_on=found,
        uploads=[],
        today=TODAY,
    )
