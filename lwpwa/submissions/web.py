"""The verify page for people: type a 校验码, or upload a downloaded .xlsx to have every cell
checked against the version it names (the same checks as GET/POST /api/v1/submissions/verify)."""
from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from ..errors import ValidationError
from ..web.access import role_required
from . import verify as verification
from .api import may_verify
from .declarations import VerifyQuery

bp = Blueprint("submissions_web", __name__, url_prefix="/submissions")
SIGNED_IN = ("volunteer", "site_lead", "bureau", "admin")


class FileForm(FlaskForm):
    file = FileField(_l("A downloaded statistics table (.xlsx)"), validators=[FileRequired()])


@bp.route("/verify", methods=["GET", "POST"])
@role_required(*SIGNED_IN)
def verify():
    fingerprint = (request.args.get("fingerprint") or "").strip()
    form = FileForm()
    found = checked = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            checked = verification.check_file(form.file.data.read(), may_verify(current_user))
        else:
            status = 400
    elif fingerprint:
        try:  # the API's own reading of a fingerprint (case, spaces around it)
            fingerprint = VerifyQuery.check({"fingerprint": fingerprint}).fingerprint
        except ValidationError:
            pass  # not one: no table has it
        else:
            found = verification.by_fingerprint(fingerprint, may_verify(current_user))
        status = 200 if found else 404
    return render_template("submissions/verify.html", fingerprint=fingerprint, found=found, checked=checked,
                           form=form), status
