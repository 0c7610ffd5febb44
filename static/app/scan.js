// The scan screen: camera, keyboard-wedge scanner, photo and typed codes all end in handleText(),
// which checks the code on the device, writes it to the outbox and answers within milliseconds:
// green (counted, as far as the phone can know), amber (already signed in today, outside the
// activity's time, or not checkable yet), red (not a valid code, or one the phone knows to be
// unregistered or withdrawn). Panels (counts, receipt, alert) are in scanparts.js.
import { _, formatSpan, formatTime } from "./i18n.js";
import { fill, h, mount } from "./dom.js";
import { parse } from "./code.js";
import { Camera, decodePhoto } from "./camera.js";
import { decodeImageData, prepareWasm } from "./decoder.js";
import { signal, unlockAudio } from "./feedback.js";
import { dismissRefused, enqueueCode, enqueueHeadcount, getMeta } from "./store.js";
import { app, refreshStatus, syncSoon } from "./status.js";
import { refreshFilters } from "./sync.js";
import { checkCode, loadFilter, timing } from "./checks.js";
import { lastUndoable, undoLast } from "./undo.js";
import { displaySwitches } from "./prefs.js";
import {
  codeText, reasonText, renderCounts, renderReceipt, renderRefused, renderServerTotals, undoDetail,
} from "./scanparts.js";

export { reasonText };

const SAME_TEXT_PAUSE = 1500; // a code held in view is one scan: it must leave the view this long to count again
const WEDGE_GAP = 200; // keyboard-wedge scanners type a whole code within this gap per key
// A typed (or photographed) code's answer stays this long: the camera's amber for a card still
// in view must not replace the red of a code the volunteer just typed.
const MANUAL_HOLD = 4000;
const FILTER_WAIT = 3000; // online, an unknown code is checked against a fresh filter for at most this long

function withTimeout(promise, ms) {
  return Promise.race([promise, new Promise((resolve) => { setTimeout(() => resolve("timeout"), ms); })]);
}

export async function showScan(activity, { back }) {
  const state = {
    kind: "attendee", lastText: null, lastAt: 0, seq: 0, wedge: "", wedgeAt: 0, camera: null,
    manualUntil: 0, filter: await loadFilter(activity.campaign_id), clock: (await getMeta("clock_offset_ms")) || 0,
    refusedShown: 0,
  };

  const feedback = h("div", { id: "feedback", class: "feedback idle", "data-state": "idle", "data-seq": "0", role: "status" },
    _("Point the camera at a sign-in code"));
  const counts = h("div", { id: "counts", class: "counts" });
  const serverTotals = h("p", { id: "server-totals", class: "server-totals", hidden: true });
  const receiptBox = h("section", { id: "receipt", class: "card receipt" });
  const refusedBox = h("section", { id: "refused", class: "card refused", role: "alert", hidden: true });
  const undoButton = h("button", {
    type: "button", id: "undo", class: "undo",
    onclick: async () => {
      unlockAudio();
      const target = await undoLast(activity.id);
      if (target) {
        show("warn", _("Last one undone"), target.code ? codeText(target.code) : `+${target.headcount}`, { spoken: _("Undone") });
        syncSoon();
      } else {
        show("warn", _("Nothing to undo in the last 15 minutes"));
      }
      renderAll();
    },
  });
  const video = h("video", { id: "camera", class: "camera", muted: true, playsinline: true, autoplay: true });
  const cameraNote = h("p", { class: "note", id: "camera-note", hidden: true });
  const torch = h("button", { type: "button", id: "torch", class: "small", hidden: true, "aria-pressed": "false" }, _("Torch"));
  const viewfinder = h("div", { class: "viewfinder", id: "viewfinder" }, video, feedback);

  const kindButtons = ["attendee", "volunteer"].map((kind) => h("button", {
    type: "button", class: "toggle", "data-kind": kind, "aria-pressed": String(kind === state.kind),
    onclick: () => {
      state.kind = kind;
      for (const button of kindButtons) button.setAttribute("aria-pressed", String(button.dataset.kind === kind));
    },
  }, kind === "attendee" ? _("Scanning residents") : _("Scanning volunteers")));

  const ICONS = { ok: "✓", warn: "!", bad: "✗" };

  /** One result: icon and words (never colour alone), spoken or a tone, and a vibration. */
  function show(kindOfResult, title, detail, { spoken = title, action = null, manual = true, repeat = false } = {}) {
    const now = performance.now();
    // The camera's repeat of a card in view (or a bad read) never hides what a typed code just
    // answered; a new scan it queued is always shown.
    if (!manual && (repeat || kindOfResult === "bad") && now < state.manualUntil) return;
    if (manual) state.manualUntil = now + MANUAL_HOLD;
    state.seq += 1;
    feedback.className = `feedback ${kindOfResult}`;
    feedback.dataset.state = kindOfResult;
    feedback.dataset.seq = String(state.seq);
    fill(feedback, h("strong", {}, h("span", { class: "icon", "aria-hidden": "true" }, ICONS[kindOfResult]), " ", title),
      detail ? h("span", { class: "detail" }, detail) : null, action);
    signal(kindOfResult, spoken);
  }

  /** data-filter on the viewfinder: whether this phone can check codes for this campaign. */
  function markFilter() {
    viewfinder.dataset.filter = state.filter ? "ready" : "none";
    viewfinder.dataset.filterCursor = state.filter?.cursor || "";
  }

  async function renderUndo() {
    const target = await lastUndoable(activity.id);
    undoButton.disabled = !target;
    fill(undoButton, h("span", { class: "label" }, _("Undo the last one")), h("span", { class: "detail" }, undoDetail(target)));
  }

  async function renderAlert() {
    const n = await renderRefused(refusedBox, activity, async () => {
      await dismissRefused(activity.id);
      state.refusedShown = 0;
      renderAlert();
    });
    if (n > state.refusedShown) signal("bad", _("{n} check-ins were not counted", { n }));
    state.refusedShown = n;
  }

  function renderAll() {
    renderCounts(counts, activity);
    renderReceipt(receiptBox, activity);
    renderUndo();
    refreshStatus();
  }

  async function record(kind, code, started, { manual, expect = "accepted", unchecked = false, when = "on" }) {
    const result = await enqueueCode(activity, kind, code, new Date(), { expect });
    if (started !== undefined) globalThis.lwpwa.metrics.frameToStored.push(performance.now() - started);
    const text = codeText(code);
    if (result.status !== "new") {
      show("warn", _("Already signed in today"), text, { manual, repeat: true, spoken: _("Signed in already today") });
    } else if (when === "after") {
      show("warn", _("The activity has ended: the site lead will check this one"), text, { manual, spoken: _("The activity has ended") });
    } else if (when === "before") {
      show("warn", _("The activity has not started yet: the site lead will check this one"), text, { manual, spoken: _("The activity has not started yet") });
    } else if (unchecked) {
      show("warn", _("Could not be checked: confirmed once online"), text, { manual, spoken: _("Recorded, to be confirmed") });
    } else {
      show("ok", kind === "attendee" ? _("Signed in") : _("Volunteer recorded"), text, { manual });
    }
    if (result.status === "new") syncSoon();
    renderAll();
    return result;
  }

  /** Online, a code the filter does not know may be one registered since: fetch the delta first. */
  async function freshVerdict(code, verdict) {
    if (verdict !== "unknown" || !navigator.onLine || !app.auth?.token) return verdict;
    const outcome = await withTimeout(refreshFilters(app.auth.token, [activity.campaign_id]), FILTER_WAIT);
    if (outcome === "answered") {
      state.filter = await loadFilter(activity.campaign_id);
      markFilter();
    }
    return checkCode(state.filter, code);
  }

  async function recordAnyway(kind, code) {
    state.lastText = null;
    await record(kind, code, undefined, { manual: true, unchecked: true, when: timing(activity, state.filter, state.clock) });
  }

  /** Everything scanned or typed ends here. Returns "ok", "warn", "bad" or "ignored". */
  async function handleText(texts, started, { manual = false } = {}) {
    const list = Array.isArray(texts) ? texts : [texts];
    const now = performance.now();
    // Of several codes in view, a valid one wins; the same text again right away is the same scan.
    const text = list.find((t) => parse(t)) || list[0];
    if (!manual && text === state.lastText && now - state.lastAt < SAME_TEXT_PAUSE) {
      state.lastAt = now;
      return "ignored";
    }
    state.lastText = text;
    state.lastAt = now;
    const code = parse(text);
    if (!code) {
      show("bad", _("Not a valid sign-in code"), _("Nothing was recorded. Ask for the sign-in code or type it in."),
        { manual, spoken: _("This is not a sign-in code") });
      return "bad";
    }
    const kind = state.kind;
    const verdict = await freshVerdict(code, await checkCode(state.filter, code));
    if (verdict === "revoked") {
      show("bad", _("This code has been withdrawn"), _("Nothing was recorded. The resident has a newer code under “My sign-in code”."),
        { manual, spoken: _("This code has been withdrawn") });
      return "bad";
    }
    if (verdict === "unknown") {
      const since = state.filter?.fetched_at ? formatTime(state.filter.fetched_at) : "";
      show("bad", _("This code is not registered"),
        _("Nothing was recorded. This phone's list of codes is from {time}: someone who registered just now can be recorded anyway, and the server checks it once online.", { time: since }),
        { manual, spoken: _("This code is not registered"),
          action: h("button", { type: "button", id: "record-anyway", class: "small", onclick: () => recordAnyway(kind, code) }, _("Record anyway, check online")) });
      return "bad";
    }
    const when = timing(activity, state.filter, state.clock);
    const result = await record(kind, code, started, {
      manual, expect: when === "on" ? "accepted" : "held", unchecked: verdict === "unchecked", when,
    });
    return result.status === "new" && when === "on" && verdict === "known" ? "ok" : "warn";
  }

  async function addHeadcount(kind, n) {
    if (!Number.isInteger(n) || n < 1 || n > 1000) {
      show("bad", _("Enter a number from 1 to 1000"));
      return;
    }
    const when = timing(activity, state.filter, state.clock);
    await enqueueHeadcount(activity, kind, n, new Date(), { expect: when === "on" ? "accepted" : "held" });
    const title = kind === "attendee" ? _("{n} walk-ins added", { n }) : _("{n} volunteers added", { n });
    if (when === "on") show("ok", title);
    else show("warn", title, when === "after" ? _("The activity has ended: the site lead will check this one") : _("The activity has not started yet: the site lead will check this one"));
    renderAll();
    syncSoon();
  }

  const manualInput = h("input", {
    id: "manual-code", name: "code", autocomplete: "off", autocapitalize: "characters", spellcheck: "false",
    inputmode: "text", placeholder: "ABCD-EFGH-JKMN-PQRS-T", maxlength: "32",
  });
  const manualForm = h("form", {
    id: "manual", class: "row",
    onsubmit: async (event) => {
      event.preventDefault();
      // Clear at once: the next code may be typed (or wedged in) before this one is stored.
      const submitted = manualInput.value;
      manualInput.value = "";
      manualInput.focus();
      if (!submitted.trim()) return;
      const outcome = await handleText(submitted, undefined, { manual: true });
      if (outcome === "bad" && !manualInput.value) manualInput.value = submitted; // to correct it
    },
  }, h("label", { for: "manual-code", class: "visually-hidden" }, _("Type a code")), manualInput,
  h("button", { type: "submit" }, _("Record")));

  const tallyInput = h("input", { id: "tally-n", type: "number", min: "1", max: "1000", value: "1", inputmode: "numeric" });
  const photoInput = h("input", {
    type: "file", accept: "image/*", capture: "environment", id: "photo-file", hidden: true, // opened by #photo
    onchange: async () => {
      const file = photoInput.files[0];
      photoInput.value = "";
      if (!file) return;
      try {
        const texts = await decodePhoto(file, decodeImageData);
        if (texts.length) await handleText(texts, undefined, { manual: true });
        else show("bad", _("No QR code found in the photo"));
      } catch {
        show("bad", _("This photo could not be read"));
      }
    },
  });

  const onKey = (event) => {
    const target = event.target;
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return;
    // The key's own time stamp: a busy decode must not split one code into two.
    const now = event.timeStamp;
    if (now - state.wedgeAt > WEDGE_GAP) state.wedge = "";
    state.wedgeAt = now;
    if (event.key === "Enter") {
      if (state.wedge.length >= 4) {
        const text = state.wedge;
        state.wedge = "";
        event.preventDefault();
        handleText(text, undefined, { manual: true });
      }
    } else if (event.key.length === 1) {
      state.wedge += event.key;
    }
  };

  mount(
    h("header", { class: "top" },
      h("button", { type: "button", class: "small", id: "back", onclick: back }, _("All activities")),
      h("h1", { class: "brand" }, activity.name)),
    h("p", { class: "when" }, [formatSpan(activity.starts_at, activity.ends_at), activity.venue].filter(Boolean).join(" · ")),
    refusedBox,
    h("div", { class: "kinds row" }, kindButtons),
    viewfinder,
    manualForm, // right under the answer: a typed code's answer stays in view
    cameraNote,
    counts,
    serverTotals,
    h("div", { class: "row" }, undoButton),
    h("section", { class: "card tally" },
      h("h2", {}, _("Walk-ins without a code")),
      h("div", { class: "row" },
        h("button", { type: "button", id: "tally-1", class: "big", onclick: () => { unlockAudio(); addHeadcount("attendee", 1); } }, "+1"),
        h("label", { for: "tally-n", class: "visually-hidden" }, _("How many")),
        tallyInput,
        h("button", { type: "button", id: "tally-add", onclick: () => { unlockAudio(); addHeadcount("attendee", Number(tallyInput.value)); } }, _("Add"))),
      h("div", { class: "row" },
        h("button", { type: "button", id: "volunteer-1", onclick: () => { unlockAudio(); addHeadcount("volunteer", 1); } }, _("+1 volunteer without a code")))),
    h("section", { class: "card tools" },
      h("h2", {}, _("Other ways to sign in")),
      h("div", { class: "row" },
        h("button", { type: "button", id: "photo", onclick: () => { unlockAudio(); photoInput.click(); } }, _("Scan from a photo")),
        torch),
      photoInput,
      h("p", { class: "note" }, _("A USB or Bluetooth scanner works too: just scan."))),
    receiptBox,
    displaySwitches(),
  );

  const onVisible = () => {
    if (document.visibilityState === "visible" && state.camera?.wasEnded()) {
      state.camera.restart().catch((error) => console.error("camera", error));
    }
  };
  document.addEventListener("visibilitychange", onVisible);
  document.addEventListener("keydown", onKey);
  const onSynced = async () => {
    state.filter = await loadFilter(activity.campaign_id);
    state.clock = (await getMeta("clock_offset_ms")) || 0;
    markFilter();
    renderAll();
    renderAlert();
    renderServerTotals(serverTotals, activity, app.auth?.token);
  };
  document.addEventListener("lwpwa:synced", onSynced);
  const bc = "BroadcastChannel" in globalThis ? new BroadcastChannel("lwpwa") : null;
  if (bc) bc.onmessage = onSynced;
  document.addEventListener("pointerdown", unlockAudio, { once: true });

  await Promise.all([renderCounts(counts, activity), renderReceipt(receiptBox, activity), renderUndo(), renderAlert()]);
  renderServerTotals(serverTotals, activity, app.auth?.token);
  const undoTimer = setInterval(renderUndo, 30 * 1000); // the 15 minutes run out
  if (!state.filter && navigator.onLine && app.auth?.token) {
    // First visit of this campaign: a scan before the filter arrives could only be "unchecked".
    await withTimeout(refreshFilters(app.auth.token, [activity.campaign_id]), FILTER_WAIT);
    state.filter = await loadFilter(activity.campaign_id);
  }
  markFilter();
  prepareWasm().catch((error) => console.error("decoder", error));

  state.camera = new Camera(video, (texts, started) => handleText(texts, started));
  // (handleText's `manual` is false for the camera: its repeats may not cover a typed answer.)
  state.camera.start().then(() => {
    if (state.camera?.hasTorch()) {
      torch.hidden = false;
      torch.addEventListener("click", async () => {
        const on = torch.getAttribute("aria-pressed") !== "true";
        await state.camera.setTorch(on).catch(() => {});
        torch.setAttribute("aria-pressed", String(on));
      });
    }
    document.body.dataset.camera = "on";
  }).catch((error) => {
    cameraNote.hidden = false;
    cameraNote.textContent = _("The camera is not available ({reason}). Type codes, use a photo or a USB scanner.", { reason: error.name || "error" });
    document.body.dataset.camera = "off";
  });
  performance.mark("lwpwa-scan-screen");
  globalThis.lwpwa.scan = { handleText, activity, frames: () => state.camera?.frames || 0 };

  return () => {
    state.camera?.stop();
    state.camera = null;
    document.removeEventListener("keydown", onKey);
    document.removeEventListener("visibilitychange", onVisible);
    document.removeEventListener("lwpwa:synced", onSynced);
    clearInterval(undoTimer);
    bc?.close();
    delete document.body.dataset.camera;
  };
}
