"""Demo data for case-file review: a published 2025 campaign (with excellent files and a settled
divergence) and a 2026 campaign in review, with files waiting for inspector1 and inspector2."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import CaseFile, ReviewAssignment, ReviewCampaign, Unit, User
from ..services import case_files as casefile_svc
from ..services import review_scoring as scoring_svc
from ..services import reviews as campaign_svc
from ..services import rubrics as rubric_svc
from . import DEMO_PASSWORD, seeder

# unit short name → (case-number prefix, typical cases)
UNIT_CASES = {
    "区市场监管局": (
        "海市监罚",
        [
            "某餐饮店未按规定公示食品经营许可证案",
            "某超市销售过期食品案",
            "某药店未凭处方销售处方药案",
            "某商贸公司虚假宣传案",
            "某电器行销售不合格产品案",
            "某美容店无证经营案",
            "某农贸市场计量器具未检定案",
            "某网店价格欺诈案",
        ],
    ),
    "区综合行政执法局": (
        "海综执罚",
        [
            "某工地夜间违规施工噪声扰民案",
            "某商户占道经营案",
            "某公司擅自设置户外广告案",
            "某单位渣土车未密闭运输案",
            "某餐馆油烟直排案",
            "某业主违法搭建案",
            "某小区物业未分类投放生活垃圾案",
            "某商铺乱张贴案",
        ],
    ),
    "区自然资源和规划分局": (
        "甬自然资规海罚",
        [
            "某村民非法占用耕地建房案",
            "某公司未批先建案",
            "某企业擅自改变土地用途案",
            "某个人非法采砂案",
            "某合作社违法占地案",
            "某公司超规划建设案",
        ],
    ),
    "区生态环境分局": (
        "甬环海罚",
        [
            "某印染厂超标排放废水案",
            "某汽修厂危险废物未规范贮存案",
            "某企业未批先建案",
            "某搅拌站扬尘污染案",
            "某电镀企业自动监测数据异常案",
            "某餐饮店噪声超标案",
        ],
    ),
    "区交通运输局": (
        "海交罚",
        [
            "某车主非法营运案",
            "某货运公司超限运输案",
            "某驾校未按规定教学案",
            "某网约车平台未取得许可案",
            "某维修厂未备案经营案",
            "某客运站安全检查不到位案",
        ],
    ),
    "区卫健局": (
        "海卫罚",
        [
            "某诊所超范围执业案",
            "某游泳馆水质不合格案",
            "某美容院非法行医案",
            "某宾馆未取得卫生许可案",
            "某医院医疗废物处置不规范案",
            "某托育机构卫生管理不到位案",
        ],
    ),
    "区应急管理局": (
        "海应急罚",
        [
            "某企业未按规定进行安全培训案",
            "某仓库违规存放危险化学品案",
            "某工厂未开展隐患排查案",
            "某加油站安全设施不完善案",
            "某企业特种作业人员无证上岗案",
            "某公司未制定应急预案案",
        ],
    ),
    "横街镇": (
        "横街综执罚",
        [
            "某村民违法建设案",
            "某商户占道经营案",
            "某企业焚烧垃圾案",
            "某农户违规养殖污染案",
            "某店铺乱堆物料案",
            "某工地扬尘未防治案",
        ],
    ),
    "石碶街道": (
        "石碶综执罚",
        [
            "某物流公司占道作业案",
            "某饭店油烟扰民案",
            "某商户擅自设置招牌案",
            "某工地未围挡施工案",
            "某住户破坏绿化案",
        ],
    ),
    "古林镇": (
        "古林综执罚",
        [
            "某企业违规排放案",
            "某商户无证经营案",
            "某村民私搭乱建案",
            "某厂房消防通道堵塞案",
            "某养殖场污染环境案",
        ],
    ),
}
HANDLERS = ["张伟、李娜", "王强、刘芳", "陈杰、赵敏", "杨洋、黄磊", "周涛、吴静", "徐明、孙丽", "马超、朱琳"]
NOTES = {
    "主体": ["决定书中执法主体名称与印章不一致", "笔录未载明执法证件号"],
    "事实证据": ["现场检查笔录缺少当事人签字确认", "照片证据未注明拍摄时间和地点", "违法所得计算依据不明确"],
    "法律适用": ["仅引用条文，未具体到款、项", "未引用本部门裁量基准"],
    "程序": ["告知书未载明陈述申辩期限", "送达回证缺少签收日期", "立案审批表缺负责人签字"],
    "裁量说理": ["决定书未说明从轻处罚的理由", "未回应当事人陈述申辩意见"],
    "文书": ["文书存在错别字2处", "询问笔录涂改处无当事人捺印"],
    "归档": ["卷内目录页码与实际不符", "归档超过规定期限"],
}


def _reviewers(units: dict[str, Unit]) -> list[User]:
    """inspector1 and inspector2, plus two more inspectors from other units (made if missing)."""
    users = {u.username: u for u in db.session.scalars(select(User).where(User.role == "inspector"))}
    chosen = [users["inspector1"], users["inspector2"]]
    taken_units = {u.unit_id for u in chosen}
    for user in sorted(users.values(), key=lambda u: u.id):
        if len(chosen) >= 4:
            break
        if (
            user.username.startswith("dcy")
            and user.active
            and user.unit_id
            and user.unit_id not in taken_units
        ):
            unit = db.session.get(Unit, user.unit_id)
            if unit is not None and unit.kind == "department" and unit.short_name not in UNIT_CASES:
                chosen.append(user)
                taken_units.add(user.unit_id)
    extra = [("pingcha1", "赵磊", "区住建局"), ("pingcha2", "孙婷", "区人力社保局")]
    for username, name, unit_short in extra:
        if len(chosen) >= 4:
            break
        user = User(
            username=username, display_name=name, role="inspector", unit_id=units[unit_short].id, active=True
        )
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        db.session.flush()
        chosen.append(user)
    return chosen


def _import(
    lead: User, campaign: ReviewCampaign, units: dict[str, Unit], year: int, rng: random.Random
) -> None:
    for unit in campaign.units:
        prefix, titles = UNIT_CASES[unit.short_name]
        rows = []
        for n, title in enumerate(titles, start=1):
            number = 10 * n + rng.randint(1, 9)
            decided = date(year - 1 if year == 2026 else year, 1, 10) + timedelta(days=rng.randint(0, 330))
            rows.append(
                (
                    n + 1,
                    {
                        "案号": f"{prefix}〔{decided.year}〕{number}号",
                        "案件名称": title,
                        "案件类型": "行政处罚",
                        "决定日期": decided.isoformat(),
                        "承办人": rng.choice(HANDLERS),
                    },
                )
            )
        if year == 2026:
            rows.append(
                (
                    len(rows) + 2,
                    {
                        "案号": f"{prefix[:-1]}许〔2025〕{rng.randint(10, 99)}号",
                        "案件名称": f"{unit.short_name}行政许可案卷",
                        "案件类型": "行政许可",
                        "决定日期": "2025-11-20",
                        "承办人": rng.choice(HANDLERS),
                    },
                )
            )
        casefile_svc.casefiles_import(actor=lead, campaign=campaign, unit_id=unit.id, rows=rows)


def _score(assignment: ReviewAssignment, rng: random.Random, quality: float, veto: bool = False) -> None:
    rubric = assignment.case_file.campaign.rubric
    entries, vetoes = {}, {}
    for item in rubric.items:
        if item.is_veto:
            continue
        if rng.random() < quality:
            entries[item.id] = scoring_svc.Entry(0, "")
        else:
            points = min(item.max_points, rng.choice([0.5, 1, 1, 2, 2, 3]))
            notes = [n for n in NOTES.get(item.category, []) if n[:2] in item.text] or [item.text]
            entries[item.id] = scoring_svc.Entry(
                points, f"{rng.choice(notes)}（见卷第 {rng.randint(3, 60)} 页）"
            )
    if veto:
        item = next(i for i in rubric.items if i.is_veto and "程序" in i.text)
        vetoes[item.id] = "作出较大数额罚款决定前未告知当事人听证权利"
    scoring_svc.assignment_save(
        actor=assignment.reviewer, assignment=assignment, entries=entries, vetoes=vetoes, submit=True
    )


def _assignments(campaign: ReviewCampaign) -> list[ReviewAssignment]:
    return list(
        db.session.scalars(
            select(ReviewAssignment)
            .join(CaseFile, CaseFile.id == ReviewAssignment.case_file_id)
            .where(CaseFile.campaign_id == campaign.id)
            .order_by(CaseFile.unit_id, CaseFile.case_number, ReviewAssignment.id)
        )
    )


@seeder
def seed_reviews() -> None:
    rubric, _ = rubric_svc.rubric_seed_default()
    units = {u.short_name: u for u in db.session.scalars(select(Unit))}
    lead = db.session.scalar(select(User).where(User.username == "lead"))
    reviewers = _reviewers(units)
    rng = random.Random(2026)

    # 2025: done and published.
    c2025 = campaign_svc.campaign_create(
        actor=lead,
        data={
            "year": 2025,
            "title": "2025年度行政执法案卷评查",
            "rubric_id": rubric.id,
            "case_types": ["行政处罚"],
            "sample_size": 2,
            "reviewers_per_file": 2,
            "divergence_margin": 10,
            "deadline": date(2025, 10, 31),
            "unit_ids": [
                units[s].id
                for s in (
                    "区市场监管局",
                    "区综合行政执法局",
                    "区自然资源和规划分局",
                    "区生态环境分局",
                    "横街镇",
                    "石碶街道",
                )
            ],
            "reviewer_ids": [u.id for u in reviewers],
        },
    )
    _import(lead, c2025, units, 2025, rng)
    campaign_svc.campaign_sample(actor=lead, campaign=c2025, seed=20250315)
    campaign_svc.campaign_assign(actor=lead, campaign=c2025)
    files: dict[int, list[ReviewAssignment]] = {}
    for a in _assignments(c2025):
        files.setdefault(a.case_file_id, []).append(a)
    for n, (_file_id, pair) in enumerate(files.items()):
        quality = 0.97 if n % 4 == 0 else (0.5 if n % 5 == 3 else 0.75)
        for k, a in enumerate(pair):
            _score(a, rng, quality, veto=(n == 5 and k == 1))
    for case_file in db.session.scalars(
        select(CaseFile).where(CaseFile.campaign_id == c2025.id, CaseFile.divergent.is_(True))
    ):
        totals = sorted(a.total for a in case_file.assignments)
        casefile_svc.casefile_settle(
            actor=lead,
            case_file=case_file,
            score=0 if totals[0] == 0 else totals[0],
            reason="经评查组集体复核，采纳较严格的评分意见。"
            if totals[0]
            else "经复核，未告知听证权利属实，触及否决项，案卷不合格。",
        )
    top = db.session.scalars(
        select(CaseFile)
        .where(CaseFile.campaign_id == c2025.id, CaseFile.grade == "优秀")
        .order_by(CaseFile.final_score.desc(), CaseFile.id)
        .limit(3)
    ).all()
    for case_file in top:
        if not any(a.veto_hit for a in case_file.assignments):
            casefile_svc.casefile_set_excellent(actor=lead, case_file=case_file, excellent=True)
    worst = db.session.scalar(
        select(CaseFile)
        .where(CaseFile.campaign_id == c2025.id, CaseFile.sampled.is_(True))
        .order_by(CaseFile.final_score, CaseFile.id)
        .limit(1)
    )
    if worst is not None:
        casefile_svc.findings_from_casefile(actor=lead, case_file=worst)
    campaign_svc.campaign_publish(actor=lead, campaign=c2025)

    # 2026: in review; some scored, some waiting for inspector1 and inspector2.
    c2026 = campaign_svc.campaign_create(
        actor=lead,
        data={
            "year": 2026,
            "title": "2026年度行政执法案卷交叉评查",
            "rubric_id": rubric.id,
            "case_types": ["行政处罚", "行政许可"],
            "sample_size": 2,
            "reviewers_per_file": 2,
            "divergence_margin": 10,
            "deadline": date(2026, 12, 20),
            "unit_ids": [
                units[s].id
                for s in ("区市场监管局", "区综合行政执法局", "区卫健局", "区应急管理局", "横街镇", "古林镇")
            ],
            "reviewer_ids": [u.id for u in reviewers],
        },
    )
    _import(lead, c2026, units, 2026, rng)
    campaign_svc.campaign_sample(actor=lead, campaign=c2026, seed=20260512)
    campaign_svc.campaign_assign(actor=lead, campaign=c2026)
    done_per_reviewer: dict[int, int] = {}
    for n, a in enumerate(_assignments(c2026)):
        seen = done_per_reviewer.get(a.reviewer_id, 0)
        # Each reviewer has finished about half of their files; the rest wait on their home page.
        if seen % 2 == 0:
            _score(a, rng, 0.9 if n % 3 else 0.7)
        done_per_reviewer[a.reviewer_id] = seen + 1
