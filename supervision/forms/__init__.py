"""WTForms per area. Forms validate input; they never write to the database."""

from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """An empty form: a POST button with its CSRF token."""
