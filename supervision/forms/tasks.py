"""Forms for supervision tasks, findings and the inspector pool. They validate; they never write."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..models import SEVERITIES, TASK_KINDS
from ..parsing import coerce_id
from . import SubmitOnce


class TaskForm(SubmitOnce, FlaskForm):
    title = StringField(_l("任务名称"), validators=[DataRequired(_l("请填写任务名称。")), Length(max=200)])
    kind = SelectField(
        _l("任务类型"), choices=list(TASK_KINDS.items()), validators=[InputRequired(_l("请选择任务类型。"))]
    )
    basis = TextAreaField(_l("依据"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    description = TextAreaField(
        _l("任务说明"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 4}
    )
    period_start = DateField(_l("开始日期"), validators=[InputRequired(_l("请填写开始日期。"))])
    period_end = DateField(_l("结束日期"), validators=[InputRequired(_l("请填写结束日期。"))])
    # Checkbox lists rendered by hand (600 units, 100 inspectors); checked by the service.
    unit_ids = SelectMultipleField(_l("被督察单位"), coerce=coerce_id, validate_choice=False)
    inspector_ids = SelectMultipleField(_l("督察员"), coerce=coerce_id, validate_choice=False)
    # The leader is a radio button in the inspector list (request.form["leader_id"]).
    version = HiddenField()


class FindingForm(SubmitOnce, FlaskForm):
    unit_id = SelectField(
        _l("问题所在单位"),
        coerce=coerce_id,
        validate_choice=False,
        validators=[InputRequired(_l("请选择问题所在单位。"))],
    )
    category = SelectField(
        _l("问题分类"), validate_choice=False, validators=[InputRequired(_l("请选择问题分类。"))]
    )
    severity = RadioField(_l("严重程度"), choices=list(SEVERITIES.items()), default="normal")
    description = TextAreaField(
        _l("发现的问题"),
        validators=[DataRequired(_l("请填写发现的问题。")), Length(max=5000)],
        render_kw={"rows": 5},
    )
    legal_basis = TextAreaField(
        _l("依据条款"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}
    )
    found_on = DateField(_l("发现日期"), validators=[InputRequired(_l("请填写发现日期。"))])
    # Optional: the indicator (示范创建指标) the finding bears on; shown on the unit's scorecard.
    indicator_id = SelectField(_l("对应的示范指标（可选）"), coerce=coerce_id, validate_choice=False)
    version = HiddenField()


class ProfileForm(FlaskForm):
    specialties = SelectMultipleField(_l("专业领域"), validate_choice=False)
    specialties_other = StringField(_l("其他专业领域"), validators=[Optional(), Length(max=100)])
    certificate_no = StringField(_l("证件编号"), validators=[Optional(), Length(max=60)])
    term_start = DateField(_l("任期开始"), validators=[Optional()])
    term_end = DateField(_l("任期结束"), validators=[Optional()])
    note = TextAreaField(_l("备注"), validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})
    version = HiddenField()


class CategoryForm(SubmitOnce, FlaskForm):
    name = StringField(_l("分类名称"), validators=[DataRequired(_l("请填写分类名称。")), Length(max=20)])
