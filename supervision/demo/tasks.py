"""Demo data for supervision: the inspector pool, a few tasks in different states, their findings."""

from __future__ import annotations

import io
import random
import struct
import zlib
from datetime import date, timedelta

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from ..audit import record_event
from ..extensions import db
from ..formatting import local_today
from ..models import Finding, InspectorProfile, SupervisionTask, TaskInspector, Unit, User
from ..services.attachments import attachments_add
from ..services.tasks import finding_categories_ensure
from ..workflow import transition
from . import seeder

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ["建华", "海燕", "晓东", "丽娟", "志强", "文静", "国平", "秀英", "俊杰", "雪梅", "立新", "红霞", "明辉", "晓燕",
         "振宇", "佳怡", "永康", "玉兰", "宏伟", "思远", "春生", "婷婷", "卫东", "慧敏", "德明", "亚楠", "继红", "子涵",
         "浩然", "美玲", "少华", "晨曦", "光明", "素芳", "天宇", "凤英", "利民", "嘉欣", "正阳", "桂芝"]  # fmt: skip

# unit short name → the specialties its inspectors usually bring
UNIT_SPECIALTIES = {
    "区司法局": ["法律"],
    "区市场监管局": ["市场监管", "法律"],
    "区综合行政执法局": ["综合执法"],
    "区自然资源和规划分局": ["自然资源"],
    "区生态环境分局": ["生态环境"],
    "区住建局": ["住房建设"],
    "区交通运输局": ["交通运输"],
    "区卫健局": ["卫生健康"],
    "区应急管理局": ["应急管理"],
}

DESCRIPTIONS = [
    (
        "程序",
        "抽查的 {n} 件行政处罚案卷中，有 2 件未在作出决定前告知当事人陈述、申辩的权利。",
        "《中华人民共和国行政处罚法》第四十四条",
    ),
    (
        "程序",
        "现场检查笔录无执法人员签名，且未载明出示执法证件的情况。",
        "《中华人民共和国行政处罚法》第五十五条",
    ),
    ("证据", "案卷中现场照片未注明拍摄时间、地点和拍摄人，证明力不足。", "《行政执法证据规则》相关规定"),
    (
        "证据",
        "认定违法所得的计算依据缺失，案卷中无相关票据或账册复印件。",
        "《中华人民共和国行政处罚法》第四十条",
    ),
    (
        "法律适用",
        "处罚决定书引用的法律条款已于 2021 年修订，仍沿用修订前的条文序号。",
        "《中华人民共和国立法法》相关规定",
    ),
    (
        "法律适用",
        "对同一违法行为同时适用了两项罚款条款，存在重复处罚。",
        "《中华人民共和国行政处罚法》第二十九条",
    ),
    (
        "文书",
        "行政处罚决定书未载明申请行政复议、提起行政诉讼的途径和期限。",
        "《中华人民共和国行政处罚法》第五十九条",
    ),
    ("文书", "送达回证缺少受送达人签收日期，无法判断送达时间。", "《中华人民共和国民事诉讼法》第八十七条"),
    ("裁量", "同类违法情形罚款数额差异较大，未说明适用裁量基准的理由。", "《浙江省行政处罚裁量基准办法》"),
    (
        "裁量",
        "对首次轻微违法且及时改正的当事人未适用“首违不罚”清单。",
        "《中华人民共和国行政处罚法》第三十三条",
    ),
    ("主体", "由未取得行政执法证件的辅助人员单独开展现场检查。", "《浙江省行政执法证件管理办法》"),
    ("主体", "以内设机构名义作出行政处罚决定，执法主体不适格。", "《中华人民共和国行政处罚法》第十七条"),
    (
        "其他",
        "行政执法公示信息未在 7 个工作日内在政府网站公开。",
        "《关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》",
    ),
    ("程序", "重大执法决定未经法制审核即作出。", "《中华人民共和国行政处罚法》第五十八条"),
    ("其他", "执法全过程记录音像资料未按规定归档保存。", "《浙江省行政执法全过程记录办法》"),
]


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A small solid-colour PNG, standing in for a photo taken on site."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _pool(units: dict[str, Unit], today: date) -> list[User]:
    """About 100 inspectors across the units, with profiles; a few terms have run out."""
    rng = random.Random(3)
    template = db.session.scalar(select(User).where(User.username == "inspector1"))
    password_hash = template.password_hash  # one hash for all demo accounts keeps seeding fast
    homes = [u for short, u in units.items() if u.kind == "department"] + [
        u for u in units.values() if u.kind == "town"
    ]
    users = list(db.session.scalars(select(User).where(User.role == "inspector").order_by(User.id)))
    seen = {u.display_name for u in users}
    number = 0
    while len(users) < 100:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name in seen:
            continue
        seen.add(name)
        number += 1
        home = homes[number % len(homes)]
        user = User(
            username=f"dcy{number:03d}",
            display_name=name,
            role="inspector",
            unit_id=home.id,
            active=True,
            password_hash=password_hash,
            phone=f"1385740{number:04d}",
            email="",
        )
        db.session.add(user)
        users.append(user)
    db.session.flush()
    by_id = {u.id: u for u in units.values()}
    for index, user in enumerate(users):
        home = by_id.get(user.unit_id)
        specialties = list(UNIT_SPECIALTIES.get(home.short_name if home else "", ["综合执法"]))
        if rng.random() < 0.35 and "法律" not in specialties:
            specialties.append("法律")
        if index % 11 == 7:  # expired terms: flagged, cannot join new tasks
            start, end = date(today.year - 4, 1, 1), today - timedelta(days=30 + index)
        elif index % 13 == 5:  # running out soon
            start, end = date(today.year - 3, 3, 1), today + timedelta(days=40)
        else:
            start = date(today.year - (index % 3), 1, 1)
            end = date(start.year + 3, 12, 31)
        db.session.add(
            InspectorProfile(
                user_id=user.id,
                specialties="、".join(specialties),
                certificate_no=f"浙督{start.year}{index + 1:04d}",
                term_start=start,
                term_end=end,
                note="",
            )
        )
    db.session.flush()
    return users


def _task(
    lead: User,
    *,
    title: str,
    kind: str,
    basis: str,
    description: str,
    start: date,
    end: date,
    units: list[Unit],
    members: list[User],
    code: str,
) -> SupervisionTask:
    task = SupervisionTask(
        code=code,
        title=title,
        kind=kind,
        basis=basis,
        description=description,
        period_start=start,
        period_end=end,
        year=start.year,
        status="draft",
        created_by_id=lead.id,
    )
    task.units = units
    task.members = [TaskInspector(user_id=m.id, is_leader=i == 0) for i, m in enumerate(members)]
    db.session.add(task)
    db.session.flush()
    record_event(
        actor=lead,
        action="task.create",
        record_type="task",
        record_id=task.id,
        summary=f"新建督察任务“{title}”（{code}）",
    )
    return task


def _findings(
    task: SupervisionTask, count: int, rng: random.Random, lead: User, today: date
) -> list[Finding]:
    made = []
    for i in range(count):
        inspector = task.members[i % len(task.members)].user
        candidates = [u for u in task.units if u.id != inspector.unit_id]
        unit = rng.choice(candidates)
        category, text, basis = rng.choice(DESCRIPTIONS)
        found = min(task.period_start + timedelta(days=rng.randint(0, 40)), task.period_end, today)
        finding = Finding(
            task_id=task.id,
            unit_id=unit.id,
            inspector_id=inspector.id,
            category=category,
            severity=rng.choices(["normal", "major", "serious"], weights=[6, 3, 1])[0],
            description=text.format(n=rng.randint(8, 20)),
            legal_basis=basis,
            found_on=found,
            status="open",
        )
        db.session.add(finding)
        db.session.flush()
        record_event(
            actor=inspector,
            action="finding.create",
            record_type="finding",
            record_id=finding.id,
            summary=f"在任务“{task.title}”中记录问题（{unit.name}，{category}）",
            unit_id=unit.id,
        )
        if i % 4 == 0:
            photo = FileStorage(
                stream=io.BytesIO(_png(96, 72, (120 + i * 7 % 100, 140, 160))),
                filename=f"现场照片{i + 1}.png",
            )
            attachments_add(actor=inspector, owner_type="finding", owner_id=finding.id, uploads=[photo])
        made.append(finding)
    return made


@seeder
def seed_tasks() -> None:
    today = local_today()
    rng = random.Random(2026)
    finding_categories_ensure()
    units = {u.short_name: u for u in db.session.scalars(select(Unit).order_by(Unit.id))}
    lead = db.session.scalar(select(User).where(User.username == "lead"))
    pool = _pool(units, today)
    inspector1 = next(u for u in pool if u.username == "inspector1")
    inspector2 = next(u for u in pool if u.username == "inspector2")
    long_terms = set(
        db.session.scalars(
            select(InspectorProfile.user_id).where(InspectorProfile.term_end > today + timedelta(days=120))
        )
    )
    valid = [u for u in pool if u.username.startswith("dcy") and u.id in long_terms]
    pick = lambda *names: [units[n] for n in names]  # noqa: E731

    closed = _task(
        lead,
        code=f"DC-{today.year}-001",
        title=f"{today.year}年上半年行政执法案卷专项督察",
        kind="special",
        basis=f"海法治办〔{today.year}〕2号",
        description="对各执法部门上半年办结的行政处罚案卷开展专项督察，重点检查程序、证据和文书。",
        start=today - timedelta(days=240),
        end=today - timedelta(days=170),
        units=pick("区综合行政执法局", "区住建局", "区交通运输局", "区卫健局", "横街镇", "石碶街道"),
        members=[valid[0], valid[1], valid[2]],
    )
    transition(closed, "activate", actor=lead)
    _findings(closed, 9, rng, lead, today)
    first = db.session.scalar(select(Finding).where(Finding.task_id == closed.id).order_by(Finding.id))
    transition(first, "dismiss", actor=lead, reason="经复核，该单位已在督察前自行纠正并报备。")
    first.dismiss_reason = "经复核，该单位已在督察前自行纠正并报备。"
    transition(closed, "close", actor=lead)

    three = _task(
        lead,
        code=f"DC-{today.year}-002",
        title="行政执法“三项制度”落实情况专项督察",
        kind="special",
        basis=f"海依法治区办〔{today.year}〕5号",
        description="检查行政执法公示、执法全过程记录、重大执法决定法制审核制度的落实情况，每个单位抽查案卷不少于 10 件。",
        start=today - timedelta(days=35),
        end=today + timedelta(days=25),
        units=pick(
            "区市场监管局",
            "区综合行政执法局",
            "区自然资源和规划分局",
            "区生态环境分局",
            "区住建局",
            "横街镇",
            "古林镇",
            "集士港镇",
        ),
        members=[inspector1, inspector2, valid[3], valid[4]],
    )
    transition(three, "activate", actor=lead)
    _findings(three, 14, rng, lead, today)

    firms = _task(
        lead,
        code=f"DC-{today.year}-003",
        title="涉企行政检查专项监督",
        kind="monitor",
        basis=f"海法治办〔{today.year}〕8号",
        description="监督涉企行政检查的计划、频次和“扫码入企”执行情况，防止重复检查、多头检查。",
        start=today - timedelta(days=20),
        end=today + timedelta(days=40),
        units=pick("区市场监管局", "区应急管理局", "区卫健局", "区交通运输局", "高桥镇"),
        members=[inspector2, inspector1, valid[5]],
    )
    transition(firms, "activate", actor=lead)
    _findings(firms, 7, rng, lead, today)

    _task(
        lead,
        code=f"DC-{today.year}-004",
        title="安全生产领域行政执法检查",
        kind="inspection",
        basis="区安委会工作要点",
        description="对安全生产领域的行政检查和行政处罚开展执法检查，拟于下月启动。",
        start=today + timedelta(days=10),
        end=today + timedelta(days=60),
        units=pick("区应急管理局", "区住建局", "鄞江镇", "古林镇"),
        members=[valid[6], valid[7]],
    )
    db.session.flush()
