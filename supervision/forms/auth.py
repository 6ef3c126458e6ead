from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..limits import PASSWORD_MAX

_PASSWORD_LENGTH = Length(max=PASSWORD_MAX, message=_l("密码最多 %(max)d 个字符。"))


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(_l("请输入用户名。")), Length(max=60)])
    password = PasswordField(_l("密码"), validators=[DataRequired(_l("请输入密码。")), _PASSWORD_LENGTH])


class PasswordChangeForm(FlaskForm):
    current = PasswordField(
        _l("当前密码"), validators=[DataRequired(_l("请输入当前密码。")), _PASSWORD_LENGTH]
    )
    new = PasswordField(_l("新密码"), validators=[DataRequired(_l("请输入新密码。")), _PASSWORD_LENGTH])
    confirm = PasswordField(
        _l("确认新密码"), validators=[DataRequired(_l("请再次输入新密码。")), _PASSWORD_LENGTH]
    )


class ApiTokenForm(FlaskForm):
    name = StringField(_l("令牌名称"), validators=[DataRequired(_l("请填写令牌名称。")), Length(max=60)])
    scope = SelectField(
        _l("权限范围"), choices=[("read", _l("只读")), ("read-write", _l("读写"))], default="read"
    )
    days = IntegerField(
        _l("有效期（天）"),
        default=90,
        validators=[Optional(), NumberRange(min=1, max=366, message=_l("有效期应为 1 至 366 天。"))],
    )
