"""Printed cards for residents without a phone: a site lead prints a sheet of blank codes; a
card counts from its first scan; a profile may be attached later, only by the card's unit."""
import re
from datetime import date, datetime

import pytest
from conftest import ZONE, checkin, sync_body
from qr_images import decode_png, rasterize_svg

from lwpwa.campaigns.models import Campaign
from lwpwa.extensions import db
from lwpwa.residents import codes
from lwpwa.residents import service as residents
from lwpwa.residents.models import Resident, SignInCode
from lwpwa.residents.web import campaign_for

SVG = re.compile(r"<svg\b.*?</svg>", re.S)
CARD = re.compile(r'<article class="print-card" data-code="([0-9A-Z]+)">(.*?)</article>', re.S)


def csrf_token(client, path="/"):
    """The session's CSRF token, from the login form or, once signed in, the sign-out form."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*? value="([^"]+)"', html).group(1)


def sign_in(client, user):
    response = client.post("/login", data={"username": user.username, "password": "correct horse battery",
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302


def print_cards(client, count, path="/org/cards"):
    return client.post(path, data={"count": count, "csrf_token": csrf_token(client)})


def card_count():
    return db.session.query(Resident).filter_by(source="card").count()


@pytest.mark.parametrize("count", [1, 8, 13])
def test_a_sheet_of_n_cards_holds_n_decodable_codes(client, unit, count):
    sign_in(client, unit.lead)
    response = print_cards(client, count)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    cards = CARD.findall(html)
    assert len(cards) == count
    minted = {c.code for c in db.session.query(SignInCode).join(Resident).filter(
        Resident.source == "card", Resident.org_id == unit.org.id)}
    assert {code for code, _inner in cards} == minted and len(minted) == count
    for code, inner in cards:
        (svg,) = SVG.findall(inner)
        assert decode_png(rasterize_svg(svg)) == [(code, "Q")]  # the QR code holds the card's code
        assert codes.grouped(code) in inner  # the typed code, in groups of four
        assert unit.campaign.title in inner
    # 8 cards to an A4 page.
    assert html.count('class="card-sheet"') == -(-count // 8)
    assert response.headers["Cache-Control"] == "no-store"


def test_cards_have_no_personal_data_and_count_from_the_first_scan(client, unit):
    sign_in(client, unit.lead)
    html = print_cards(client, 2).get_data(as_text=True)
    code = CARD.findall(html)[0][0]
    person = db.session.query(Resident).join(SignInCode).filter(SignInCode.code == code).one()
    assert (person.source, person.org_id, person.display_name, person.age_group, person.community,
            person.key_hash) == ("card", unit.org.id, None, None, None, None)
    response = client.post("/api/v1/sync", json=sync_body([checkin(unit.activity.id, code=code)]),
                           headers=unit.headers)
    assert response.get_json()["results"][0]["status"] == "accepted"


def test_the_sheet_obeys_the_content_security_policy(client, unit):
    sign_in(client, unit.lead)
    response = print_cards(client, 3)
    html = response.get_data(as_text=True)
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]
    assert "style=" not in html and "<style" not in html
    # The only script is a file of our own (the print button): nothing inline.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/print-button.js" defer>']
    assert "/static/css/cards.css" in html
    response = client.get("/static/css/cards.css")
    css = response.get_data(as_text=True)
    response.close()
    assert "@page" in css and "A4" in css


def test_the_form_needs_csrf(client, unit):
    sign_in(client, unit.lead)
    response = client.post("/org/cards", data={"count": 5})
    assert response.status_code == 400
    assert card_count() == 0


@pytest.mark.parametrize("count", [0, 201, -1, "", "many", 2.5])
def test_from_1_to_200_cards(client, unit, count):
    sign_in(client, unit.lead)
    response = print_cards(client, count)
    assert response.status_code == 200
    assert 'class="field-error"' in response.get_data(as_text=True)
    assert card_count() == 0


def test_200_cards_on_25_pages(client, unit):
    sign_in(client, unit.lead)
    html = print_cards(client, 200).get_data(as_text=True)
    assert len(CARD.findall(html)) == 200 and html.count('class="card-sheet"') == 25
    assert card_count() == 200


def test_only_site_leads_and_admins_print_cards(client, make, unit):
    assert client.get("/org/cards").status_code == 302  # sign in first
    for user in (unit.volunteer, make.user("bureau", region_code="140100")):
        sign_in(client, user)
        assert client.get("/org/cards").status_code == 403
        client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert card_count() == 0


def test_a_site_lead_prints_for_their_own_unit_only(client, make, unit):
    other = make.org()
    sign_in(client, unit.lead)
    assert client.get(f"/org/cards?org={other.id}").status_code == 404
    response = print_cards(client, 2, path=f"/org/cards?org={other.id}")
    assert response.status_code == 404
    assert card_count() == 0
    assert client.get(f"/org/cards?org={unit.org.id}").status_code == 200


def test_an_admin_prints_for_any_unit_named(client, make, unit):
    sign_in(client, make.user("admin"))
    assert client.get("/org/cards").status_code == 404  # no unit of their own
    assert client.get("/org/cards?org=999999").status_code == 404
    response = print_cards(client, 1, path=f"/org/cards?org={unit.org.id}")
    assert len(CARD.findall(response.get_data(as_text=True))) == 1
    assert db.session.query(Resident).filter_by(source="card").one().org_id == unit.org.id


def test_the_title_is_the_campaign_running_now_else_the_next_else_the_latest(make, unit):
    org = unit.org  # in 140105, Taiyuan; unit.campaign covers Shanxi and runs now
    assert campaign_for(org).id == unit.campaign.id
    shandong = make.campaign(region_code="370000")
    assert campaign_for(make.org(region_code="370102")).id == shandong.id
    assert campaign_for(make.org(region_code="140100")).id == unit.campaign.id
    later = datetime(2099, 1, 1, tzinfo=ZONE)
    assert campaign_for(org, now=later).id == unit.campaign.id  # the latest, once all are over
    future = make.campaign(starts_on=date(2099, 10, 1))
    assert campaign_for(org, now=later).id == future.id  # the next to come
    covering = db.session.query(Campaign).filter(Campaign.region_code == "140000").all()
    earliest = min(covering, key=lambda c: c.starts_on)
    assert campaign_for(org, now=datetime(1999, 1, 1, tzinfo=ZONE)).id == earliest.id


# --- a profile attached to a card at a later visit -----------------------------------------

def profile(client, code, headers, **body):
    return client.post(f"/api/v1/cards/{code}/profile", json=body, headers=headers)


def test_a_volunteer_of_the_issuing_unit_attaches_a_profile_with_consent(client, unit):
    code = residents.mint_cards(unit.org, 1)[0].code
    db.session.commit()
    response = profile(client, codes.grouped(code).lower(), unit.headers,
                       display_name="王奶奶", age_group="60_plus", community="坞城社区", consent=True)
    assert response.status_code == 200
    assert response.get_json()["display_name"] == "王奶奶" and response.get_json()["code"] == code
    person = db.session.query(Resident).filter_by(source="card").one()
    assert (person.display_name, person.consent_at is not None) == ("王奶奶", True)
    # Replaced by the next profile given; removed on request, while the card keeps counting.
    assert profile(client, code, unit.lead_headers, consent=True).get_json()["display_name"] is None
    assert client.delete(f"/api/v1/cards/{code}/profile", headers=unit.headers).status_code == 204
    db.session.refresh(person)
    assert (person.display_name, person.consent_at) == (None, None)
    response = client.post("/api/v1/sync", json=sync_body([checkin(unit.activity.id, code=code)]),
                           headers=unit.headers)
    assert response.get_json()["results"][0]["status"] == "accepted"


@pytest.mark.parametrize("body, error", [
    ({"display_name": "王奶奶"}, "consent_required"),
    ({"consent": False}, "consent_required"),
    ({"consent": True, "age_group": "under_14"}, "guardian_consent_required"),
    ({"consent": True, "display_name": "名" * 65}, "validation_error"),
    ({"consent": True, "community": "a\u0007b"}, "validation_error"),
    ({"consent": True, "age_group": "senior"}, "validation_error"),
])
def test_a_card_profile_is_validated_as_a_registration(client, unit, body, error):
    code = residents.mint_cards(unit.org, 1)[0].code
    response = profile(client, code, unit.headers, **body)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == error
    assert db.session.query(Resident).filter_by(source="card").one().display_name is None


def test_only_the_issuing_unit_and_only_cards(client, make, unit):
    card = residents.mint_cards(unit.org, 1)[0].code
    other_unit_card = residents.mint_cards(make.org(), 1)[0].code
    _resident, own_code = make.resident(display_name="李四")
    staff_code = residents.active_code(db.session.get(Resident, unit.volunteer.resident_id)).code
    body = {"display_name": "X", "consent": True}
    for code in (other_unit_card, own_code, staff_code, "0" * 17, "not-a-code", card[:-1] + "0"):
        for headers in (unit.headers, unit.lead_headers):
            response = profile(client, code, headers, **body)
            assert response.status_code == 404, code
            assert response.get_json()["error"]["code"] == "not_found"
        assert client.delete(f"/api/v1/cards/{code}/profile", headers=unit.headers).status_code == 404
    assert profile(client, card, make.auth(make.user("bureau", region_code="140100")), **body).status_code == 403
    assert profile(client, card, {}, **body).status_code == 401
    assert profile(client, card, make.auth(make.user("admin")), **body).status_code == 200
    assert db.session.query(Resident).filter_by(display_name="X").count() == 1
    db.session.expire_all()
    assert db.session.query(Resident).filter_by(source="registration").one().display_name == "李四"


def test_an_erased_card_takes_no_profile(client, unit):
    minted = residents.mint_cards(unit.org, 1)[0]
    residents.erase(minted.resident)
    db.session.commit()
    assert profile(client, minted.code, unit.headers, consent=True).status_code == 404


def test_the_sheet_speaks_chinese_first(client, unit):
    sign_in(client, unit.lead)
    html = print_cards(client, 1).get_data(as_text=True)
    assert "打印签到卡" in html and "参加活动时出示此卡即可签到。" in html
    assert "已生成 1 张空白签到卡" in html
    client.get("/lang/en")
    html = print_cards(client, 1).get_data(as_text=True)
    assert "Show this card at each activity to sign in." in html
