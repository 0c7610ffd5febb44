// The status bar (online, waiting, last sync) and when to sync: on open, when the network
// returns, when the page becomes visible, shortly after each scan, and on a timer with
// exponential backoff capped at 5 minutes; Background Sync where the browser has it.
import { _, formatTime } from "./i18n.js";
import { h } from "./dom.js";
import { getMeta, pendingCount } from "./store.js";
import { syncOutbox } from "./sync.js";
import { nextBackoff } from "./clock.js";

export const app = {
  auth: null,
  registration: null,
  backoff: 0,
  syncTimer: null,
  syncing: false,
  leaveScreen: null,
};
globalThis.lwpwa = { metrics: { frameToStored: [] }, app };

export async function refreshStatus() {
  const bar = document.getElementById("status");
  const pending = await pendingCount();
  const last = (await getMeta("last_sync")) || {};
  bar.dataset.pending = String(pending);
  bar.dataset.online = String(navigator.onLine);
  const info = h("div", { class: "info" },
    h("span", { class: navigator.onLine ? "dot online" : "dot offline" }, navigator.onLine ? _("Online") : _("Offline")),
    h("span", { class: "pending", "data-testid": "pending" },
      pending ? _("{n} waiting to be sent", { n: pending }) : _("Everything sent")),
    h("span", { class: "last-sync" }, last.ok_at ? _("Last sync {time}", { time: formatTime(last.ok_at) }) : _("Not synced yet")));
  bar.replaceChildren(info, h("button", { type: "button", class: "small", id: "sync-now", onclick: () => runSync() }, _("Sync now")));
  if (app.auth?.expired) {
    info.append(h("span", { class: "warn-text" }, _("Sign in again to send")));
  }
}

function scheduleSync(delay) {
  clearTimeout(app.syncTimer);
  app.syncTimer = setTimeout(() => runSync(), delay);
}

/** Soon after a scan, so that a burst at the door goes in one request. */
export function syncSoon() {
  if (!app.backoff) scheduleSync(1500);
  app.registration?.sync?.register("lwpwa-outbox").catch(() => {});
}

export async function runSync() {
  clearTimeout(app.syncTimer);
  if (app.syncing) return scheduleSync(1000);
  app.syncing = true;
  let result;
  try {
    result = await syncOutbox();
  } finally {
    app.syncing = false;
  }
  const pending = await pendingCount();
  if (result.status === "busy") {
    scheduleSync(2000);
  } else if (result.status === "ok" || result.status === "idle" || result.status === "no_auth") {
    app.backoff = 0;
    if (pending && result.status !== "no_auth") scheduleSync(1000);
  } else if (result.status === "unauthorized") {
    app.auth = await getMeta("auth");
    app.backoff = 0;
    document.dispatchEvent(new CustomEvent("lwpwa:unauthorized"));
  } else {
    // offline, 5xx, 429: retry with exponential backoff, at most every 5 minutes
    app.backoff = nextBackoff(app.backoff);
    const wait = result.retryAfter ? Math.max(result.retryAfter * 1000, app.backoff) : app.backoff;
    if (pending) scheduleSync(wait);
  }
  await refreshStatus();
  document.dispatchEvent(new CustomEvent("lwpwa:synced", { detail: result }));
  return result;
}

/** Close the current screen (stops its camera and listeners). */
export function leaveCurrent() {
  if (app.leaveScreen) app.leaveScreen();
  app.leaveScreen = null;
}
