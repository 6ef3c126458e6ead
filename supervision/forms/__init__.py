"""WTForms per area. Forms validate input; they never write to the database."""

import secrets

from flask_wtf import FlaskForm
from wtforms import HiddenField


class ActionForm(FlaskForm):
    """An empty form: a POST button with its CSRF token."""


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


class SubmitOnce:
    """Mixin for create forms: a one-time token made when the form is rendered, so that a double
    click or a resent POST creates the record once (see views.helpers.submit_once). Hand-written
    forms carry the same field through the `once_field()` macro."""

    form_token = HiddenField(default=new_form_token)
