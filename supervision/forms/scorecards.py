"""Forms for frameworks, assessment rounds and the roadmap. They validate; they never write."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..limits import TEXT_MAX
from ..models import UNIT_KINDS
from ..parsing import coerce_id, finite
from . import SubmitOnce


class FrameworkImportForm(FlaskForm):
    name = StringField(
        _l("指标体系名称"), validators=[DataRequired(_l("请填写指标体系名称。")), Length(max=120)]
    )
    year = IntegerField(
        _l("版本年份"), validators=[Optional(), finite, NumberRange(2000, 2100, _l("年份不正确。"))]
    )
    description = TextAreaField(_l("说明"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    file = FileField(_l("文件（.xlsx 或 .csv）"), validators=[FileRequired(_l("请选择要导入的文件。"))])


class IndicatorForm(FlaskForm):
    text = TextAreaField(
        _l("指标内容"),
        validators=[DataRequired(_l("请填写指标内容。")), Length(max=TEXT_MAX)],
        render_kw={"rows": 3},
    )
    max_points = StringField(_l("分值"), validators=[Length(max=20)])
    method = StringField(_l("评价方式"), validators=[Optional(), Length(max=200)])
    kinds = SelectMultipleField(_l("适用单位类型"), choices=list(UNIT_KINDS.items()))
    responsible = StringField(_l("责任单位"), validators=[Optional(), Length(max=300)])


class RoundForm(SubmitOnce, FlaskForm):
    year = IntegerField(
        _l("年度"), validators=[InputRequired(_l("请填写年度。")), finite, NumberRange(2000, 2100)]
    )
    framework_id = SelectField(
        _l("指标体系"),
        coerce=coerce_id,
        validate_choice=False,
        validators=[InputRequired(_l("请选择指标体系。"))],
    )
    title = StringField(_l("轮次名称"), validators=[DataRequired(_l("请填写轮次名称。")), Length(max=200)])
    deadline = DateField(_l("自评截止日期"), validators=[Optional()])
    all_units = BooleanField(_l("全部在用单位"), default=True)
    unit_ids = SelectMultipleField(_l("参加单位"), coerce=coerce_id, validate_choice=False)


class RoadmapForm(SubmitOnce, FlaskForm):
    measure = TextAreaField(
        _l("整改措施"),
        validators=[DataRequired(_l("请填写整改措施。")), Length(max=5000)],
        render_kw={"rows": 3},
    )
    owner = StringField(
        _l("责任人（科室）"), validators=[DataRequired(_l("请填写责任人。")), Length(max=100)]
    )
    due_date = DateField(_l("完成时限"), validators=[InputRequired(_l("请填写完成时限。"))])
    progress = TextAreaField(_l("进展情况"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 2})
    version = HiddenField()
