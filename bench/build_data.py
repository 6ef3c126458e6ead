"""Build a benchmark data set (DESIGN §7) in a fresh database, fast.

    .venv/bin/python bench/build_data.py                      # city scale, SQLite /tmp/bench_city.db
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_pg \
        .venv/bin/python bench/build_data.py --scale province

The schema comes from the migrations (flask_migrate.upgrade); the reference data (holiday calendar,
notice kinds, finding categories, the default rubric, the 示例 framework) from the app's own seeding
services; everything else is written with bulk inserts (`db.session.execute(insert(Model), rows)`)
and explicit ids, from a seeded random generator, so the same scale always gives the same data.

Per year and per 1× (district) of scale: 12 tasks, 600 findings, 120 notices (≈4 items each; some
closed, some overdue), 300 reviewed case files in campaigns (graded, some excellent), 60 assessments
× ≈100 indicator scores; plus the audit trail those records would have left. The benchmark lead is
`bench_lead` with password BENCH_PASSWORD.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "sqlite:////tmp/bench_city.db"
BENCH_USER = "bench_lead"
BENCH_PASSWORD = "Bench@2026"
SCALES = {"district": 1, "city": 10, "province": 100}

TOWN_STEMS = [
    "横街",
    "石碶",
    "古林",
    "集士港",
    "高桥",
    "鄞江",
    "月湖",
    "南门",
    "西门",
    "白云",
    "段塘",
    "望春",
    "章水",
    "龙观",
    "洞桥",
]
DEPT_STEMS = [
    "司法局",
    "市场监督管理局",
    "综合行政执法局",
    "自然资源和规划分局",
    "生态环境分局",
    "住房和城乡建设局",
    "交通运输局",
    "卫生健康局",
    "教育局",
    "农业农村局",
    "应急管理局",
    "人力资源和社会保障局",
    "文化和广电旅游体育局",
    "民政局",
]
FINDING_TEXTS = [
    "行政处罚决定书未载明当事人陈述申辩情况，告知程序不完整。",
    "现场检查笔录无执法人员签名，执法证件号码缺失。",
    "证据材料未加盖单位印章，来源不明。",
    "适用法律条款不准确，引用已废止的规定。",
    "自由裁量未说明理由，同类案件处罚幅度差异较大。",
    "案卷归档不及时，卷内目录与实际材料不符。",
    "送达回证缺失，无法证明文书已依法送达。",
    "重大执法决定未经法制审核即作出。",
]
BASIS = ["《中华人民共和国行政处罚法》第四十四条", "《中华人民共和国行政处罚法》第五十八条", ""]
TASK_TITLES = ["行政执法案卷专项督察", "涉企行政检查专项监督", "安全生产执法检查", "行政许可事项专项督察"]
CASE_TITLES = ["未按规定办理许可擅自经营案", "违反安全生产规定案", "占道经营案", "销售不合格产品案"]


def at(day: date, hour: int = 2) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=list(SCALES), default="city")
    parser.add_argument("--years", type=int, default=2, help="years of records, ending with this year")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


def fresh_database(url: str) -> None:
    """SQLite: delete the file. Other databases must be empty (we never drop someone's tables)."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    from sqlalchemy import create_engine, inspect

    engine = create_engine(url)
    tables = inspect(engine).get_table_names()
    engine.dispose()
    if tables:
        sys.exit(f"{url} is not empty ({len(tables)} tables): give an empty database.")


class Ids:
    """Explicit primary keys, one counter per table (the database is fresh)."""

    def __init__(self):
        self.last: dict[str, int] = {}

    def next(self, table: str) -> int:
        self.last[table] = self.last.get(table, 0) + 1
        return self.last[table]


class Build:
    """What the phases share: the seeded generator, the ids, the row counts and the audit trail."""

    def __init__(self, scale: int, seed: int, log) -> None:
        from supervision.formatting import local_today

        self.scale = scale
        self.rng = random.Random(seed)
        self.ids = Ids()
        self.today = local_today()
        self.log = log
        self.counts: dict[str, int] = {}
        self.events: list[dict] = []
        self.t0 = time.perf_counter()

    def seconds(self) -> float:
        return time.perf_counter() - self.t0

    def put(self, model, rows: list[dict], label: str | None = None) -> None:
        """Bulk-insert the rows (in chunks) and count them."""
        from sqlalchemy import insert

        from supervision.extensions import db

        if not rows:
            return
        for start in range(0, len(rows), 20000):
            db.session.execute(insert(model), rows[start : start + 20000])
        name = label or getattr(model, "__tablename__", None) or model.name
        self.counts[name] = self.counts.get(name, 0) + len(rows)

    def event(self, when, actor_id, action, record_type, record_id, summary, unit_id=None) -> None:
        """An audit event the record would have left (written at the end, in time order)."""
        self.events.append(
            {
                "at": when,
                "actor_id": actor_id,
                "action": action,
                "record_type": record_type,
                "record_id": record_id,
                "unit_id": unit_id,
                "summary": summary,
                "changes": None,
                "ip": "",
            }
        )


@dataclass
class World:
    """What every year's records refer to: the reference data, the units and the people."""

    kinds: list
    rubric_id: int
    bands: list
    framework_id: int
    leaves: list  # (id, max_points, applies_to, code) of the framework's scored indicators
    units: list = field(default_factory=list)  # (id, kind, short name)
    lead_id: int = 0
    inspector_ids: list[int] = field(default_factory=list)

    @property
    def unit_ids(self) -> list[int]:
        return [u[0] for u in self.units]


@dataclass
class Year:
    """One year of records: its span (up to today for the current year) and what it has made so far."""

    year: int
    current: bool
    last_day: date
    rng: random.Random
    tasks: list = field(default_factory=list)  # (id, units, inspectors, start, status)
    case_files: list = field(default_factory=list)  # (id, unit)
    findings: list[dict] = field(default_factory=list)

    @property
    def span(self) -> int:
        return (self.last_day - date(self.year, 1, 1)).days

    def day(self, lo: float = 0.0, hi: float = 1.0) -> date:
        return date(self.year, 1, 1) + timedelta(days=int(self.span * self.rng.uniform(lo, hi)))


def build(scale: int, years: list[int], seed: int, log=print) -> dict:
    """The whole data set, phase by phase; returns the row counts and the seconds taken."""
    b = Build(scale, seed, log)
    world = reference_data(b, years)
    build_units(b, world, years)
    build_users(b, world, years)
    for year in years:
        build_year(b, world, year)
    finish(b)
    b.counts["seconds"] = round(b.seconds(), 1)
    return b.counts


# --- reference data through the app's own services ------------------------------------------------


def reference_data(b: Build, years: list[int]) -> World:
    from sqlalchemy import select

    from supervision.demo.notices import seed_kinds
    from supervision.extensions import db
    from supervision.models import Indicator
    from supervision.services.calendar import calendar_seed
    from supervision.services.frameworks import seed_demo_framework
    from supervision.services.rubrics import rubric_seed_default
    from supervision.services.tasks import finding_categories_ensure

    calendar_seed(commit=False)
    kinds = list(seed_kinds().values())
    finding_categories_ensure()
    db.session.commit()
    rubric, _ = rubric_seed_default(actor=None)
    framework, _ = seed_demo_framework(actor=None)
    framework.frozen_at = at(date(years[0], 1, 5))
    db.session.commit()
    leaves = db.session.execute(
        select(Indicator.id, Indicator.max_points, Indicator.applies_to, Indicator.code)
        .where(Indicator.framework_id == framework.id, Indicator.is_leaf.is_(True))
        .order_by(Indicator.position)
    ).all()
    b.log(f"reference data: {len(kinds)} notice kinds, rubric, framework with {len(leaves)} leaves")
    return World(
        kinds=kinds, rubric_id=rubric.id, bands=rubric.band_pairs, framework_id=framework.id, leaves=leaves
    )


# --- units and users ----------------------------------------------------------------------------------


def _unit_name(i: int) -> tuple[str, str, str]:
    """(kind, name, short name) of the i-th unit: the district government, then departments and towns."""
    if i == 0:
        return "district", "海曙区人民政府", "区政府"
    if i % 5 in (1, 2):
        stem = DEPT_STEMS[i % len(DEPT_STEMS)]
        return "department", f"第{i}号单位{stem}", f"{stem}{i}"
    stem = TOWN_STEMS[i % len(TOWN_STEMS)]
    return "town", f"{stem}第{i}街道办事处", f"{stem}{i}"


def build_units(b: Build, world: World, years: list[int]) -> None:
    from supervision.models import Unit

    rows = []
    for i in range(60 * b.scale):
        kind, name, short = _unit_name(i)
        uid = b.ids.next("unit")
        world.units.append((uid, kind, short))
        rows.append(
            {
                "id": uid,
                "name": name,
                "short_name": short,
                "kind": kind,
                "code": f"B{uid:06d}",
                "active": True,
                "version": 1,
                "created_at": at(date(years[0], 1, 2)),
                "updated_at": at(date(years[0], 1, 2)),
            }
        )
    b.put(Unit, rows)


def build_users(b: Build, world: World, years: list[int]) -> None:
    from werkzeug.security import generate_password_hash

    from supervision.extensions import db
    from supervision.models import User

    password_hash = generate_password_hash(BENCH_PASSWORD)  # one hash for everybody: hashing is slow
    n_units = len(world.units)
    office_unit = world.units[1][0]
    n_users = 150 * b.scale
    n_inspectors = max(4, n_users // 10)
    rows = []

    def user_row(username, display, role, unit_id):
        uid = b.ids.next("user")
        rows.append(
            {
                "id": uid,
                "username": username,
                "display_name": display,
                "password_hash": password_hash,
                "role": role,
                "unit_id": unit_id,
                "active": True,
                "locale": None,
                "phone": "",
                "email": "",
                "version": 1,
                "created_at": at(date(years[0], 1, 2)),
                "updated_at": at(date(years[0], 1, 2)),
            }
        )
        return uid

    user_row("bench_admin", "基准管理员", "admin", office_unit)
    world.lead_id = user_row(BENCH_USER, "基准负责人", "lead", office_unit)
    world.inspector_ids = [
        user_row(f"bench_insp{i}", f"督察员{i}", "inspector", world.units[1 + i % (n_units - 1)][0])
        for i in range(n_inspectors)
    ]
    k = 0
    while len(rows) < n_users:
        user_row(f"bench_liaison{k}", f"联络员{k}", "liaison", world.units[k % n_units][0])
        k += 1
    b.put(User, rows)
    db.session.commit()
    b.log(f"{n_units} units, {len(rows)} users ({b.seconds():.1f} s)")


# --- one year of records ------------------------------------------------------------------------------


def build_year(b: Build, world: World, year: int) -> None:
    from supervision.extensions import db

    current = year == b.today.year
    y = Year(year=year, current=current, last_day=b.today if current else date(year, 12, 31), rng=b.rng)
    build_tasks(b, world, y)
    build_case_files(b, world, y, build_campaigns(b, world, y))
    build_findings(b, world, y)
    notices = build_notices(b, world, y)
    n_scores = build_assessments(b, world, y)
    db.session.commit()
    b.log(
        f"year {year}: {len(y.tasks)} tasks, {len(y.findings)} findings, {notices[0]} notices "
        f"({notices[1]} items), {len(y.case_files)} case files, {n_scores} indicator scores "
        f"({b.seconds():.1f} s)"
    )


def build_tasks(b: Build, world: World, y: Year) -> None:
    """Tasks, their units and their inspectors."""
    from sqlalchemy import insert

    from supervision.extensions import db
    from supervision.models import SupervisionTask, TaskInspector, task_unit

    rng, year = b.rng, y.year
    t_rows, tu_rows, ti_rows = [], [], []
    for i in range(12 * b.scale):
        tid = b.ids.next("supervision_task")
        start = y.day(0, 0.8)
        status = "closed" if not y.current or i % 3 == 0 else ("draft" if i % 10 == 1 else "active")
        task_units = rng.sample(world.unit_ids, min(len(world.units), 10))
        team = rng.sample(world.inspector_ids, min(3, len(world.inspector_ids)))
        y.tasks.append((tid, task_units, team, start, status))
        t_rows.append(
            {
                "id": tid,
                "code": f"DC{year}-{i + 1:04d}",
                "title": f"{year}年{TASK_TITLES[i % len(TASK_TITLES)]}（第{i + 1}批）",
                "kind": ("special", "monitor", "inspection", "other")[i % 4],
                "basis": "《法治政府建设与责任落实督察工作规定》",
                "description": "",
                "period_start": start,
                "period_end": min(start + timedelta(days=60), date(year, 12, 31)),
                "year": year,
                "status": status,
                "created_by_id": world.lead_id,
                "version": 2,
                "created_at": at(start),
                "updated_at": at(start),
            }
        )
        tu_rows += [{"task_id": tid, "unit_id": u} for u in task_units]
        ti_rows += [{"task_id": tid, "user_id": u, "is_leader": n == 0} for n, u in enumerate(team)]
        b.event(at(start), world.lead_id, "task.create", "task", tid, "新建督察任务")
    b.put(SupervisionTask, t_rows)
    db.session.execute(insert(task_unit), tu_rows)
    b.counts["task_unit"] = b.counts.get("task_unit", 0) + len(tu_rows)
    b.put(TaskInspector, ti_rows)


def build_campaigns(b: Build, world: World, y: Year) -> list[int]:
    """The year's rubric campaigns over every unit, every inspector a reviewer; returns their ids."""
    from sqlalchemy import insert

    from supervision.extensions import db
    from supervision.models import ReviewCampaign, campaign_reviewer, campaign_unit
    from supervision.models.reviews import CASE_TYPES

    year = y.year
    n_campaigns = max(1, 300 * b.scale // 1500)
    campaigns = []
    c_rows, cu_rows, cr_rows = [], [], []
    for c in range(n_campaigns):
        cid = b.ids.next("review_campaign")
        status = "reviewing" if y.current and c == n_campaigns - 1 else "published"
        campaigns.append(cid)
        c_rows.append(
            {
                "id": cid,
                "year": year,
                "title": f"{year}年度行政执法案卷评查（第{c + 1}批）",
                "rubric_id": world.rubric_id,
                "case_types": CASE_TYPES[:4],
                "sample_size": 2,
                "reviewers_per_file": 2,
                "divergence_margin": 10.0,
                "deadline": date(year, 10, 31),
                "seed": c,
                "sample_note": "",
                "status": status,
                "created_by_id": world.lead_id,
                "published_at": at(date(year, 11, 30)) if status == "published" else None,
                "version": 4,
                "created_at": at(date(year, 3, 1)),
                "updated_at": at(date(year, 11, 30)),
            }
        )
        cu_rows += [{"campaign_id": cid, "unit_id": u} for u in world.unit_ids]
        cr_rows += [{"campaign_id": cid, "user_id": u} for u in world.inspector_ids]
    b.put(ReviewCampaign, c_rows)
    db.session.execute(insert(campaign_unit), cu_rows)
    db.session.execute(insert(campaign_reviewer), cr_rows)
    return campaigns


def build_case_files(b: Build, world: World, y: Year, campaigns: list[int]) -> None:
    """Reviewed case files (two reviewers each, graded by the rubric's bands; findings may come from them)."""
    from supervision.models import CaseFile, ReviewAssignment
    from supervision.models.reviews import CASE_TYPES

    rng, year, units, inspector_ids = b.rng, y.year, world.units, world.inspector_ids
    n_units = len(units)
    f_rows, a_rows = [], []
    for i in range(300 * b.scale):
        fid = b.ids.next("case_file")
        unit_id = units[i % n_units][0]
        scores = [round(rng.triangular(55, 99, 84), 1) for _ in range(2)]
        final = round(sum(scores) / 2, 1)
        grade = next((label for label, low in world.bands if final >= low), "不合格")
        excellent = grade == world.bands[0][0] and rng.random() < 0.4
        y.case_files.append((fid, unit_id))
        f_rows.append(
            {
                "id": fid,
                "campaign_id": campaigns[i % len(campaigns)],
                "unit_id": unit_id,
                "case_number": f"{units[i % n_units][2]}罚〔{year}〕{i + 1}号",
                "case_type": CASE_TYPES[i % 4],
                "title": f"当事人{i}{CASE_TITLES[i % len(CASE_TITLES)]}",
                "decision_date": y.day(0, 0.6),
                "handlers": "张三、李四",
                "sampled": True,
                "sample_reason": "随机抽取",
                "excellent": excellent,
                "final_score": final,
                "grade": grade,
                "divergent": abs(scores[0] - scores[1]) > 10,
                "settled_reason": "",
                "version": 3,
                "created_at": at(date(year, 3, 5)),
                "updated_at": at(date(year, 10, 1)),
            }
        )
        for n, total in enumerate(scores):
            a_rows.append(
                {
                    "id": b.ids.next("review_assignment"),
                    "case_file_id": fid,
                    "reviewer_id": inspector_ids[(i + n) % len(inspector_ids)],
                    "status": "submitted",
                    "total": total,
                    "veto_hit": False,
                    "comment": "",
                    "submitted_at": at(date(year, 9, 30)),
                    "version": 2,
                    "created_at": at(date(year, 4, 1)),
                    "updated_at": at(date(year, 9, 30)),
                }
            )
    b.put(CaseFile, f_rows)
    b.put(ReviewAssignment, a_rows)


def build_findings(b: Build, world: World, y: Year) -> None:
    """Findings on the live tasks, one in ten from a reviewed case file (written after the notices)."""
    from supervision.models.tasks import DEFAULT_FINDING_CATEGORIES

    rng, inspector_ids = b.rng, world.inspector_ids
    live_tasks = [t for t in y.tasks if t[4] != "draft"]
    for i in range(600 * b.scale):
        fid = b.ids.next("finding")
        if i % 10 == 9:  # drawn from a reviewed case file
            case_id, unit_id = y.case_files[i % len(y.case_files)]
            task_id, found_on, inspector = None, y.day(0.5, 0.9), inspector_ids[i % len(inspector_ids)]
        else:
            task_id, t_units, team, start, _ = live_tasks[i % len(live_tasks)]
            case_id, unit_id = None, t_units[i % len(t_units)]
            found_on = min(start + timedelta(days=rng.randint(0, 45)), y.last_day)
            inspector = team[i % len(team)]
        y.findings.append(
            {
                "id": fid,
                "task_id": task_id,
                "case_file_id": case_id,
                "unit_id": unit_id,
                "inspector_id": inspector,
                "indicator_id": None,
                "category": DEFAULT_FINDING_CATEGORIES[rng.randrange(len(DEFAULT_FINDING_CATEGORIES))],
                "severity": rng.choices(["normal", "major", "serious"], [70, 22, 8])[0],
                "description": FINDING_TEXTS[i % len(FINDING_TEXTS)],
                "legal_basis": BASIS[i % len(BASIS)],
                "found_on": found_on,
                "status": "open",
                "dismiss_reason": "",
                "version": 1,
                "created_at": at(found_on),
                "updated_at": at(found_on),
            }
        )
        b.event(at(found_on), inspector, "finding.create", "finding", fid, "记录问题", unit_id)


# --- notices with items, reports, verifications, escalations ------------------------------------------


@dataclass
class NoticeRows:
    notices: list[dict] = field(default_factory=list)
    items: list[dict] = field(default_factory=list)
    rectifications: list[dict] = field(default_factory=list)
    verifications: list[dict] = field(default_factory=list)
    escalations: list[dict] = field(default_factory=list)


def _notice_status(b: Build, y: Year, issue: date) -> str:
    """Old notices are closed (a few voided); this year's are spread over the whole workflow."""
    roll = b.rng.random()
    if not y.current or issue < b.today - timedelta(days=120):
        return "voided" if roll < 0.03 else "closed"
    return b.rng.choices(
        ["draft", "submitted", "issued", "acknowledged", "closed", "voided"], [4, 3, 20, 40, 30, 3]
    )[0]


def build_notices(b: Build, world: World, y: Year) -> tuple[int, int]:
    """Notices over batches of each unit's open findings; writes the findings too. Returns
    (notices, items)."""
    from supervision.models import Escalation, Finding, Notice, NoticeItem, Rectification, Verification

    by_unit: dict[int, list[dict]] = {}
    for f in y.findings:
        by_unit.setdefault(f["unit_id"], []).append(f)
    pools = [sorted(v, key=lambda f: f["found_on"]) for v in by_unit.values()]
    rows = NoticeRows()
    seq_by_prefix: dict[str, int] = {}
    made = 0
    while made < 120 * b.scale:
        pool = pools[made % len(pools)]
        batch = [f for f in pool if f["status"] == "open"][: b.rng.randint(3, 5)]
        if not batch:
            pools.remove(pool)
            if not pools:
                break
            continue
        made += 1
        _notice(b, world, y, rows, batch, world.kinds[made % len(world.kinds)], seq_by_prefix)
    for f in y.findings:
        if f["status"] == "reserved":
            f["status"] = "open"
        elif f["status"] == "open" and b.rng.random() < 0.05:
            f["status"], f["dismiss_reason"] = "dismissed", "经核实不构成问题"
    b.put(Finding, y.findings)
    b.put(Notice, rows.notices)
    b.put(NoticeItem, rows.items)
    b.put(Rectification, rows.rectifications)
    b.put(Verification, rows.verifications)
    b.put(Escalation, rows.escalations)
    return len(rows.notices), len(rows.items)


def _notice(
    b: Build, world: World, y: Year, rows: NoticeRows, batch: list[dict], kind, seq_by_prefix
) -> None:
    """One notice over the batch of findings, its events, maybe an escalation, and its items."""
    rng, today, lead_id, year = b.rng, b.today, world.lead_id, y.year
    nid = b.ids.next("notice")
    unit_id = batch[0]["unit_id"]
    issue = min(max(f["found_on"] for f in batch) + timedelta(days=rng.randint(3, 20)), y.last_day)
    deadline = issue + timedelta(days=kind.default_days * 7 // 5 + 2)
    status = _notice_status(b, y, issue)
    numbered = status not in ("draft", "submitted")
    seq = None
    if numbered:
        seq = seq_by_prefix[kind.prefix] = seq_by_prefix.get(kind.prefix, 0) + 1
    closed_at = None
    if status == "closed":
        closed_at = at(min(issue + timedelta(days=rng.randint(10, 60)), today), 6)
    rows.notices.append(
        {
            "id": nid,
            "kind_id": kind.id,
            "doc_number": f"{kind.prefix}〔{year}〕{seq}号" if numbered else None,
            "doc_prefix": kind.prefix if numbered else None,
            "year": year if numbered else None,
            "seq": seq,
            "unit_id": unit_id,
            "task_id": batch[0]["task_id"],
            "title": f"关于{world.units[unit_id - 1][2]}行政执法问题的{kind.name}",
            "intro": "",
            "requirements": "请于期限内完成整改并书面报告。",
            "time_limit_days": kind.default_days,
            "fixed_deadline": None,
            "issue_date": issue if numbered else None,
            "deadline": deadline if numbered else None,
            "status": status,
            "drafted_by_id": batch[0]["inspector_id"],
            "approved_by_id": lead_id if numbered else None,
            "issued_at": at(issue) if numbered else None,
            "acknowledged_by_id": None,
            "acknowledged_at": at(issue + timedelta(days=1))
            if status in ("acknowledged", "closed")
            else None,
            "closed_at": closed_at,
            "void_reason": "编号错误，重新制发" if status == "voided" else "",
            "return_reason": "",
            "version": 4,
            "created_at": at(issue),
            "updated_at": closed_at or at(issue),
        }
    )
    b.event(at(issue), batch[0]["inspector_id"], "notice.create", "notice", nid, "起草通知书", unit_id)
    if numbered:
        b.event(at(issue), lead_id, "notice.issue", "notice", nid, "签发", unit_id)
    if status == "closed":
        b.event(closed_at, lead_id, "notice.close", "notice", nid, "销号", unit_id)
    if status in ("issued", "acknowledged") and deadline < today and rng.random() < 0.3:
        on_date = min(deadline + timedelta(days=5), today)
        rows.escalations.append(
            {
                "id": b.ids.next("escalation"),
                "notice_id": nid,
                "kind": rng.choice(["interview", "listed", "criticism"]),
                "on_date": on_date,
                "note": "",
                "by_id": lead_id,
                "at": at(on_date),
            }
        )
    for seq_no, f in enumerate(batch, start=1):
        _notice_item(b, rows, nid, seq_no, f, status, issue, batch[0]["inspector_id"])


def _item_status(b: Build, status: str) -> str:
    if status == "closed":
        return "accepted"
    if status in ("issued", "acknowledged"):
        return b.rng.choices(["pending", "submitted", "accepted", "returned"], [4, 2, 3, 1])[0]
    return "pending"


def _notice_item(
    b: Build, rows: NoticeRows, nid: int, seq_no: int, f: dict, status: str, issue: date, drafter: int
) -> None:
    """One item of the notice, the finding's status after it, the unit's report and its verification."""
    item_status = _item_status(b, status)
    f["status"] = (
        "open"
        if status in ("draft", "submitted", "voided")
        else ("resolved" if item_status == "accepted" else "noticed")
    )
    if status in ("draft", "submitted"):
        f["status"] = "reserved"  # not free for another notice; reset in build_notices
    iid = b.ids.next("notice_item")
    rows.items.append(
        {
            "id": iid,
            "notice_id": nid,
            "finding_id": f["id"],
            "seq": seq_no,
            "requirement": "针对该问题完成整改，完善相关制度。",
            "status": item_status,
            "version": 2,
        }
    )
    if item_status not in ("submitted", "accepted", "returned"):
        return
    rid = b.ids.next("rectification")
    done = min(issue + timedelta(days=8), b.today)
    rows.rectifications.append(
        {
            "id": rid,
            "item_id": iid,
            "measures": "已完成整改，补充完善了相关材料。",
            "completed_on": done,
            "submitted_by_id": None,
            "submitted_at": at(done),
        }
    )
    if item_status != "submitted":
        rows.verifications.append(
            {
                "id": b.ids.next("verification"),
                "item_id": iid,
                "rectification_id": rid,
                "decision": "accept" if item_status == "accepted" else "return",
                "reason": "" if item_status == "accepted" else "佐证材料不足",
                "by_id": drafter,
                "at": at(done, 8),
            }
        )


# --- the assessment round: one assessment per unit, ≈100 indicator scores each ------------------------


def _rating(rng: random.Random, quality: float, unit_kind: str, applies_to: str | None, max_points):
    """(rating, points) of one indicator: 不适用 if it does not apply to the unit's kind (or now and
    then), else met, basic or unmet, more often met the better the unit."""
    r = rng.random()
    if r < 0.03 or unit_kind not in (applies_to or "").split(","):
        return "na", None
    if r < quality:
        return "met", max_points
    if r < quality + (1 - quality) * 0.65:
        return "basic", round(max_points * 0.6, 2)
    return "unmet", 0.0


def build_assessments(b: Build, world: World, y: Year) -> int:
    """The round, an assessment per unit with a score for every leaf, roadmap items for weak ones;
    the finalized ones keep their area sums. Returns the number of scores."""
    from sqlalchemy import bindparam

    from supervision.extensions import db
    from supervision.models import Assessment, AssessmentRound, IndicatorScore, RoadmapItem
    from supervision.services.scorecard_reports import area_sums, stored_area_sums

    rng, year, current = b.rng, y.year, y.current
    rid = b.ids.next("assessment_round")
    b.put(
        AssessmentRound,
        [
            {
                "id": rid,
                "year": year,
                "framework_id": world.framework_id,
                "title": f"{year}年度法治政府建设示范指标自评",
                "status": "open" if current else "closed",
                "deadline": date(year, 11, 30),
                "created_by_id": world.lead_id,
                "version": 1,
                "created_at": at(date(year, 3, 1)),
                "updated_at": at(date(year, 3, 1)),
            }
        ],
    )
    as_rows, s_rows, rm_rows = [], [], []
    for n, (unit_id, unit_kind, _short) in enumerate(world.units):
        aid = b.ids.next("assessment")
        status = (
            "finalized"
            if not current
            else rng.choices(["draft", "submitted", "evaluated", "finalized"], [5, 15, 20, 60])[0]
        )
        evaluated = status in ("evaluated", "finalized")
        evaluator = world.inspector_ids[n % len(world.inspector_ids)]
        as_rows.append(
            {
                "id": aid,
                "round_id": rid,
                "unit_id": unit_id,
                "status": status,
                "return_reason": "",
                "submitted_at": at(date(year, 11, 20)) if status != "draft" else None,
                "evaluated_at": at(date(year, 11, 25)) if evaluated else None,
                "evaluator_id": evaluator if evaluated else None,
                "finalized_at": at(date(year, 11, 27)) if status == "finalized" else None,
                "version": 3,
                "created_at": at(date(year, 3, 1)),
                "updated_at": at(date(year, 11, 27)),
            }
        )
        quality = rng.uniform(0.45, 0.9)
        for leaf_id, max_points, applies_to, _code in world.leaves:
            # Every leaf gets a row (DESIGN §7: ≈100 scores an assessment); one that does not
            # apply to the unit's kind is rated 不适用, which leaves the sums.
            rating, points = _rating(rng, quality, unit_kind, applies_to, max_points)
            s_rows.append(
                {
                    "assessment_id": aid,
                    "indicator_id": leaf_id,
                    "self_rating": rating,
                    "self_score": points,
                    "explanation": "已按要求落实。",
                    "evaluated_rating": rating if evaluated else None,
                    "evaluated_score": points if evaluated else None,
                    "comment": "",
                    "evaluator_id": evaluator if evaluated else None,
                    "version": 1,
                    "created_at": at(date(year, 11, 1)),
                    "updated_at": at(date(year, 11, 25)),
                }
            )
            if evaluated and _weak(rating, points, max_points) and rng.random() < 0.3:
                rm_rows.append(_roadmap_row(b, world, y, leaf_id, unit_id, aid))
    b.put(Assessment, as_rows)
    b.put(IndicatorScore, s_rows)
    b.put(RoadmapItem, rm_rows)
    # As the finalize service does: a finalized assessment keeps its area sums.
    finalized = [a["id"] for a in as_rows if a["status"] == "finalized"]
    sums = area_sums(finalized)
    table = Assessment.__table__
    db.session.execute(
        table.update().where(table.c.id == bindparam("aid")).values(area_scores=bindparam("scores")),
        [{"aid": aid, "scores": stored_area_sums(sums.get(aid, []))} for aid in finalized],
    )
    return len(s_rows)


def _weak(rating: str, points, max_points) -> bool:
    from supervision.scoring_indicators import is_weak

    return is_weak(rating, points, max_points)


def _roadmap_row(b: Build, world: World, y: Year, leaf_id: int, unit_id: int, aid: int) -> dict:
    """A roadmap item for a weak indicator (done for past years, planned for this one)."""
    on = date(y.year, 12, 1) if not y.current else b.today
    return {
        "indicator_id": leaf_id,
        "unit_id": unit_id,
        "assessment_id": aid,
        "year": y.year,
        "measure": "制定专项整改方案，明确责任科室和完成时限。",
        "owner": "办公室",
        "due_date": date(y.year + 1, 6, 30),
        "status": "done" if not y.current else "planned",
        "progress": "",
        "created_by_id": world.lead_id,
        "version": 1,
        "created_at": at(on),
        "updated_at": at(on),
    }


# --- the audit trail, the sequences, the planner's statistics -----------------------------------------


def finish(b: Build) -> None:
    from sqlalchemy import text

    from supervision.extensions import db
    from supervision.models import AuditEvent

    b.events.sort(key=lambda e: e["at"])
    b.put(AuditEvent, b.events)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # explicit ids do not move the sequences
        for table in db.metadata.sorted_tables:
            if "id" in table.c and table.c.id.autoincrement and table.c.id.primary_key:
                db.session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f'COALESCE((SELECT max(id) FROM "{table.name}"), 0) + 1, false)'
                    )
                )
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # VACUUM as autovacuum would after a bulk load (this machine's server runs with it off): it
        # merges the trigram indexes' pending lists, which every search would otherwise scan, and sets
        # the visibility map the index-only scans read. Outside a transaction, as VACUUM must be.
        db.session.close()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def main(argv=None) -> int:
    args = parse_args(argv)
    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("SECRET_KEY", "bench-secret-key")
    fresh_database(url)
    from flask_migrate import upgrade

    from supervision import create_app
    from supervision.formatting import local_today

    app = create_app()
    with app.app_context():
        upgrade()
        this_year = local_today().year
        years = list(range(this_year - args.years + 1, this_year + 1))
        counts = build(SCALES[args.scale], years, args.seed)
    summary = ", ".join(f"{k} {v:,}" for k, v in counts.items() if k != "seconds")
    print(f"built {args.scale} scale in {url} in {counts['seconds']} s: {summary}")
    print(f"log in as {BENCH_USER} / {BENCH_PASSWORD}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
