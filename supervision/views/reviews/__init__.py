"""Case-file review (案卷评查): one blueprint, a module per screen family.

campaigns (index, set-up, the campaign page, its steps and exports), files (case-file lists and one
file's page), assignments (scoring), rubrics, and panels (the home-page panels).
"""

from flask import Blueprint, redirect, url_for

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

READ_CAPS = ("reviews.read_all", "reviews.score", "reviews.read_own_unit")


def redirect_campaign(campaign_id: int):
    return redirect(url_for("reviews.campaign_detail", campaign_id=campaign_id))


def redirect_file(file_id: int):
    return redirect(url_for("reviews.file_detail", file_id=file_id))


from . import assignments, campaigns, files, panels, rubrics  # noqa: E402,F401  (routes register on bp)
