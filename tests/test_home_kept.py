"""The rows an inspector's and a liaison's home keep between two changes (todo.kept_for_user): read
once, shown again without a query, a change made through a service shows at once, and two users
never share rows."""

from __future__ import annotations

from sqlalchemy import select

from supervision import cache
from supervision.extensions import db
from supervision.models import Assessment, User
from supervision.services import notices as notice_svc
from supervision.services import scorecards as scorecard_svc
from supervision.todo import _kept, kept_for_user

from .conftest import statements_during
from .factories import NoticeItemFactory, UnitFactory
from .test_home_pages import liaison_world  # noqa: F401  (a fixture)
from .test_notices import World


def _panel(html: str, testid: str) -> str:
    return html.split(f'data-testid="{testid}"', 1)[1].split("data-testid=", 1)[0]


def test_inspector_home_reads_its_lists_once_and_shows_a_verification_at_once(client, make_user):
    w = World(make_user)
    notice = w.with_report()
    client.login_user(w.inspector2)
    html = client.get("/").get_data(as_text=True)
    assert notice.doc_number in _panel(html, "panel-verify")
    # between two changes: the user and the audit trail's new events, no list read again
    seen = statements_during(lambda: client.get("/"))
    assert len(seen) == 2, seen
    assert not any("notice_item" in s for s in seen)
    notice_svc.item_accept(actor=w.inspector, notice=notice, item=notice.items[0])
    html = client.get("/").get_data(as_text=True)
    assert notice.doc_number not in _panel(html, "panel-verify")
    assert "核查整改" not in _panel(html, "my-work")


def test_two_inspectors_never_share_what_their_homes_keep(client, make_user):
    w = World(make_user)
    notice = w.with_report()
    stranger = make_user("inspector")  # on no task, drafted nothing: may verify nothing
    client.login_user(w.inspector2)
    assert notice.doc_number in client.get("/").get_data(as_text=True)
    client.login_user(stranger)
    assert notice.doc_number not in client.get("/").get_data(as_text=True)
    # the same user in another role (an edit of the user is audited, but the key holds it too)
    keys = {key[2:6] for key in _kept}
    assert (w.inspector2.id, "inspector", w.inspector2.unit_id, True) in keys
    assert (stranger.id, "inspector", stranger.unit_id, True) in keys


def test_liaison_home_reads_its_panels_once_and_shows_a_saved_score_at_once(
    client,
    liaison_world,  # noqa: F811
):
    liaison = liaison_world["liaison"]
    client.login_user(liaison)
    assert 'data-testid="home-progress">1/6<' in client.get("/").get_data(as_text=True)
    seen = statements_during(lambda: client.get("/"))
    assert len(seen) == 2, seen  # the user and the audit trail's new events
    current = db.session.scalars(
        select(Assessment).where(Assessment.unit_id == liaison_world["unit"].id, Assessment.status == "draft")
    ).one()
    scorecard_svc.score_save(
        actor=liaison,
        assessment=current,
        indicator=liaison_world["leaves"][1],
        rating="met",
        score_text=None,
        explanation="已落实",
    )
    assert 'data-testid="home-progress">2/6<' in client.get("/").get_data(as_text=True)


def test_kept_rows_are_keyed_by_the_user_and_bounded(app, make_user):
    liaison = make_user("liaison")
    other = make_user("liaison", unit=liaison.unit)
    with app.test_request_context("/"):
        assert kept_for_user("x", liaison, ("notice",), lambda: ["mine"]) == ["mine"]
        assert kept_for_user("x", liaison, ("notice",), lambda: ["again"]) == ["mine"]
        # a colleague of the same unit has rows of their own
        assert kept_for_user("x", other, ("notice",), lambda: ["theirs"]) == ["theirs"]
        moved = db.session.get(User, liaison.id)
        moved.role = "inspector"  # a change of role (audited as the user's) is another key anyway
        assert kept_for_user("x", moved, ("notice",), lambda: ["as inspector"]) == ["as inspector"]
        for i in range(_kept.size + 10):
            kept_for_user(("n", i), liaison, ("notice",), lambda: [])
    assert len(_kept) == _kept.size
    cache.clear()
    assert not _kept


def test_liaison_work_list_is_kept_per_day_and_per_url_root(app, make_user):
    """The work list keeps its Work (working days left, URLs): another day or another script root
    reads its own, the same day and root reuse it."""
    from datetime import date

    from supervision.todo import liaison_work

    from .test_home_pages import _notice

    unit = UnitFactory()
    liaison = make_user("liaison", unit=unit)
    notice = _notice(unit, status="issued")
    NoticeItemFactory(notice=notice)
    monday, tuesday = date(2026, 6, 1), date(2026, 6, 2)
    with app.test_request_context("/"):
        first = liaison_work(liaison, monday)
        assert liaison_work(liaison, monday) is first
        next_day = liaison_work(liaison, tuesday)
    assert next_day is not first and next_day[0].days_left == first[0].days_left - 1
    with app.test_request_context("/", base_url="http://localhost/sub"):
        moved = liaison_work(liaison, monday)
    assert moved is not first and moved[0].url == "/sub" + first[0].url
