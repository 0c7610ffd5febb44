"""A volunteer's phone signs in by scanning the pairing QR the site lead shows (`LWPAIR:…`)."""
from playwright.sync_api import expect
from sqlalchemy import select

from .helpers import camera_file


def pairing_payload(live_server, username):
    """What the site lead's workspace puts in the QR (made here the way its page makes it)."""
    from lwpwa.accounts.models import User
    from lwpwa.extensions import db
    from lwpwa.workspace.pairing import create_code

    with live_server.app.app_context():
        volunteer = db.session.scalar(select(User).where(User.username == username))
        lead = db.session.scalar(select(User).where(User.username == "lead1"))
        payload, _code = create_code(volunteer, lead)
        db.session.commit()
    return payload


def test_scanning_the_pairing_qr_signs_the_phone_in_once(live_server, launch, new_context, tmp_path):
    activity = live_server.new_activity()
    payload = pairing_payload(live_server, "volunteer2")
    browser = launch(camera_file(tmp_path / "pairing.y4m", [payload]))
    page = new_context(browser).new_page()
    page.goto("/app/")
    page.click("#pair-scan")
    expect(page.locator(f"[data-activity-id='{activity['id']}']")).to_be_visible()
    expect(page.locator("header .who")).to_have_text("volunteer2")

    # The code works once: another phone showing the same QR is refused in words.
    other = new_context(browser).new_page()
    other.goto("/app/")
    other.click("#pair-scan")
    expect(other.locator("#pair-message")).to_contain_text("已使用")
    expect(other.locator("#login")).to_be_visible()
