from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from ..limits import PASSWORD_MAX
from ..models import ROLES, UNIT_KINDS
from ..parsing import coerce_id
from . import SubmitOnce


class UnitForm(SubmitOnce, FlaskForm):
    name = StringField(_l("单位名称"), validators=[DataRequired(_l("请填写单位名称。")), Length(max=100)])
    short_name = StringField(_l("简称"), validators=[Optional(), Length(max=40)])
    kind = SelectField(
        _l("单位类型"), choices=list(UNIT_KINDS.items()), validators=[InputRequired(_l("请选择单位类型。"))]
    )
    code = StringField(_l("单位编码"), validators=[Optional(), Length(max=40)])
    version = HiddenField()


class UserForm(SubmitOnce, FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请填写用户名。")), Length(max=60)])
    display_name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名。")), Length(max=60)])
    role = SelectField(
        _l("角色"), choices=list(ROLES.items()), validators=[InputRequired(_l("请选择角色。"))]
    )
    unit_id = SelectField(_l("所属单位"), coerce=coerce_id, validate_choice=False)
    phone = StringField(_l("电话"), validators=[Optional(), Length(max=30)])
    email = StringField(_l("邮箱"), validators=[Optional(), Email(_l("邮箱格式不正确。")), Length(max=120)])
    password = PasswordField(_l("初始密码"), validators=[Length(max=PASSWORD_MAX)])
    version = HiddenField()


class ImportForm(FlaskForm):
    file = FileField(_l("文件（.xlsx 或 .csv）"), validators=[FileRequired(_l("请选择要导入的文件。"))])


class UploadForm(FlaskForm):
    files = FileField(_l("附件"), render_kw={"multiple": True})
