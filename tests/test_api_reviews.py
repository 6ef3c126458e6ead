"""The API's case-file reviews: importing a unit's list through services.case_files (all rows or none),
a liaison for their own unit only; campaigns and files scoped as on the pages."""

from __future__ import annotations

from sqlalchemy import func, select

from supervision.extensions import db
from supervision.models import CaseFile
from supervision.services.api_tokens import token_create

from .test_reviews import World


def bearer(user, scope="read-write") -> dict:
    return {"Authorization": "Bearer " + token_create(actor=user, name="测试", scope=scope, days=1)[1]}


def _rows(*numbers, case_type="行政处罚"):
    return [
        {"case_number": n, "title": f"案件{n}", "case_type": case_type, "decision_date": "2026-03-05"}
        for n in numbers
    ]


def test_import_case_files_all_or_nothing_and_a_liaison_for_their_unit_only(client, make_user):
    w = World(n_units=2, files_per_unit=1)
    url = f"/api/v1/campaigns/{w.campaign.id}/case-files/import"
    before = db.session.scalar(select(func.count(CaseFile.id)))
    bad = client.post(
        url,
        json={"unit_id": w.units[0].id, "case_files": _rows("甲1") + _rows("甲2", case_type="不存在")},
        headers=bearer(w.lead),
    )
    assert bad.status_code == 422 and bad.json["type"].endswith("import-rejected")
    assert any("第 2 行" in e for e in bad.json["errors"]["_schema"])
    assert db.session.scalar(select(func.count(CaseFile.id))) == before
    done = client.post(
        url, json={"unit_id": w.units[0].id, "case_files": _rows("甲1", "甲2")}, headers=bearer(w.lead)
    )
    assert done.status_code == 201 and done.json == {"created": 2}
    liaison = make_user("liaison", unit=w.units[1])
    own = client.post(
        url, json={"unit_id": w.units[1].id, "case_files": _rows("乙1")}, headers=bearer(liaison)
    )
    assert own.status_code == 201
    other = client.post(
        url, json={"unit_id": w.units[0].id, "case_files": _rows("乙2")}, headers=bearer(liaison)
    )
    assert other.status_code == 403
    outsider = make_user("liaison")
    assert (
        client.post(
            url, json={"unit_id": w.units[0].id, "case_files": _rows("丙")}, headers=bearer(outsider)
        ).status_code
        == 404
    )
    # the office lists the campaign's files; a liaison sees no unpublished campaign
    files = client.get(
        f"/api/v1/campaigns/{w.campaign.id}/case-files?per_page=100", headers=bearer(w.lead, "read")
    )
    assert files.json["total"] == before + 3
    assert client.get("/api/v1/campaigns", headers=bearer(liaison, "read")).json["total"] == 0


def test_results_per_unit_once_reviewing(client):
    w = World(n_units=2, files_per_unit=2, sample_size=1).start()
    for assignment in w.assignments():
        w.score(assignment)
    results = client.get(f"/api/v1/campaigns/{w.campaign.id}/results", headers=bearer(w.lead, "read")).json
    assert results["status"] == "reviewing" and len(results["units"]) == 2
    assert all(u["average"] == 100 for u in results["units"]) and results["overall"] == 100
    assert sum(g["files"] for g in results["grades"]) == 2


def test_a_liaison_sees_only_their_units_published_results(client, make_user):
    from supervision.services import reviews as campaign_svc

    w = World(n_units=2, files_per_unit=2, sample_size=1).start()
    for assignment in w.assignments():
        w.score(assignment)
    liaison = make_user("liaison", unit=w.units[0])
    assert (
        client.get(f"/api/v1/campaigns/{w.campaign.id}/results", headers=bearer(liaison, "read")).status_code
        == 404
    )
    campaign_svc.campaign_publish(actor=w.lead, campaign=w.campaign)
    results = client.get(f"/api/v1/campaigns/{w.campaign.id}/results", headers=bearer(liaison, "read")).json
    assert [u["unit_id"] for u in results["units"]] == [w.units[0].id] and results["overall"] is None
    files = client.get(f"/api/v1/campaigns/{w.campaign.id}/case-files", headers=bearer(liaison, "read")).json
    assert {f["unit_id"] for f in files["items"]} == {w.units[0].id} and all(
        f["sampled"] for f in files["items"]
    )
