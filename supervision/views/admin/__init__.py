"""Administration: one blueprint, a module per resource."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import audit, units, users  # noqa: E402,F401  (routes register on bp)
