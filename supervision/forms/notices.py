"""Forms for notices, reports, extensions, escalations, notice kinds and holidays."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..models import ESCALATION_KINDS
from ..parsing import coerce_id, finite
from . import SubmitOnce


class NoticeDraftForm(SubmitOnce, FlaskForm):
    """The notice's own fields; the items (finding + requirement) come as `finding` / `requirement-<id>`."""

    kind_id = SelectField(
        _l("通知书种类"),
        coerce=coerce_id,
        validate_choice=False,
        validators=[InputRequired(_l("请选择通知书种类。"))],
    )
    title = StringField(_l("标题"), validators=[DataRequired(_l("请填写标题。")), Length(max=200)])
    intro = TextAreaField(_l("开头语"), validators=[Optional(), Length(max=2000)])
    requirements = TextAreaField(_l("其他要求"), validators=[Optional(), Length(max=4000)])
    time_limit_days = IntegerField(
        _l("整改期限（工作日）"),
        validators=[Optional(), finite, NumberRange(1, 250, _l("期限应为 1 至 250 个工作日。"))],
    )
    fixed_deadline = DateField(_l("或指定截止日期"), validators=[Optional()])
    cc = StringField(_l("抄送"), validators=[Optional(), Length(max=500)])
    version = HiddenField()


class ReportForm(FlaskForm):
    measures = TextAreaField(_l("整改措施及成效"), validators=[Optional(), Length(max=5000)])
    completed_on = DateField(_l("完成日期"), validators=[Optional()])


class ExtensionForm(SubmitOnce, FlaskForm):
    requested_deadline = DateField(_l("申请延期至"), validators=[Optional()])
    reason = TextAreaField(_l("延期理由"), validators=[Optional(), Length(max=2000)])


class ExtensionDecisionForm(FlaskForm):
    decision = SelectField(
        _l("审批意见"),
        choices=[("approve", _l("同意延期")), ("reject", _l("不同意延期"))],
        validators=[InputRequired(_l("请选择审批意见。"))],
    )
    new_deadline = DateField(_l("新截止日期"), validators=[Optional()])
    note = StringField(_l("意见说明"), validators=[Optional(), Length(max=500)])


class EscalationForm(SubmitOnce, FlaskForm):
    kind = SelectField(
        _l("督办措施"),
        choices=list(ESCALATION_KINDS.items()),
        validators=[InputRequired(_l("请选择督办措施。"))],
    )
    on_date = DateField(_l("实施日期"), validators=[Optional()])
    note = StringField(_l("情况说明"), validators=[Optional(), Length(max=1000)])


class NoticeKindForm(SubmitOnce, FlaskForm):
    name = StringField(_l("种类名称"), validators=[DataRequired(_l("请填写种类名称。")), Length(max=40)])
    prefix = StringField(_l("机关代字"), validators=[DataRequired(_l("请填写机关代字。")), Length(max=20)])
    default_days = IntegerField(
        _l("默认期限（工作日）"),
        validators=[DataRequired(_l("请填写默认期限。")), finite, NumberRange(1, 250)],
    )
    requires_rectification = BooleanField(_l("需要报送整改报告"))
    closing = TextAreaField(_l("结尾语"), validators=[Optional(), Length(max=500)])
    issuing_authority = StringField(_l("发文机关标志"), validators=[Optional(), Length(max=100)])
    signature = StringField(_l("发文机关署名"), validators=[Optional(), Length(max=100)])
    seal_owner = StringField(_l("用印机关"), validators=[Optional(), Length(max=100)])
    default_cc = StringField(_l("默认抄送"), validators=[Optional(), Length(max=500)])
    masthead_offset_mm = IntegerField(
        _l("发文机关标志距版心上边缘（毫米）"),
        validators=[Optional(), finite, NumberRange(0, 80)],
        default=35,
    )
    active = BooleanField(_l("在用"), default=True)
    sort = IntegerField(_l("排序"), validators=[Optional(), finite, NumberRange(0, 9999)], default=0)
    version = HiddenField()


class HolidayForm(FlaskForm):
    day = DateField(_l("日期"), validators=[DataRequired(_l("请填写日期。"))])
    # adding only: the last day of a range entered at once (e.g. 10月1日至7日 国庆节)
    last_day = DateField(_l("至（可选）"), validators=[Optional()])
    name = StringField(_l("名称"), validators=[DataRequired(_l("请填写名称。")), Length(max=60)])
    is_workday = BooleanField(_l("调休上班（该日为工作日）"))
    version = HiddenField()


class HolidayNoticeForm(FlaskForm):
    """The 国务院办公厅 notice pasted in; `save` is set on the preview's 保存 button."""

    year = IntegerField(
        _l("年度"), validators=[DataRequired(_l("请填写年度。")), finite, NumberRange(1901, 2099)]
    )
    text = TextAreaField(
        _l("通知正文"), validators=[DataRequired(_l("请粘贴通知的正文。")), Length(max=20000)]
    )
    save = HiddenField()


class CalendarYearForm(FlaskForm):
    source = StringField(_l("依据（可选）"), validators=[Optional(), Length(max=120)])
