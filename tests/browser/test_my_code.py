"""A resident registers in the PWA (no volunteer account), and the code stays on the phone: it
shows offline after a reload, and the QR on the screen decodes to the code the server holds."""
import io
import json
import urllib.request

import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from .pages import wait_for_service_worker

STORED = """async () => {
  const request = indexedDB.open("lwpwa");
  const database = await new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const get = database.transaction("meta").objectStore("meta").get("residents");
  const value = await new Promise((resolve) => { get.onsuccess = () => resolve(get.result); });
  database.close();
  return value;
}"""


def resident_me(live_server, key):
    request = urllib.request.Request(live_server.url + "/api/v1/residents/me",
                                     headers={"Authorization": f"Resident {key}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def decode(png):
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return [result.text for result in results]


def test_register_then_the_code_shows_offline_and_decodes(live_server, launch, new_context):
    browser = launch()
    context = new_context(browser)
    page = context.new_page()
    page.goto("/app/")
    page.click("#open-mycode")

    # The notice comes before the consent box; without consent the server's refusal is shown.
    notice = page.locator("#notice")
    expect(notice).to_contain_text("身份证")
    assert notice.evaluate("(el) => !!(el.compareDocumentPosition(document.getElementById('reg-consent')) & Node.DOCUMENT_POSITION_FOLLOWING)")
    page.fill("#reg-name", "王奶奶")
    page.select_option("#reg-age", "60_plus")
    page.fill("#reg-community", "幸福里社区")
    page.click("#reg-submit")
    expect(page.locator("#reg-error")).to_contain_text("同意")
    message = page.locator("#reg-error").inner_text()
    assert message.count("同意") == 1, message  # said once, not once per field
    expect(page.locator(".person")).to_have_count(0)

    # Under 14: the guardian's box appears and is required by the server.
    expect(page.locator("#reg-guardian-row")).to_be_hidden()
    page.select_option("#reg-age", "under_14")
    expect(page.locator("#reg-guardian-row")).to_be_visible()
    page.check("#reg-consent")
    page.click("#reg-submit")
    expect(page.locator("#reg-error")).to_contain_text("监护人")

    page.select_option("#reg-age", "60_plus")
    page.click("#reg-submit")
    person = page.locator(".person")
    expect(person).to_have_count(1)
    expect(person.locator(".person-name")).to_have_text("王奶奶")
    expect(person.locator("img.qr-image")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})  # the QR code stays inside its card
    image, card = person.locator("img.qr-image").bounding_box(), person.bounding_box()
    assert card["x"] <= image["x"] and image["x"] + image["width"] <= card["x"] + card["width"]

    stored = page.evaluate(STORED)
    assert len(stored) == 1 and stored[0]["svg"].startswith("<svg")
    key, code = stored[0]["key"], stored[0]["code"]
    server_side = resident_me(live_server, key)
    assert server_side["code"] == code
    assert server_side["display_name"] == "王奶奶"
    assert server_side["community"] == "幸福里社区"
    assert person.get_attribute("data-code") == code
    assert person.locator(".code-text").inner_text().replace(" ", "").replace("-", "") == code

    # Offline, reloaded: the code is still there and the picture on the screen decodes to it.
    wait_for_service_worker(page)
    context.set_offline(True)
    page.reload()
    person = page.locator(".person")
    expect(person).to_have_count(1)
    expect(page.locator("#status")).to_have_attribute("data-online", "false")
    image = person.locator("img.qr-image")
    expect(image).to_be_visible()
    assert image.evaluate("(img) => img.complete && img.naturalWidth > 0")
    assert decode(image.screenshot()) == [code]
    assert person.locator(".code-text").inner_text().replace(" ", "").replace("-", "") == code

    # Offline, the history asks for a connection instead of failing silently.
    person.locator(".history-open").click()
    expect(person.locator("[role=alert]")).to_be_visible()
    context.set_offline(False)


def test_several_people_rename_replace_history_and_delete(live_server, launch, new_context):
    browser = launch()
    page = new_context(browser).new_page()
    page.goto("/app/?mycode")
    page.check("#reg-consent")
    page.click("#reg-submit")
    expect(page.locator(".person")).to_have_count(1)

    # A grandchild registers a grandparent on the same phone.
    page.click("#add-person")
    page.fill("#reg-name", "爷爷")
    page.select_option("#reg-age", "60_plus")
    page.check("#reg-consent")
    page.click("#reg-submit")
    expect(page.locator(".person")).to_have_count(2)
    first, grandpa = page.locator(".person").nth(0), page.locator(".person").nth(1)
    stored = page.evaluate(STORED)
    key = stored[1]["key"]

    # Rename.
    grandpa.locator(".rename-open").click()
    grandpa.locator(".rename-input").fill("李爷爷")
    grandpa.locator(".rename-save").click()
    expect(page.locator(".person").nth(1).locator(".person-name")).to_have_text("李爷爷")
    assert resident_me(live_server, key)["display_name"] == "李爷爷"

    # Replace the code: the phone shows and stores the new one, which decodes.
    old_code = stored[1]["code"]
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".person").nth(1).locator(".replace").click()
    grandpa = page.locator(".person").nth(1)
    expect(grandpa).not_to_have_attribute("data-code", old_code)
    new_code = resident_me(live_server, key)["code"]
    expect(grandpa).to_have_attribute("data-code", new_code)
    expect(grandpa.locator("img.qr-image")).to_be_visible()
    assert decode(grandpa.locator("img.qr-image").screenshot()) == [new_code]
    assert page.evaluate(STORED)[1]["code"] == new_code

    # History (none yet), online.
    grandpa.locator(".history-open").click()
    expect(grandpa.locator(".history")).to_be_visible()

    # Delete with confirmation: declining keeps it, accepting removes it on the server and here.
    page.once("dialog", lambda dialog: dialog.dismiss())
    grandpa.locator(".delete").click()
    expect(page.locator(".person")).to_have_count(2)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".person").nth(1).locator(".delete").click()
    expect(page.locator(".person")).to_have_count(1)
    assert len(page.evaluate(STORED)) == 1
    request = urllib.request.Request(live_server.url + "/api/v1/residents/me",
                                     headers={"Authorization": f"Resident {key}"})
    try:
        urllib.request.urlopen(request, timeout=10)
        raise AssertionError("the deleted resident's key still works")
    except urllib.error.HTTPError as error:
        assert error.code == 401
    expect(first).to_be_visible()
