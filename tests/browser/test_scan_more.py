"""Photos, volunteers, and what the receipt says about codes the server does not know."""
from playwright.sync_api import expect

from lwpwa.residents.codes import new_code

from .helpers import qr_frame
from .pages import expect_pending, open_activity, scan_by_hand, sign_in


def test_photo_volunteers_and_receipt_reasons(live_server, launch, new_context, tmp_path):
    activity = live_server.new_activity()
    resident, volunteer = live_server.api.new_code(), live_server.api.new_code()
    unregistered = new_code()  # well-formed, check character right, but never issued
    page = new_context(launch()).new_page()
    sign_in(page)
    open_activity(page, activity["id"])
    feedback = page.locator("#feedback")

    # A photo of a dark-mode screen (inverted code).
    photo = tmp_path / "photo.png"
    qr_frame(resident, invert=True).save(photo)
    page.set_input_files("#photo-file", photo)
    expect(feedback).to_have_attribute("data-state", "ok")
    expect(page.locator("#count-scanned")).to_have_text("1")

    # Volunteers on duty: one scanned in volunteer mode, one tallied.
    page.click("[data-kind=volunteer]")
    scan_by_hand(page, volunteer)
    page.click("#volunteer-1")
    expect(page.locator("#count-volunteers")).to_have_text("2")
    page.click("[data-kind=attendee]")

    # Well-formed but not in the campaign's code filter: red; "record anyway" (someone who
    # registered a moment ago) queues it amber, and the server refuses it with a reason in words.
    scan_by_hand(page, unregistered, "bad")
    expect(feedback).to_contain_text("此签到码未登记")
    page.click("#record-anyway")
    expect(feedback).to_have_attribute("data-state", "warn")
    expect(feedback).to_contain_text("未能核对，联网后确认")
    expect_pending(page, 0)
    receipt = page.locator("#receipt")
    expect(receipt).to_have_attribute("data-accepted", "3")
    expect(receipt.locator(".rejected-list")).to_contain_text("此签到码未登记")

    stats = live_server.stats(activity["id"])
    assert (stats["attendance"], stats["volunteers"]) == (1, 2)
