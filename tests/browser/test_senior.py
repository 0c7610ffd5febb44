"""Senior-first (issue 13): results spoken in Mandarin where a Chinese voice exists, with a
switch; large type in two steps kept per phone; nothing under the status bar at 390×844; codes
never broken inside a group; the walk-in field starts at 1; a typed damaged code's red is not
replaced by the camera's amber for a card still in view."""
from playwright.sync_api import expect

from .helpers import camera_file, changed_one_character
from .pages import open_activity, scan_by_hand, sign_in

PHONE = {"width": 390, "height": 844}
# A phone with a Chinese voice: the Web Speech API, recording what it was asked to say.
FAKE_VOICE = """
window.__spoken = [];
const voice = { lang: "zh-CN", name: "fake Mandarin", default: true, localService: true, voiceURI: "fake" };
Object.defineProperty(window, "speechSynthesis", { configurable: true, value: {
  getVoices: () => [voice], speak: (u) => window.__spoken.push(u.text), cancel: () => {},
  addEventListener: () => {}, speaking: false, pending: false,
}});
window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
"""
# Every control and figure of the screen: after scrolling it into view, none may lie under the bar.
COVERED = """() => {
  const bar = document.getElementById("status").getBoundingClientRect();
  const main = document.getElementById("app").getBoundingClientRect();
  const out = [];
  if (main.bottom > bar.top + 0.5) out.push(`the screen runs under the status bar: ${main.bottom} > ${bar.top}`);
  for (const el of document.querySelectorAll("#app button, #app input, #app .count, #app #feedback, #app .server-totals")) {
    if (el.hidden || el.offsetParent === null) continue;
    el.scrollIntoView({ block: "nearest" });
    const box = el.getBoundingClientRect();
    if (box.bottom > bar.top + 0.5 || box.top < -0.5) out.push(`${el.id || el.className || el.tagName}: ${box.top}-${box.bottom}, bar at ${bar.top}`);
  }
  return out;
}"""
BROKEN_GROUPS = """() => [...document.querySelectorAll(".code .group")]
  .filter((g) => g.getClientRects().length > 1).map((g) => g.textContent)"""
FRAMES_AFTER = """(n) => new Promise((resolve) => {
  const start = lwpwa.scan.frames();
  const check = () => (lwpwa.scan.frames() >= start + n ? resolve(lwpwa.scan.frames()) : setTimeout(check, 50));
  check();
})"""


def test_spoken_results_large_type_and_nothing_under_the_status_bar(live_server, launch, new_context):
    activity = live_server.new_activity("适老化读书会")
    code = live_server.api.new_code()
    context = new_context(launch())
    context.add_init_script(FAKE_VOICE)
    page = context.new_page()
    page.set_viewport_size(PHONE)
    sign_in(page)
    open_activity(page, activity["id"])
    expect(page.locator("#tally-n")).to_have_value("1")

    scan_by_hand(page, code)
    scan_by_hand(page, code, "warn")
    scan_by_hand(page, "HELLO-WORLD", "bad")
    assert page.evaluate("window.__spoken") == ["签到成功", "今天已签过", "这不是签到码"]
    expect(page.locator("#feedback .icon")).to_have_text("✗")
    expect(page.locator("#feedback strong")).to_contain_text("无效的签到码")

    page.click("#speech")
    expect(page.locator("#speech")).to_have_attribute("aria-pressed", "false")
    scan_by_hand(page, "HELLO-WORLD", "bad")
    assert len(page.evaluate("window.__spoken")) == 3  # switched off: tones only

    for size in ("0", "1", "2"):
        expect(page.locator("html")).to_have_attribute("data-text-size", size)
        page.locator("#feedback").scroll_into_view_if_needed()
        page.screenshot(path=f"/tmp/pwa-feedback-size{size}.png")
        assert page.evaluate(COVERED) == [], f"text size {size}"
        scan_by_hand(page, code, "warn")
        assert page.evaluate(BROKEN_GROUPS) == [], f"text size {size}"
        page.screenshot(path=f"/tmp/pwa-scan-size{size}.png", full_page=False)
        if size != "2":
            page.click("#text-size")
    page.reload()  # kept per phone
    expect(page.locator("html")).to_have_attribute("data-text-size", "2")
    expect(page.locator("#speech")).to_have_attribute("aria-pressed", "false")
    page.click("#back")
    expect(page.locator("#activities")).to_be_visible()
    assert page.evaluate(COVERED) == []


def test_a_typed_damaged_codes_red_stays_while_the_camera_sees_a_card_already_scanned(live_server, launch, new_context, tmp_path):
    activity = live_server.new_activity()
    code = live_server.api.new_code()
    # The card comes back into view every 2.5 s, each time "already signed in today".
    page = new_context(launch(camera_file(tmp_path / "card.y4m", [code], frames_per_code=5, blank_frames=20))).new_page()
    sign_in(page)
    open_activity(page, activity["id"])
    expect(page.locator("#feedback")).to_have_attribute("data-state", "warn", timeout=20000)  # seen twice
    scan_by_hand(page, changed_one_character(code), "bad")
    seq = page.locator("#feedback").get_attribute("data-seq")
    page.evaluate(FRAMES_AFTER, 30)  # about 3 s of camera frames, one card's return among them
    expect(page.locator("#feedback")).to_have_attribute("data-state", "bad")
    expect(page.locator("#feedback")).to_have_attribute("data-seq", seq)
