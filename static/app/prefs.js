// Per-phone display and sound settings (kept in IndexedDB, meta "prefs"): a larger type in two
// steps, and results spoken aloud where the phone has a voice for the language (else tones).
// The 工信部 适老化 guidelines ask for adjustable type and for results not given by colour alone.
import { _ } from "./i18n.js";
import { h } from "./dom.js";
import { getMeta, setMeta } from "./store.js";
import { setSpeech } from "./feedback.js";

const SIZES = [
  { label: () => _("Text size: standard") },
  { label: () => _("Text size: large") },
  { label: () => _("Text size: extra large") },
];
let prefs = { size: 0, speech: true };

export async function loadPrefs() {
  prefs = { ...prefs, ...((await getMeta("prefs")) || {}) };
  applyPrefs();
  return prefs;
}

function applyPrefs() {
  document.documentElement.dataset.textSize = String(prefs.size);
  setSpeech(prefs.speech);
}

async function save(change) {
  prefs = { ...prefs, ...change };
  applyPrefs();
  await setMeta("prefs", prefs);
}

/** Two buttons: the text size (standard → large → extra large → standard) and speech on/off. */
export function displaySwitches() {
  const size = h("button", {
    type: "button", class: "small", id: "text-size",
    onclick: async () => {
      await save({ size: (prefs.size + 1) % SIZES.length });
      size.textContent = SIZES[prefs.size].label();
    },
  }, SIZES[prefs.size].label());
  const speech = h("button", {
    type: "button", class: "small", id: "speech", "aria-pressed": String(prefs.speech),
    onclick: async () => {
      await save({ speech: !prefs.speech });
      speech.setAttribute("aria-pressed", String(prefs.speech));
    },
  }, _("Speak results"));
  return h("div", { class: "row switches" }, size, speech);
}
