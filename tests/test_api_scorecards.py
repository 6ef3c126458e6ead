"""The API's assessments: the liaison saves self-scores on their own unit only, with the version
checked; an inspector evaluates after submission but never their own unit; lists are scoped."""

from __future__ import annotations

from sqlalchemy import select

from supervision.extensions import db
from supervision.models import IndicatorScore
from supervision.services import scorecards as svc
from supervision.services.api_tokens import token_create

from .test_scorecards import world  # noqa: F401 - the fixture

ALL_TOWN = {"1.1.1": "met", "1.1.2": "met", "2.1.1": "unmet", "2.1.2": "na", "2.1.3": "met"}


def bearer(user, scope="read-write") -> dict:
    return {"Authorization": "Bearer " + token_create(actor=user, name="测试", scope=scope, days=1)[1]}


def _url(w, code, what="self-score", assessment=None) -> str:
    return f"/api/v1/assessments/{(assessment or w.mine).id}/indicators/{w.leaves[code].id}/{what}"


def test_the_liaison_saves_self_scores_of_their_own_unit_with_the_version(client, world):  # noqa: F811
    w = world
    headers = bearer(w.liaison)
    saved = client.post(
        _url(w, "1.1.1"), json={"rating": "met", "explanation": "已建立台账"}, headers=headers
    )
    assert saved.status_code == 200, saved.json
    assert saved.json["self_rating"] == "met" and saved.json["explanation"] == "已建立台账"
    version = saved.json["version"]
    stale = client.post(_url(w, "1.1.1"), json={"rating": "unmet", "version": version + 1}, headers=headers)
    assert stale.status_code == 409
    record = db.session.scalar(select(IndicatorScore).where(IndicatorScore.id == saved.json["id"]))
    db.session.refresh(record)
    assert record.self_rating == "met"
    # another unit's assessment looks missing; a non-applicable indicator is a domain rule
    assert client.post(_url(w, "1.1.1", assessment=w.theirs), json={}, headers=headers).status_code == 404
    na = client.post(_url(w, "1.1.3"), json={"rating": "met"}, headers=headers)
    assert na.status_code == 422 and "不适用" in na.json["detail"]
    listing = client.get("/api/v1/assessments", headers=headers).json
    assert [a["id"] for a in listing["items"]] == [w.mine.id]
    detail = client.get(f"/api/v1/assessments/{w.mine.id}", headers=headers).json
    assert detail["scores"][0]["self_rating"] == "met" and detail["year"] == 2026


def test_the_inspector_evaluates_after_submission_but_not_their_own_unit(client, world):  # noqa: F811
    w = world
    for code, rating in ALL_TOWN.items():
        svc.score_save(
            actor=w.liaison,
            assessment=w.mine,
            indicator=w.leaves[code],
            rating=rating,
            score_text="",
            explanation="说明",
        )
    liaison = bearer(w.liaison)
    stale = client.post(f"/api/v1/assessments/{w.mine.id}/submit", json={"version": 99}, headers=liaison)
    assert stale.status_code == 409
    submitted = client.post(f"/api/v1/assessments/{w.mine.id}/submit", headers=liaison)
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted", submitted.json
    evaluated = client.post(
        _url(w, "1.1.1", "evaluation"),
        json={"rating": "basic", "score": "1", "comment": "台账不全"},
        headers=bearer(w.inspector),
    )
    assert evaluated.status_code == 200, evaluated.json
    assert evaluated.json["evaluated_rating"] == "basic" and evaluated.json["self_rating"] == "met"
    own = client.post(
        _url(w, "1.1.2", "evaluation"), json={"rating": "met"}, headers=bearer(w.home_inspector)
    )
    assert own.status_code in (403, 422) and own.mimetype == "application/problem+json"
    assert client.post(_url(w, "1.1.2", "evaluation"), json={}, headers=bearer(w.liaison)).status_code == 403
    done = client.post(f"/api/v1/assessments/{w.mine.id}/evaluate", headers=bearer(w.inspector))
    assert done.status_code == 200 and done.json["status"] == "evaluated", done.json
    scores = {s["indicator_id"]: s for s in done.json["scores"]}
    assert scores[w.leaves["1.1.2"].id]["evaluated_rating"] == "met"  # confirmed as self-rated


def test_frameworks_for_the_office_only(client, world):  # noqa: F811
    w = world
    office = client.get(f"/api/v1/frameworks/{w.framework.id}", headers=bearer(w.lead, "read"))
    assert office.status_code == 200 and len([i for i in office.json["indicators"] if i["is_leaf"]]) == 6
    assert client.get("/api/v1/frameworks", headers=bearer(w.liaison, "read")).status_code == 403


def test_the_unit_scorecard_and_the_office_board_match_the_pages(client, world):  # noqa: F811
    from .test_scorecards import _finalized

    w = world
    _finalized(client, w)
    card = client.get(f"/api/v1/scorecards/units/{w.town.id}?year=2026", headers=bearer(w.lead, "read")).json
    assert card["total"] == 68.75 and sorted(a["percent"] for a in card["areas"]) == [50, 87.5]
    weak = [line for line in card["lines"] if line["weak"]]
    assert [line["code"] for line in weak] == ["2.1.1"] and weak[0]["roadmap_item_id"]
    board = client.get(f"/api/v1/scorecards/rounds/{w.round.id}", headers=bearer(w.inspector, "read")).json
    assert [(r["name"], r["total"], r["rank"]) for r in board["rows"]] == [("横街镇", 68.75, 1)]
    liaison = bearer(w.liaison, "read")
    assert client.get(f"/api/v1/scorecards/units/{w.town.id}", headers=liaison).status_code == 200
    assert client.get(f"/api/v1/scorecards/units/{w.dept.id}", headers=liaison).status_code == 404
    assert client.get(f"/api/v1/scorecards/rounds/{w.round.id}", headers=liaison).status_code == 403
    assert client.get(f"/api/v1/scorecards/units/{w.town.id}?year=2020", headers=liaison).status_code == 404
