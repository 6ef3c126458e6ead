"""Forms for case-file review: campaigns, imports, sampling seed, reasons, settling, reassigning."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..models import CASE_TYPES
from ..parsing import coerce_id, finite
from . import SubmitOnce


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CampaignForm(SubmitOnce, FlaskForm):
    year = IntegerField(
        _l("年度"), validators=[InputRequired(_l("请填写年度。")), finite, NumberRange(2000, 2100)]
    )
    title = StringField(_l("活动名称"), validators=[DataRequired(_l("请填写活动名称。")), Length(max=200)])
    rubric_id = SelectField(
        _l("评查标准"), coerce=coerce_id, validators=[InputRequired(_l("请选择评查标准。"))]
    )
    case_types = MultiCheckboxField(_l("案件类型"), choices=[(t, t) for t in CASE_TYPES])
    sample_size = IntegerField(
        _l("每个单位每类案件抽取卷数"), default=2, validators=[InputRequired(), finite, NumberRange(1, 200)]
    )
    reviewers_per_file = IntegerField(
        _l("每卷评查人数"), default=2, validators=[InputRequired(), finite, NumberRange(1, 5)]
    )
    divergence_margin = DecimalField(
        _l("分差阈值（分）"), default=10, places=1, validators=[InputRequired(), finite, NumberRange(0, 100)]
    )
    deadline = DateField(_l("评查截止日期"), validators=[Optional()])
    unit_ids = MultiCheckboxField(_l("被评查单位"), coerce=coerce_id, validate_choice=False)
    reviewer_ids = MultiCheckboxField(_l("评查人员"), coerce=coerce_id, validate_choice=False)
    version = HiddenField()


class CaseFileImportForm(FlaskForm):
    unit_id = SelectField(_l("单位"), coerce=coerce_id, validators=[InputRequired(_l("请选择单位。"))])
    file = FileField(_l("案卷清单（.xlsx 或 .csv）"), validators=[FileRequired(_l("请选择要导入的文件。"))])


class SampleForm(FlaskForm):
    seed = IntegerField(_l("随机种子（可选）"), validators=[Optional(), finite, NumberRange(0, 2**31 - 1)])


class SettleForm(FlaskForm):
    score = DecimalField(
        _l("裁定得分"),
        places=1,
        validators=[InputRequired(_l("请填写裁定得分。")), finite, NumberRange(0, 100)],
    )
    reason = TextAreaField(
        _l("裁定理由"), validators=[DataRequired(_l("请填写裁定理由。")), Length(max=1000)]
    )


class ReassignForm(FlaskForm):
    reviewer_id = SelectField(
        _l("改派给"), coerce=coerce_id, validators=[InputRequired(_l("请选择评查人员。"))]
    )


class RubricImportForm(SubmitOnce, FlaskForm):
    name = StringField(_l("标准名称（留空则用文件中的名称）"), validators=[Optional(), Length(max=120)])
    file = FileField(_l("评查标准文件（.xlsx）"), validators=[FileRequired(_l("请选择要导入的文件。"))])
