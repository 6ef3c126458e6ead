"""Serving attachments: only through here, only to users who may see the owning record."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, abort, request, send_file
from flask_login import current_user, login_required

from ..extensions import db
from ..models import Attachment
from ..permissions import attachment_owner_for_user
from ..services.attachments import attachment_key
from ..storage import storage

bp = Blueprint("files", __name__, url_prefix="/files")


@bp.route("/<int:attachment_id>")
@login_required
def download(attachment_id: int):
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None:
        abort(404)
    if attachment_owner_for_user(current_user, attachment.owner_type, attachment.owner_id) is None:
        abort(404)
    try:
        stream = storage().open(attachment_key(attachment))  # a local file or the bucket's body, streamed
    except FileNotFoundError:
        abort(404)
    # Photos may be shown inline (thumbnails); their type was sniffed from the content.
    inline = attachment.is_image and request.args.get("inline") == "1"
    response = send_file(stream, mimetype=attachment.mime, max_age=0)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=file.{attachment.kind}; filename*=UTF-8''{quote(attachment.original_name)}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
