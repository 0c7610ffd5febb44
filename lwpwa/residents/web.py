"""Printed sign-in cards for residents without a phone: a site lead mints blank codes and prints
them on A4, several cards a page, each with its QR code, its typed code and the week's title."""
from datetime import datetime

from flask import Blueprint, abort, flash, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from ..api.body import query_id
from ..campaigns.models import Campaign
from ..extensions import db
from ..orgs.models import Org
from ..web.access import role_required
from . import codes, qr, service
from .masking import mask_name

bp = Blueprint("residents_web", __name__)

MAX_CARDS = 200
CARDS_PER_PAGE = 8  # 2 × 4 on A4: each card about 95 × 68 mm, the QR code 40 mm wide


@bp.app_template_filter("masked")
def masked(name):
    """{{ person.display_name|masked }} wherever people are listed or printed inside a unit."""
    return mask_name(name)


class CardsForm(FlaskForm):
    count = IntegerField(
        _l("Number of cards"),
        default=CARDS_PER_PAGE,
        validators=[InputRequired(), NumberRange(min=1, max=MAX_CARDS)],
        render_kw={"min": 1, "max": MAX_CARDS, "inputmode": "numeric"},
    )


def _org_or_404():
    """The unit whose cards are printed: a site lead's own; for an admin, ?org=ID.
    Another unit answers 404, as everywhere, so that its id reveals nothing."""
    org_id = query_id("org") or current_user.org_id
    org = db.session.get(Org, org_id) if org_id else None
    if org is None or (current_user.role != "admin" and org.id != current_user.org_id):
        abort(404)
    return org


def campaign_for(org, now=None):
    """The activity week whose title goes on the cards: of the campaigns covering the unit's
    region, the one running now, else the next to come, else the latest."""
    code = org.region_code
    covering = db.session.scalars(
        select(Campaign).where(Campaign.region_code.in_({code[:2] + "0000", code[:4] + "00", code}))
    ).all()

    def today(campaign):
        return (now or datetime.now(campaign.zone)).astimezone(campaign.zone).date()

    running = [c for c in covering if c.starts_on <= today(c) <= c.ends_on]
    coming = sorted((c for c in covering if c.starts_on > today(c)), key=lambda c: c.starts_on)
    past = sorted(covering, key=lambda c: c.ends_on, reverse=True)
    for choice in (running, coming, past):
        if choice:
            return choice[0]
    return None


def card_view(code):
    return {
        "code": code.code,
        "grouped": codes.grouped(code.code),
        "svg": Markup(qr.svg(code.code, label=codes.grouped(code.code))),
    }


@bp.route("/org/cards", methods=["GET", "POST"])
@role_required("site_lead", "admin")
def cards():
    org = _org_or_404()
    form = CardsForm()
    cards = []
    if form.validate_on_submit():
        minted = service.mint_cards(org, form.count.data)
        cards = [card_view(code) for code in minted]
        flash(_("%(n)d blank cards made. Print this page on A4 paper, then cut along the lines.",
                n=len(cards)), "info")
    campaign = campaign_for(org)
    title = campaign.title if campaign else _("National Lifelong Learning Activity Week")
    pages = [cards[i:i + CARDS_PER_PAGE] for i in range(0, len(cards), CARDS_PER_PAGE)]
    response = make_response(render_template(
        "residents/cards.html", form=form, org=org, title=title, pages=pages, count=len(cards),
        max_cards=MAX_CARDS, per_page=CARDS_PER_PAGE))
    # A sheet of live codes: never kept in a shared browser's cache.
    response.headers["Cache-Control"] = "no-store"
    return response
