"""factory_boy factories; each call commits once, so that requests made by the test client see the rows.

The rows a call makes for its sub-factories (a user's unit, a finding's task) are committed with it,
in one flush at the end of the outermost call, not one commit each.
"""

from __future__ import annotations

import itertools
from datetime import date

import factory
from factory.alchemy import SQLAlchemyModelFactory

from supervision.extensions import db
from supervision.models import Finding, InspectorProfile, SupervisionTask, TaskInspector, Unit, User

PASSWORD = "Passw0rd!"
_seq = itertools.count(1)
_depth = 0  # factory calls under way: only the outermost one commits


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = None  # added to the session; committed by the outermost call

    @classmethod
    def _generate(cls, strategy, params):
        global _depth
        _depth += 1
        try:
            return super()._generate(strategy, params)
        finally:
            _depth -= 1

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create and _depth == 1:
            db.session.commit()


class UnitFactory(Base):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    short_name = factory.Sequence(lambda n: f"单位{n}")
    kind = "department"
    code = factory.Sequence(lambda n: f"T-{n:04d}")
    active = True


class UserFactory(Base):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = "inspector"
    unit = factory.SubFactory(UnitFactory)
    active = True
    password_hash = ""

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)  # before the commit: inserted with its hash


class TaskFactory(Base):
    class Meta:
        model = SupervisionTask

    code = factory.Sequence(lambda n: f"DC-2026-{n:03d}")
    title = factory.Sequence(lambda n: f"专项督察任务{n}")
    kind = "special"
    basis = "海法治办〔2026〕1号"
    description = ""
    period_start = date(2026, 3, 1)
    period_end = date(2026, 6, 30)
    year = 2026
    status = "active"


class TaskInspectorFactory(Base):
    class Meta:
        model = TaskInspector

    task = factory.SubFactory(TaskFactory)
    user = factory.SubFactory(UserFactory)
    is_leader = False


class FindingFactory(Base):
    class Meta:
        model = Finding

    task = factory.SubFactory(TaskFactory)
    unit = factory.SubFactory(UnitFactory)
    inspector = factory.SubFactory(UserFactory)
    category = "程序"
    severity = "normal"
    description = factory.Sequence(lambda n: f"问题描述{n}：未按规定履行告知程序")
    legal_basis = "《中华人民共和国行政处罚法》第四十四条"
    found_on = date(2026, 3, 1)  # the TaskFactory period start: before every test's today
    status = "open"


class InspectorProfileFactory(Base):
    class Meta:
        model = InspectorProfile

    user = factory.SubFactory(UserFactory)
    specialties = "法律"
    certificate_no = factory.Sequence(lambda n: f"浙督2026{n:04d}")
    term_start = date(2025, 1, 1)
    term_end = date(2027, 12, 31)
    note = ""


# --- notices -----------------------------------------------------------------------
from supervision.models import NoticeKind  # noqa: E402


class NoticeKindFactory(Base):
    class Meta:
        model = NoticeKind

    name = factory.Sequence(lambda n: f"执法监督通知书{n}")
    prefix = factory.Sequence(lambda n: f"海法督{'甲乙丙丁戊己庚辛壬癸'[n % 10]}{n // 10 or ''}")
    default_days = 15
    requires_rectification = True
    active = True
    sort = 0


# --- indicator frameworks and assessments -------------------------------------------


def framework_rows(
    areas: int = 2, per_area: int = 3, points: str = "", kinds: str = ""
) -> list[tuple[int, dict]]:
    """Rows of a three-level framework file as read_rows() returns them (row numbers from 2)."""
    rows, number = [], 2

    def add(level, code, parent, text, pts="", applies=""):
        nonlocal number
        rows.append(
            (
                number,
                {
                    "层级名称": level,
                    "编码": code,
                    "上级编码": parent,
                    "内容": text,
                    "分值": pts,
                    "评价方式": "资料审查",
                    "适用单位类型": applies,
                    "责任单位": "区司法局",
                },
            )
        )
        number += 1

    for a in range(1, areas + 1):
        add("一级指标", str(a), "", f"领域{a}")
        add("二级指标", f"{a}.1", str(a), f"领域{a}的二级指标")
        for j in range(1, per_area + 1):
            add(
                "三级指标",
                f"{a}.1.{j}",
                f"{a}.1",
                f"指标{a}.1.{j}：报备率、及时率、规范率均达100%",
                points,
                kinds,
            )
    return rows


def make_framework(name: str | None = None, **kwargs):
    from supervision.services.frameworks import framework_import

    return framework_import(
        actor=None, name=name or f"测试指标体系{next(_seq)}", rows=framework_rows(**kwargs)
    )


# --- one factory for each record a workflow machine governs (tests/test_workflow.py) -----------
from supervision.models import (  # noqa: E402
    Assessment,
    AssessmentRound,
    CaseFile,
    Framework,
    Indicator,
    Notice,
    NoticeItem,
    ReviewAssignment,
    ReviewCampaign,
    RoadmapItem,
    Rubric,
)


class NoticeFactory(Base):
    class Meta:
        model = Notice

    kind = factory.SubFactory(NoticeKindFactory)
    unit = factory.SubFactory(UnitFactory)
    title = factory.Sequence(lambda n: f"关于行政执法问题的整改通知{n}")
    time_limit_days = 15
    status = "draft"


class NoticeItemFactory(Base):
    class Meta:
        model = NoticeItem

    notice = factory.SubFactory(NoticeFactory)
    finding = factory.SubFactory(FindingFactory, unit=factory.SelfAttribute("..notice.unit"))
    requirement = "逐件补正案卷，完善告知程序。"
    status = "pending"


class RubricFactory(Base):
    class Meta:
        model = Rubric

    name = factory.Sequence(lambda n: f"行政执法案卷评查标准{n}")


class ReviewCampaignFactory(Base):
    class Meta:
        model = ReviewCampaign

    year = 2026
    title = factory.Sequence(lambda n: f"2026年度案卷评查{n}")
    rubric = factory.SubFactory(RubricFactory)
    case_types = ["行政处罚"]
    status = "draft"


class CaseFileFactory(Base):
    class Meta:
        model = CaseFile

    campaign = factory.SubFactory(ReviewCampaignFactory, status="reviewing")
    unit = factory.SubFactory(UnitFactory)
    case_number = factory.Sequence(lambda n: f"海综执罚〔2026〕{n}号")
    case_type = "行政处罚"
    title = factory.Sequence(lambda n: f"违法占道经营案{n}")
    sampled = True


class ReviewAssignmentFactory(Base):
    class Meta:
        model = ReviewAssignment

    case_file = factory.SubFactory(CaseFileFactory)
    reviewer = factory.SubFactory(UserFactory)
    status = "assigned"


class FrameworkFactory(Base):
    class Meta:
        model = Framework

    name = factory.Sequence(lambda n: f"法治政府建设指标体系{n}")
    year = 2026


class IndicatorFactory(Base):
    class Meta:
        model = Indicator

    framework = factory.SubFactory(FrameworkFactory)
    code = factory.Sequence(lambda n: f"1.1.{n}")
    level = 3
    text = "规范性文件报备率达100%"
    max_points = 2


class AssessmentRoundFactory(Base):
    class Meta:
        model = AssessmentRound

    year = 2026
    framework = factory.SubFactory(FrameworkFactory)
    title = factory.Sequence(lambda n: f"2026年度自评{n}")
    status = "open"


class AssessmentFactory(Base):
    class Meta:
        model = Assessment

    round = factory.SubFactory(AssessmentRoundFactory)
    unit = factory.SubFactory(UnitFactory)
    status = "draft"


class RoadmapItemFactory(Base):
    class Meta:
        model = RoadmapItem

    indicator = factory.SubFactory(IndicatorFactory)
    unit = factory.SubFactory(UnitFactory)
    year = 2026
    measure = "建立规范性文件报备台账"
    owner = "区司法局"
    due_date = date(2026, 12, 31)
    status = "planned"
