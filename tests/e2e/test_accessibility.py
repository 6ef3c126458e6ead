"""axe-core on the main page of every area, for each role that works there: no serious or critical
violation (contrast, names of links, buttons and progress bars, labels …).

axe is vendored in tests/e2e/vendor/axe-core (it is only injected by these tests, never served), and
the context bypasses the app's CSP so that the injected script may run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from supervision.demo import DEMO_PASSWORD, seed_demo
from supervision.extensions import db
from supervision.models import Assessment, Notice, ReviewCampaign, SupervisionTask, Unit

from .conftest import login, shot

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


@pytest.fixture
def demo():
    assert seed_demo()


def _first(model, *where):
    return db.session.scalar(select(model.id).where(*where).order_by(model.id).limit(1))


def _pages() -> dict[str, list[str]]:
    """username → the main pages of the areas that role works in (demo data)."""
    task = _first(SupervisionTask, SupervisionTask.status != "draft")
    notice = _first(Notice, Notice.doc_number.is_not(None))
    campaign = _first(ReviewCampaign)
    assessment = _first(Assessment)
    unit = _first(Unit, Unit.kind != "district")
    lead = [
        "/",
        "/tasks/",
        f"/tasks/{task}",
        "/tasks/findings",
        "/notices/",
        f"/notices/{notice}",
        "/reviews/",
        f"/reviews/campaigns/{campaign}",
        f"/scorecards/assessments/{assessment}",
        f"/scorecards/units/{unit}",
        "/scorecards/office",
        "/dashboard/",
        "/registers/",
    ]
    return {
        "lead": lead,
        "admin": ["/", "/admin/users"],
        "inspector1": ["/", "/tasks/"],
        "liaison1": ["/", "/notices/unit"],
    }


def _violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))
            }));
        }"""
    )
    return [v for v in result if v["impact"] in BLOCKING]


def _report(url: str, violations: list[dict]) -> str:
    lines = [f"{url}:"]
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} element(s))")
        for node in v["nodes"][:5]:
            summary = (node["summary"] or "").replace("\n", " ")[:200]
            lines.append(f"      {node['target']} — {summary}")
    return "\n".join(lines)


@pytest.fixture
def axe_page(browser, live_server):
    contexts = []

    def make(width: int = 1366, height: int = 860):
        context = browser.new_context(
            base_url=live_server,
            viewport={"width": width, "height": height},
            locale="zh-CN",
            bypass_csp=True,
        )
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_main_pages_have_no_serious_accessibility_violations(demo, axe_page, artifacts):
    """Every role's main pages, then a phone's home (the navigation folds away, the user menu shows
    only its icon). One demo world for all of them: seeding it is the slow part."""
    assert AXE.exists(), "axe-core is vendored in tests/e2e/vendor/axe-core"
    failures = []
    for username, urls in _pages().items():
        page = axe_page()
        login(page, username, DEMO_PASSWORD)
        for url in urls:
            response = page.goto(url, wait_until="networkidle")  # charts fetch their data after load
            assert response is not None and response.status == 200, f"{url} → {response and response.status}"
            violations = _violations(page)
            if violations:
                failures.append(_report(f"{username} {url}", violations))
                shot(page, artifacts, f"axe-{username}-{url.strip('/').replace('/', '-') or 'home'}")
    phone = axe_page(width=390, height=844)
    login(phone, "liaison1", DEMO_PASSWORD)
    violations = _violations(phone)
    if violations:
        failures.append(_report("liaison1 / (phone)", violations))
    assert not failures, "serious or critical accessibility violations:\n" + "\n".join(failures)


def test_axe_finds_what_it_should(axe_page):
    """The check can fail: a grey text at 3:1 and an unnamed icon link are reported as serious."""
    page = axe_page()
    page.goto("/auth/login", wait_until="load")
    page.evaluate(
        """() => {
            const p = document.createElement('p'); p.textContent = '浅灰色文字'; p.style.color = '#8a94a6';
            p.style.background = '#ffffff';
            const a = document.createElement('a'); a.href = '/'; a.innerHTML = '<i class="bi bi-x"></i>';
            document.body.append(p, a);
        }"""
    )
    found = {v["id"] for v in _violations(page)}
    assert {"color-contrast", "link-name"} <= found
