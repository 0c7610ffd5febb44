// The scan screen: camera, keyboard-wedge scanner, photo and typed codes all end in handleText(),
// which checks the code on the device, writes it to the outbox and answers within milliseconds:
// green (signed in), amber (already signed in today), red (not a valid code).
import { _, formatDateTime, formatSpan } from "./i18n.js";
import { fill, h, mount } from "./dom.js";
import { grouped, parse } from "./code.js";
import { Camera, decodePhoto } from "./camera.js";
import { decodeImageData, prepareWasm } from "./decoder.js";
import { signal, unlockAudio } from "./feedback.js";
import { deviceCounts, enqueueCode, enqueueHeadcount, receipt } from "./store.js";
import { refreshStatus, syncSoon } from "./status.js";

const SAME_TEXT_PAUSE = 1500; // a code held in view is one scan: it must leave the view this long to count again
const WEDGE_GAP = 200; // keyboard-wedge scanners type a whole code within this gap per key

const REASONS = {
  invalid: () => _("not a valid sign-in code"),
  unknown_code: () => _("this code is not registered"),
  revoked_code: () => _("this code has been withdrawn"),
  unknown_activity: () => _("the activity does not exist"),
  forbidden_activity: () => _("your unit may not record check-ins for this activity"),
};

export function reasonText(reason) {
  return (REASONS[reason] || (() => reason || _("unknown reason")))();
}

export async function showScan(activity, { back }) {
  const state = { kind: "attendee", lastText: null, lastAt: 0, seq: 0, wedge: "", wedgeAt: 0, camera: null };

  const feedback = h("div", { id: "feedback", class: "feedback idle", "data-state": "idle", "data-seq": "0", role: "status" },
    _("Point the camera at a sign-in code"));
  const counts = h("div", { id: "counts", class: "counts" });
  const receiptBox = h("section", { id: "receipt", class: "card receipt" });
  const video = h("video", { id: "camera", class: "camera", muted: true, playsinline: true, autoplay: true });
  const cameraNote = h("p", { class: "note", id: "camera-note", hidden: true });
  const torch = h("button", { type: "button", id: "torch", class: "small", hidden: true, "aria-pressed": "false" }, _("Torch"));

  const kindButtons = ["attendee", "volunteer"].map((kind) => h("button", {
    type: "button", class: "toggle", "data-kind": kind, "aria-pressed": String(kind === state.kind),
    onclick: () => {
      state.kind = kind;
      for (const button of kindButtons) button.setAttribute("aria-pressed", String(button.dataset.kind === kind));
    },
  }, kind === "attendee" ? _("Scanning residents") : _("Scanning volunteers")));

  function show(kindOfResult, title, detail) {
    state.seq += 1;
    feedback.className = `feedback ${kindOfResult}`;
    feedback.dataset.state = kindOfResult;
    feedback.dataset.seq = String(state.seq);
    fill(feedback, h("strong", {}, title), detail ? h("span", { class: "detail" }, detail) : null);
    signal(kindOfResult);
  }

  async function renderCounts() {
    const c = await deviceCounts(activity);
    counts.replaceChildren(
      h("div", { class: "count main" }, h("span", { class: "label" }, _("Signed in with a code today")),
        h("span", { class: "value", id: "count-scanned" }, String(c.attendee.scanned))),
      h("div", { class: "count" }, h("span", { class: "label" }, _("Walk-ins counted by hand")),
        h("span", { class: "value", id: "count-walkins" }, String(c.attendee.headcount))),
      h("div", { class: "count" }, h("span", { class: "label" }, _("Volunteers on duty")),
        h("span", { class: "value", id: "count-volunteers" }, String(c.volunteer.scanned + c.volunteer.headcount))),
    );
  }

  async function renderReceipt() {
    const r = await receipt(activity.id);
    receiptBox.dataset.accepted = String(r.summary.accepted);
    receiptBox.dataset.pending = String(r.pending);
    fill(receiptBox,
      h("h2", {}, _("Receipt from the server")),
      h("ul", { class: "summary" },
        h("li", { class: "accepted" }, _("Counted: {n}", { n: r.summary.accepted })),
        h("li", { class: "duplicate" }, _("Already counted: {n}", { n: r.summary.duplicate })),
        h("li", { class: "held" }, _("Held for the site lead: {n}", { n: r.summary.held })),
        h("li", { class: "rejected" }, _("Refused: {n}", { n: r.summary.rejected })),
        h("li", { class: "pending" }, _("Not sent yet: {n}", { n: r.pending }))),
      r.rejected.length ? h("ul", { class: "rejected-list" }, r.rejected.map((row) => h("li", {},
        [row.code ? grouped(row.code) : _("{n} walk-ins", { n: row.headcount }), formatDateTime(row.scanned_at), reasonText(row.reason)].join(" · ")))) : null,
    );
  }

  async function record(kind, code, started) {
    const result = await enqueueCode(activity, kind, code);
    if (started !== undefined) globalThis.lwpwa.metrics.frameToStored.push(performance.now() - started);
    if (result.status === "new") {
      show("ok", kind === "attendee" ? _("Signed in") : _("Volunteer recorded"), grouped(code));
      syncSoon();
    } else {
      show("warn", _("Already signed in today"), grouped(code));
    }
    renderCounts();
    renderReceipt();
    refreshStatus();
    return result;
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
      show("bad", _("Not a valid sign-in code"), _("Nothing was recorded. Ask for the sign-in code or type it in."));
      return "bad";
    }
    const result = await record(state.kind, code, started);
    return result.status === "new" ? "ok" : "warn";
  }

  async function addHeadcount(kind, n) {
    if (!Number.isInteger(n) || n < 1 || n > 1000) {
      show("bad", _("Enter a number from 1 to 1000"));
      return;
    }
    await enqueueHeadcount(activity, kind, n);
    show("ok", kind === "attendee" ? _("{n} walk-ins added", { n }) : _("{n} volunteers added", { n }));
    renderCounts();
    renderReceipt();
    refreshStatus();
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

  const tallyInput = h("input", { id: "tally-n", type: "number", min: "1", max: "1000", value: "2", inputmode: "numeric" });
  const photoInput = h("input", {
    type: "file", accept: "image/*", capture: "environment", id: "photo-file", class: "visually-hidden",
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
      h("span", { class: "brand" }, activity.name)),
    h("p", { class: "when" }, [formatSpan(activity.starts_at, activity.ends_at), activity.venue].filter(Boolean).join(" · ")),
    h("div", { class: "kinds row" }, kindButtons),
    h("div", { class: "viewfinder" }, video, feedback),
    cameraNote,
    counts,
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
      manualForm,
      h("div", { class: "row" },
        h("button", { type: "button", id: "photo", onclick: () => { unlockAudio(); photoInput.click(); } }, _("Scan from a photo")),
        torch),
      photoInput,
      h("p", { class: "note" }, _("A USB or Bluetooth scanner works too: just scan."))),
    receiptBox,
  );

  const onVisible = () => {
    if (document.visibilityState === "visible" && state.camera?.wasEnded()) {
      state.camera.restart().catch((error) => console.error("camera", error));
    }
  };
  document.addEventListener("visibilitychange", onVisible);
  document.addEventListener("keydown", onKey);
  const onSynced = () => { renderReceipt(); renderCounts(); };
  document.addEventListener("lwpwa:synced", onSynced);
  const bc = "BroadcastChannel" in globalThis ? new BroadcastChannel("lwpwa") : null;
  if (bc) bc.onmessage = onSynced;
  document.addEventListener("pointerdown", unlockAudio, { once: true });

  await Promise.all([renderCounts(), renderReceipt()]);
  prepareWasm().catch((error) => console.error("decoder", error));

  state.camera = new Camera(video, (texts, started) => handleText(texts, started));
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
  globalThis.lwpwa.scan = { handleText, activity };

  return () => {
    state.camera?.stop();
    state.camera = null;
    document.removeEventListener("keydown", onKey);
    document.removeEventListener("visibilitychange", onVisible);
    document.removeEventListener("lwpwa:synced", onSynced);
    bc?.close();
    delete document.body.dataset.camera;
  };
}
