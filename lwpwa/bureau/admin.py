"""Province administration: campaigns, units and bureau accounts inside the user's province."""
from flask import Blueprint, abort, render_template
from flask_login import current_user

from ..web.access import role_required

bp = Blueprint("bureau_admin", __name__, url_prefix="/admin")


def province_scope():
    """The province the user administers (None for an admin: everything); 403 for a city bureau."""
    if current_user.role == "admin":
        return None
    if current_user.region is None or current_user.region.level != "province":
        abort(403)
    return current_user.region


@bp.get("/")
@role_required("bureau", "admin")
def index():
    province_scope()
    return render_template("bureau/admin/index.html")
