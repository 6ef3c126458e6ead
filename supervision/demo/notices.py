"""Demo notices: kinds, the holiday calendar, and notices in every state for the two demo units."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from ..audit import record_event
from ..extensions import db
from ..formatting import local_today
from ..models import Finding, NoticeKind, Unit, User
from ..services import calendar as calendar_svc
from ..services import notice_extensions as extensions_svc
from ..services import notices as svc
from ..services import rectification as rectification_svc
from ..services.calendar import estimate_upcoming_years
from . import seeder

# name, prefix (机关代字), default working days, requires a rectification report
KINDS = [
    ("执法监督通知书", "海法督", 15, True),
    ("督察意见书", "海法督意", 20, True),
    ("督察建议书", "海法督建", 30, False),
    ("整改通知书", "海法整改", 15, True),
    ("督办函", "海法督办", 10, True),
]
# Kinds with their own 结尾语 ({期限} = the deadline); the others use the default closing.
CLOSINGS = {
    "执法监督通知书": "请你单位于{期限}前依法予以纠正，并将纠正情况书面报告我办。"
    "如对本通知书有异议，可自收到之日起10日内书面申请复查。",
    "督办函": "请你单位高度重视，于{期限}前办结，并将办理结果书面报告我办。逾期未办结的，将予以通报。",
}
# The issuing authority (masthead, signature, seal owner): the 执法监督通知书 is the 司法局's as the
# 行政执法监督机构 (条例第六条); the 督察 documents are the 依法治区办's (the default OFFICE_NAME).
JUDICIAL_BUREAU = "海曙区司法局"
AUTHORITIES = {"执法监督通知书": JUDICIAL_BUREAU}
DEFAULT_CC = {
    "执法监督通知书": "区委全面依法治区委员会办公室",
    "督察意见书": "区委办公室，区政府办公室",
    "整改通知书": "区司法局",
}

FINDINGS = {
    "横街镇": [
        (
            "程序",
            "major",
            "行政处罚决定书未载明已告知当事人陈述、申辩权利的情况",
            "《中华人民共和国行政处罚法》第四十四条",
        ),
        (
            "主体",
            "serious",
            "2名未取得行政执法证件的工作人员单独从事执法检查",
            "《中华人民共和国行政处罚法》第四十二条",
        ),
        (
            "证据",
            "normal",
            "违法建设查处案卷中现场检查笔录缺少当事人签名",
            "《中华人民共和国行政处罚法》第五十五条",
        ),
        ("程序", "normal", "行政检查事项清单未在政府门户网站公示", "《优化营商环境条例》第五十九条"),
        ("裁量", "major", "罚款决定未说明适用裁量基准的理由", "《浙江省行政处罚裁量基准办法》第十二条"),
        ("文书", "normal", "部分案卷结案后超过六个月未归档", "《浙江省行政执法文书材料立卷归档规范》"),
        ("程序", "serious", "重大执法决定未经法制审核即作出", "《中华人民共和国行政处罚法》第五十八条"),
        (
            "其他",
            "normal",
            "行政执法公示平台信息更新滞后，2026年以来未更新执法结果",
            "《浙江省行政执法公示办法》",
        ),
        ("证据", "normal", "现场照片未注明拍摄时间、地点和拍摄人", "《行政执法证据规则》相关规定"),
    ],
    "区综合行政执法局": [
        ("程序", "major", "占道经营处罚案件中送达回证缺失", "《中华人民共和国行政处罚法》第六十一条"),
        (
            "裁量",
            "major",
            "同类违法行为罚款幅度差异较大，未执行裁量基准",
            "《浙江省行政处罚裁量基准办法》第八条",
        ),
        (
            "证据",
            "normal",
            "执法记录仪使用率偏低，部分现场执法无音像记录",
            "《浙江省行政执法全过程记录办法》",
        ),
        ("程序", "serious", "暂扣物品清单未交当事人签字确认", "《中华人民共和国行政强制法》第二十四条"),
        ("文书", "normal", "听证告知书未载明申请听证的期限", "《中华人民共和国行政处罚法》第六十四条"),
        (
            "其他",
            "normal",
            "投诉举报处理超过规定时限且无延期审批手续",
            "《浙江省综合行政执法条例》第二十六条",
        ),
        ("法律适用", "major", "处罚决定引用的条款已修订，仍沿用修订前的条文序号", "《中华人民共和国立法法》"),
        ("程序", "normal", "责令限期改正通知书未写明改正期限", "《中华人民共和国行政处罚法》第二十八条"),
        ("证据", "normal", "询问笔录未由被询问人逐页签名", "《行政执法证据规则》相关规定"),
        ("文书", "normal", "行政处罚决定书未载明履行方式和期限", "《中华人民共和国行政处罚法》第五十九条"),
    ],
}

MEASURES = [
    "已组织全体执法人员专题学习《行政处罚法》，对相关案卷逐件补正，并修订了本单位执法文书模板。",
    "已完成相关人员的执法资格培训与考试，未取得证件前不再安排单独执法；建立持证上岗台账。",
    "已对问题案卷补充当事人签名确认材料，并制定现场检查笔录填写规范，由法制员每月抽查。",
    "已在门户网站公示行政检查事项清单，并明确专人负责每季度更新。",
]


def _pdf(text: str) -> bytes:
    """A one-page PDF standing in for a scanned 整改报告."""
    body = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(body)).encode() + b" >>\nstream\n" + body + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _evidence(name: str) -> list[FileStorage]:
    return [FileStorage(stream=io.BytesIO(_pdf("Rectification report")), filename=name)]


def seed_kinds() -> dict[str, NoticeKind]:
    kinds = {k.name: k for k in db.session.scalars(select(NoticeKind))}
    for sort, (name, prefix, days, rectify) in enumerate(KINDS, start=1):
        if name not in kinds:
            kind = NoticeKind(
                name=name,
                prefix=prefix,
                default_days=days,
                requires_rectification=rectify,
                closing=CLOSINGS.get(name, ""),
                issuing_authority=AUTHORITIES.get(name, ""),
                signature=AUTHORITIES.get(name, ""),
                seal_owner=AUTHORITIES.get(name, ""),
                default_cc=DEFAULT_CC.get(name, ""),
                active=True,
                sort=sort,
            )
            db.session.add(kind)
            kinds[name] = kind
    db.session.flush()
    return kinds


def _findings(unit: Unit, inspector: User, today: date) -> list[Finding]:
    made = []
    for i, (category, severity, text, basis) in enumerate(FINDINGS[unit.short_name]):
        finding = Finding(
            task_id=None,
            unit_id=unit.id,
            inspector_id=inspector.id,
            category=category,
            severity=severity,
            description=text,
            legal_basis=basis,
            found_on=today - timedelta(days=90 - i * 3),
            status="open",
        )
        db.session.add(finding)
        db.session.flush()
        record_event(
            actor=inspector,
            action="finding.create",
            record_type="finding",
            record_id=finding.id,
            summary=f"记录问题（{unit.name}，{category}）",
            unit_id=unit.id,
        )
        made.append(finding)
    return made


def _draft(inspector, kind, unit, findings, today, *, title=None, days=None) -> object:
    data = svc.DraftData(
        kind_id=kind.id,
        unit_id=unit.id,
        title=title or svc.default_title(unit, kind),
        intro="",
        requirements="",
        time_limit_days=days or kind.default_days,
        fixed_deadline=None,
        items=[(f.id, svc.default_requirement(f)) for f in findings],
        cc=kind.default_cc,
    )
    return svc.notice_create(actor=inspector, data=data, today=today)


def _issued(inspector, lead, kind, unit, findings, issue_on, today, **kwargs):
    notice = _draft(inspector, kind, unit, findings, today, **kwargs)
    svc.notice_submit(actor=inspector, notice=notice)
    svc.notice_issue(actor=lead, notice=notice, today=issue_on)
    return notice


def _report(liaison, notice, item, today, n: int, files: bool = True):
    rectification_svc.item_report(
        actor=liaison,
        notice=notice,
        item=item,
        measures=MEASURES[n % len(MEASURES)],
        completed_on=today - timedelta(days=2),
        uploads=_evidence(f"整改情况报告（第{item.seq}项）.pdf") if files else [],
        today=today,
    )


@seeder
def seed_notices() -> None:
    today = local_today()
    calendar_svc.calendar_seed(commit=False)
    estimate_upcoming_years(today)
    kinds = seed_kinds()
    users = {u.username: u for u in db.session.scalars(select(User))}
    lead, inspector1, inspector2 = users["lead"], users["inspector1"], users["inspector2"]
    liaison1, liaison2 = users["liaison1"], users["liaison2"]
    town = db.session.get(Unit, liaison1.unit_id)
    bureau = db.session.get(Unit, liaison2.unit_id)
    f1 = _findings(town, inspector1, today)
    f2 = _findings(bureau, inspector2, today)
    supervise, rectify, opinion, advice, urge = (
        kinds["执法监督通知书"],
        kinds["整改通知书"],
        kinds["督察意见书"],
        kinds["督察建议书"],
        kinds["督办函"],
    )

    # 横街镇 -----------------------------------------------------------------------------------
    # Closed (销号): issued about ten weeks ago, both items accepted.
    n = _issued(inspector1, lead, supervise, town, f1[0:2], today - timedelta(days=70), today)
    rectification_svc.notice_acknowledge(actor=liaison1, notice=n)
    for i, item in enumerate(n.items):
        _report(liaison1, n, item, today, i)
        svc.item_accept(actor=inspector1, notice=n, item=item)

    # Overdue: one item reported and awaiting verification, one still pending; an extension refused;
    # an interview (约谈) recorded.
    n = _issued(inspector1, lead, rectify, town, f1[2:4], today - timedelta(days=45), today)
    rectification_svc.notice_acknowledge(actor=liaison1, notice=n)
    ext = extensions_svc.extension_request(
        actor=liaison1,
        notice=n,
        reason="涉及的案卷较多，需调取档案逐件补正，申请延期。",
        requested_deadline=n.deadline + timedelta(days=30),
        today=today - timedelta(days=30),
    )
    extensions_svc.extension_decide(
        actor=lead,
        notice=n,
        ext=ext,
        approve=False,
        new_deadline=None,
        note="问题整改难度不大，请按原期限完成。",
    )
    _report(liaison1, n, n.items[0], today, 2)
    extensions_svc.escalation_add(
        actor=lead,
        notice=n,
        kind="interview",
        on_date=today - timedelta(days=1),
        note="约谈横街镇分管负责人，要求一周内完成整改。",
        today=today,
    )

    # Acknowledged, one item returned for more work, the other accepted.
    n = _issued(inspector2, lead, opinion, town, f1[4:6], today - timedelta(days=12), today)
    rectification_svc.notice_acknowledge(actor=liaison1, notice=n)
    _report(liaison1, n, n.items[0], today, 0)
    _report(liaison1, n, n.items[1], today, 1)
    svc.item_return(
        actor=inspector2,
        notice=n,
        item=n.items[0],
        reason="整改报告未附裁量理由补正后的决定书，请补充佐证材料后重新报送。",
    )
    svc.item_accept(actor=inspector2, notice=n, item=n.items[1])

    # Issued yesterday, not yet acknowledged.
    _issued(inspector1, lead, urge, town, f1[6:7], today - timedelta(days=1), today)
    # Two findings stay open for drafting.

    # 区综合行政执法局 ---------------------------------------------------------------------------
    # Acknowledged, extension approved, items awaiting verification.
    n = _issued(inspector2, lead, supervise, bureau, f2[0:3], today - timedelta(days=20), today)
    rectification_svc.notice_acknowledge(actor=liaison2, notice=n)
    ext = extensions_svc.extension_request(
        actor=liaison2,
        notice=n,
        reason="执法记录仪采购需走政府采购程序，申请延期15天。",
        requested_deadline=n.deadline + timedelta(days=15),
        today=today - timedelta(days=5),
    )
    extensions_svc.extension_decide(
        actor=lead, notice=n, ext=ext, approve=True, new_deadline=None, note="同意。"
    )
    _report(liaison2, n, n.items[0], today, 1)
    _report(liaison2, n, n.items[1], today, 3)

    # A suggestion (督察建议书) closed on receipt.
    n = _issued(inspector1, lead, advice, bureau, f2[3:4], today - timedelta(days=30), today)
    rectification_svc.notice_acknowledge(actor=liaison2, notice=n)

    # Voided after issue: the number stays used and shows in the register.
    n = _issued(inspector2, lead, rectify, bureau, f2[4:5], today - timedelta(days=25), today)
    svc.notice_void(actor=lead, notice=n, reason="主送单位有误，应由区市场监管局办理，重新起草。")

    # Submitted, awaiting the lead's sign-off.
    n = _draft(inspector1, rectify, bureau, f2[5:7], today)
    svc.notice_submit(actor=inspector1, notice=n)

    # A draft that was returned once.
    n = _draft(inspector2, opinion, bureau, f2[7:8], today)
    svc.notice_submit(actor=inspector2, notice=n)
    svc.notice_return(actor=lead, notice=n, reason="请补充问题所涉案卷的案号，并将期限调整为20个工作日。")
