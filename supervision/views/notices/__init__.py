"""Notices (通知书): one blueprint; a module per screen family. Notice kinds and the holiday
calendar are administration (views/admin/)."""

from flask import Blueprint

bp = Blueprint("notices", __name__, url_prefix="/notices")

from . import detail, drafting, lists, panels, responses  # noqa: E402,F401  (routes register on bp)
