"""Province administration: campaigns, units and bureau accounts inside the user's province
(a province bureau), or anywhere (an admin). A city bureau gets 403; a region outside the
user's province is not offered, and a forged one is refused."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from wtforms import SelectChoice

from ..accounts.models import User
from ..accounts.service import AccountError, create_user
from ..campaigns.models import Campaign
from ..extensions import db
from ..orgs.models import Org
from ..regions.models import Region
from ..reports.table import proposed_table_title
from ..web.access import role_required
from .forms import ORG_KIND_LABELS, BureauAccountForm, CampaignForm, OrgForm

bp = Blueprint("bureau_admin", __name__, url_prefix="/admin")
RECENT = 100


def province_scope():
    """The province the user administers (None for an admin: everything); 403 for a city bureau."""
    if current_user.role == "admin":
        return None
    if current_user.region is None or current_user.region.level != "province":
        abort(403)
    return current_user.region


def regions_in_scope(levels):
    province = province_scope()
    query = select(Region).where(Region.level.in_(levels), Region.current.is_(True)).order_by(Region.code)
    if province is not None:
        query = query.where(Region.code.like(province.prefix + "%"))
    return db.session.scalars(query).all()


def region_choices(levels):
    indent = {"province": "", "city": "· ", "district": "· · "}
    return [SelectChoice(r.code, f"{indent[r.level]}{r.name} ({r.code})") for r in regions_in_scope(levels)]


def _prefix_clause(column):
    province = province_scope()
    return column.like(province.prefix + "%") if province is not None else column.is_not(None)


@bp.get("/")
@role_required("bureau", "admin")
def index():
    province = province_scope()
    campaigns = db.session.scalars(
        select(Campaign).where(_prefix_clause(Campaign.region_code))
        .order_by(Campaign.starts_on.desc(), Campaign.id.desc())).all()
    units = db.session.execute(
        select(Org, Region.name).join(Region, Region.code == Org.region_code)
        .where(_prefix_clause(Org.region_code)).order_by(Org.created_at.desc(), Org.id.desc()).limit(RECENT)).all()
    unit_count = db.session.scalar(select(func.count()).select_from(Org).where(_prefix_clause(Org.region_code)))
    accounts = db.session.execute(
        select(User, Region.name).join(Region, Region.code == User.region_code)
        .where(User.role == "bureau", _prefix_clause(User.region_code)).order_by(User.region_code, User.username)).all()
    # Regions by name, not by code (the code stays beside it for those who know them).
    region_names = dict(db.session.execute(
        select(Region.code, Region.name).where(Region.code.in_({c.region_code for c in campaigns}))).all())
    return render_template("bureau/admin/index.html", province=province, campaigns=campaigns, units=units,
                           unit_count=unit_count, accounts=accounts, kinds=ORG_KIND_LABELS,
                           region_names=region_names)


@bp.route("/campaigns/new", methods=["GET", "POST"])
@role_required("bureau", "admin")
def new_campaign():
    form = CampaignForm()
    form.region.choices = region_choices(("province", "city"))
    if request.method == "GET" and not form.table_title.data:
        province = province_scope()
        form.table_title.data = proposed_table_title(province.name if province else "", date.today().year)
    if form.validate_on_submit():
        campaign = Campaign(title=form.title.data, slogan=form.slogan.data or None, region_code=form.region.data,
                            table_title=form.table_title.data or "",
                            timezone=form.timezone.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                            plan_due_on=form.plan_due_on.data, report_due_on=form.report_due_on.data)
        if _added(campaign):
            flash(_("The activity week “%(title)s” is created.", title=campaign.title), "info")
            return redirect(url_for(".index"))
        form.title.errors.append(_("A week with this title already exists in this region."))
    return _form_page(form, _("New activity week"), "campaign")


@bp.route("/units/new", methods=["GET", "POST"])
@role_required("bureau", "admin")
def new_unit():
    form = OrgForm()
    form.region.choices = region_choices(("province", "city", "district"))
    if form.validate_on_submit():
        org = Org(name=form.name.data, region_code=form.region.data, kind=form.kind.data,
                  lead_name=form.lead_name.data or None, reporter_name=form.reporter_name.data or None,
                  phone=form.phone.data or None)
        if _added(org):
            flash(_("The unit “%(name)s” is created.", name=org.name), "info")
            return redirect(url_for(".index"))
        form.name.errors.append(_("A unit with this name already exists in this region."))
    return _form_page(form, _("New unit"), "unit")


@bp.route("/accounts/new", methods=["GET", "POST"])
@role_required("bureau", "admin")
def new_account():
    form = BureauAccountForm()
    # A province creates its cities' and counties' bureaus; an admin also provinces'.
    form.region.choices = region_choices(("city", "district") if province_scope() else ("province", "city", "district"))
    if form.validate_on_submit():
        try:
            user = create_user(form.username.data, form.password.data, "bureau", region_code=form.region.data)
        except AccountError as exc:
            form.username.errors.append(str(exc))
        else:
            flash(_("The bureau account %(name)s is created.", name=user.username), "info")
            return redirect(url_for(".index"))
    return _form_page(form, _("New bureau account"), "account")


def _added(row):
    """Add `row`; False when a unique constraint refuses it (the database decides, no look-up)."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return False
    return True


def _form_page(form, title, kind):
    status = 400 if form.is_submitted() else 200
    return render_template("bureau/admin/form.html", form=form, title=title, kind=kind), status
