// The scanner app: boot, sign-in, the list of activities, the status bar, the sync schedule and
// the "new version" and "sign-in expired" banners. The scan screen itself is in scan.js.
import { _, chooseLocale, formatSpan, loadLocale } from "./i18n.js";
import { h, mount } from "./dom.js";
import { parse } from "./code.js";
import { showScan } from "./scan.js";
import { unlockAudio } from "./feedback.js";
import {
  cacheActivities, cachedActivities, cachedActivity, exportPending, getMeta, importPending,
  pendingCount, putActivity, setMeta,
} from "./store.js";
import { app, leaveCurrent, refreshStatus, runSync } from "./status.js";
import { languageSwitch, showLogin } from "./login.js";
import { showMyCodes } from "./mycode.js";
import { CHANNEL } from "./sync.js";
import { displaySwitches, loadPrefs } from "./prefs.js";
import { phase } from "./checks.js";
import { showVolunteerCode } from "./volunteercode.js";
import { installPhotoUploads, photosLink, showPhotos } from "./photos.js";

// Two banners of their own: an expired sign-in and a new version can both be news at once, and
// neither may hide the other.
function showSessionExpired() {
  const banner = document.getElementById("session");
  banner.hidden = false;
  banner.replaceChildren(
    h("span", {}, _("Your sign-in has expired. Nothing scanned is lost: sign in again to send it.")),
    h("button", { type: "button", onclick: () => { banner.hidden = true; showLogin("", route); } }, _("Sign in")),
  );
}

// ---------------------------------------------------------------- service worker and updates

async function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  let reloadRequested = false;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (reloadRequested) location.reload();
  });
  try {
    app.registration = await navigator.serviceWorker.register("/sw.js", { type: "module", scope: "/app/" });
  } catch (error) {
    console.error("service worker", error);
    return;
  }
  const offer = (worker) => {
    const banner = document.getElementById("update");
    banner.hidden = false;
    banner.replaceChildren(
      h("span", {}, _("A new version is available.")),
      h("button", {
        type: "button", id: "reload-update",
        onclick: () => { reloadRequested = true; worker.postMessage({ type: "SKIP_WAITING" }); },
      }, _("Reload")),
    );
  };
  const registration = app.registration;
  if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker?.addEventListener("statechange", () => {
      if (worker.state === "installed" && navigator.serviceWorker.controller) offer(worker);
    });
  });
  setInterval(() => registration.update().catch(() => {}), 30 * 60 * 1000);
}

async function signOut() {
  const pending = await pendingCount();
  if (pending && !confirm(_("{n} check-ins have not been sent yet. They stay on this phone and are sent after the next sign-in. Sign out anyway?", { n: pending }))) {
    return;
  }
  const token = app.auth?.token;
  app.auth = null;
  await setMeta("auth", null);
  if (token) {
    fetch("/api/v1/auth/token", { method: "DELETE", headers: { Authorization: `Bearer ${token}` } }).catch(() => {});
  }
  history.replaceState(null, "", "/app/");
  route();
}

// ---------------------------------------------------------------- activities

function localDate(offsetDays) {
  const date = new Date(Date.now() + offsetDays * 86400000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Today's and the coming week's activities from the server, cached for offline use. */
async function fetchActivities() {
  const headers = { Authorization: `Bearer ${app.auth.token}` };
  // Yesterday too, marked as ended: a volunteer may still record (the site lead checks those).
  const days = Array.from({ length: 8 }, (_unused, i) => localDate(i - 1));
  const lists = await Promise.all(days.map(async (day) => {
    const response = await fetch(`/api/v1/activities?on=${day}`, { headers });
    if (response.status === 401) throw Object.assign(new Error("unauthorized"), { unauthorized: true });
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }));
  const byId = new Map();
  for (const list of lists) for (const activity of list) byId.set(activity.id, activity);
  const activities = [...byId.values()];
  await cacheActivities(activities);
  // Their campaigns' code filters, so that the phone can check codes offline from now on (a
  // sync refreshes them, and records the server's answer as the last sync).
  runSync();
  return activities;
}

/** {activity} or {problem}: "not_found" (another unit's, or none) or "offline" (not saved here). */
async function loadActivity(id) {
  const cached = await cachedActivity(id);
  if (cached) return { activity: cached };
  try {
    const response = await fetch(`/api/v1/activities/${id}`, { headers: { Authorization: `Bearer ${app.auth.token}` } });
    if (response.status === 404) return { problem: "not_found" };
    if (!response.ok) return { problem: "offline" };
    const activity = await response.json();
    if (activity.org_id !== app.auth.user?.org_id && app.auth.user?.role !== "admin") return { problem: "not_found" };
    await putActivity(activity);
    return { activity };
  } catch {
    return { problem: "offline" };
  }
}

const PHASES = {
  on: () => _("In progress"),
  ended: () => _("Ended"),
  upcoming: () => _("Not started"),
};

function sortActivities(activities) {
  return [...activities].sort((a, b) => String(a.starts_at).localeCompare(String(b.starts_at)));
}

async function showActivities(problem = null) {
  leaveCurrent();
  const list = h("ul", { class: "activities", id: "activities" });
  const note = h("p", { class: "note" });
  const clock = (await getMeta("clock_offset_ms")) || 0;
  const linkProblem = problem ? h("p", { class: "error", role: "alert", id: "link-problem" },
    problem === "not_found"
      ? _("The activity of this link is not one of your unit's (or no longer exists). Choose one of yours below.")
      : _("The activity of this link is not saved on this phone and there is no network. Choose one below or try again online.")) : null;
  const render = (activities, offline) => {
    note.textContent = offline ? _("Offline: showing the activities saved on this phone.") : "";
    list.replaceChildren(...(activities.length
      ? sortActivities(activities).map((activity) => h("li", {},
        h("button", {
          type: "button", class: "activity", "data-activity-id": activity.id,
          onclick: () => openActivity(activity),
        },
        h("span", { class: "name" }, activity.name),
        h("span", { class: `phase ${phase(activity, clock)}`, "data-phase": phase(activity, clock) }, PHASES[phase(activity, clock)]()),
        h("span", { class: "when" }, formatSpan(activity.starts_at, activity.ends_at)),
        h("span", { class: "venue" }, activity.venue || ""))))
      : [h("li", { class: "empty" }, _("No activities today or in the coming days."))]));
  };
  mount(
    h("header", { class: "top" },
      h("span", { class: "brand" }, _("Activity sign-in")),
      h("span", { class: "who" }, app.auth?.user?.username || ""),
      languageSwitch(route),
      h("button", { type: "button", class: "small", id: "sign-out", onclick: signOut }, _("Sign out"))),
    linkProblem,
    h("h1", {}, _("Choose an activity")), note, list,
    h("div", { class: "row" }, h("button", {
      type: "button", id: "open-volunteer-code",
      onclick: () => { history.pushState(null, "", "/app/?volunteer-code"); route(); },
    }, _("My volunteer code"))),
    displaySwitches(), rescuePanel(),
  );
  render(await cachedActivities(), false);
  try {
    render(await fetchActivities(), false);
  } catch (error) {
    if (error.unauthorized) {
      app.auth = { ...app.auth, expired: true };
      await setMeta("auth", app.auth);
      showSessionExpired();
    }
    render(await cachedActivities(), true);
  }
}

function openActivity(activity) {
  unlockAudio(); // this tap lets the scan screen play its tones
  history.pushState(null, "", `/app/?activity=${activity.id}`);
  route();
}

// ---------------------------------------------------------------- rescue: export and import

function rescuePanel() {
  const message = h("p", { class: "note", id: "rescue-message", role: "status" });
  const fileInput = h("input", {
    type: "file", accept: "application/json,.json", id: "import-file", hidden: true, // the button below opens it
    onchange: async () => {
      const file = fileInput.files[0];
      if (!file) return;
      try {
        const { added, skipped } = await importPending(JSON.parse(await file.text()), (code) => parse(code) !== null);
        message.textContent = _("Imported {added} check-ins ({skipped} already known or not valid).", { added, skipped });
        await refreshStatus();
        runSync();
      } catch {
        message.textContent = _("This file is not a check-in export of this app.");
      }
      fileInput.value = "";
    },
  });
  return h("section", { class: "card rescue" },
    h("h2", {}, _("Rescue")),
    h("p", {}, _("If this phone breaks or cannot sync, save the unsent check-ins to a file and import it on another phone, or give it to your site lead.")),
    h("div", { class: "row" },
      h("button", { type: "button", id: "export", onclick: () => exportFile(message) }, _("Export unsent check-ins")),
      h("button", { type: "button", id: "import", onclick: () => fileInput.click() }, _("Import a file"))),
    fileInput, message);
}

async function exportFile(message) {
  const data = await exportPending();
  const blob = new Blob([JSON.stringify(data, null, 1)], { type: "application/json" });
  const link = h("a", { href: URL.createObjectURL(blob), download: `lwpwa-unsent-${data.exported_at.slice(0, 19).replace(/:/g, "")}.json` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  message.textContent = _("Saved {n} unsent check-ins to a file.", { n: data.checkins.length });
}

// ---------------------------------------------------------------- routing and boot


async function route() {
  app.auth = await getMeta("auth");
  await refreshStatus();
  // Residents' own codes: no volunteer sign-in needed.
  if (new URLSearchParams(location.search).has("mycode")) {
    return showMyCodes(() => { history.pushState(null, "", "/app/"); route(); });
  }
  if (!app.auth?.token || app.auth.expired) return showLogin(app.auth?.expired ? _("Your sign-in has expired. Please sign in again.") : "", route);
  const home = () => { history.pushState(null, "", "/app/"); route(); };
  if (new URLSearchParams(location.search).has("volunteer-code")) {
    leaveCurrent();
    return showVolunteerCode(home);
  }
  const id = Number(new URLSearchParams(location.search).get("activity"));
  if (id) {
    const { activity, problem } = await loadActivity(id);
    if (activity) {
      leaveCurrent();
      if (new URLSearchParams(location.search).has("photos")) {
        app.leaveScreen = await showPhotos(activity, { back: () => { history.pushState(null, "", `/app/?activity=${id}`); route(); } });
        return undefined;
      }
      app.leaveScreen = await showScan(activity, { back: home });
      document.querySelector("header.top")?.append(photosLink(activity));
      return undefined;
    }
    history.replaceState(null, "", "/app/");
    return showActivities(problem);
  }
  return showActivities();
}

async function boot() {
  await loadLocale(chooseLocale(await getMeta("locale"))).catch(() => {});
  await loadPrefs().catch(() => {});
  window.addEventListener("popstate", () => route());
  window.addEventListener("online", () => { app.backoff = 0; refreshStatus(); runSync(); });
  window.addEventListener("offline", () => refreshStatus());
  document.addEventListener("lwpwa:unauthorized", showSessionExpired);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      runSync();
      app.registration?.update().catch(() => {});
    }
  });
  try {
    const channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = () => refreshStatus();
  } catch {
    // the status bar still refreshes after each sync of this page
  }
  await route();
  // Ask again on every start: browsers grant persistence more readily to an app in use.
  if (app.auth?.token && navigator.storage?.persist) navigator.storage.persist().catch(() => {});
  registerServiceWorker();
  runSync();
  installPhotoUploads();
}

boot();
