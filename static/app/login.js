// Signing in: username and password, or the site lead's pairing QR (`LWPAIR:…`) scanned here.
import { _, currentLocale, loadLocale } from "./i18n.js";
import { h, mount } from "./dom.js";
import { Camera } from "./camera.js";
import { pendingCount, setMeta } from "./store.js";
import { app, leaveCurrent, runSync } from "./status.js";

export function languageSwitch(onChange) {
  const other = currentLocale() === "zh_Hans" ? "en" : "zh_Hans";
  return h("button", {
    type: "button", class: "small lang", lang: other === "en" ? "en" : "zh-Hans",
    onclick: async () => { await setMeta("locale", other); await loadLocale(other); onChange(); },
  }, other === "en" ? "English" : "中文");
}

/** The sign-in screen; `done()` runs once the phone has a token (and after a language change). */
export async function showLogin(message, done) {
  leaveCurrent();
  const pending = await pendingCount();
  const error = h("p", { class: "error", role: "alert", hidden: !message }, message || "");
  const username = h("input", { id: "username", name: "username", autocomplete: "username", required: true, autocapitalize: "none", spellcheck: "false" });
  const password = h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true });
  if (app.auth?.user?.username) username.value = app.auth.user.username;
  const submit = h("button", { type: "submit", class: "primary" }, _("Sign in"));
  const form = h("form", {
    id: "login", class: "card",
    onsubmit: async (event) => {
      event.preventDefault();
      submit.disabled = true;
      error.hidden = true;
      try {
        await signIn(username.value.trim(), password.value);
        done();
      } catch (failure) {
        error.textContent = failure.message;
        error.hidden = false;
      } finally {
        submit.disabled = false;
      }
    },
  },
  h("h1", {}, _("Volunteer sign-in")),
  pending ? h("p", { class: "note" }, _("{n} check-ins on this phone are waiting to be sent. They will be sent after you sign in.", { n: pending })) : null,
  h("label", { for: "username" }, _("Username")), username,
  h("label", { for: "password" }, _("Password")), password,
  error, submit);
  const myCode = h("button", {
    type: "button", id: "open-mycode", class: "mycode-entry",
    onclick: () => { history.pushState(null, "", "/app/?mycode"); done(); },
  }, _("My sign-in code"));
  mount(h("header", { class: "top" }, h("span", { class: "brand" }, _("Activity sign-in")), languageSwitch(done)),
    h("section", { class: "card resident-entry" },
      h("p", {}, _("Residents: get, show or manage your own sign-in code here, no account needed.")), myCode),
    form, pairingPanel(done));
}

/** Sign in by scanning the pairing QR (`LWPAIR:…`) that the site lead shows on the workspace. */
function pairingPanel(done) {
  const video = h("video", { id: "pair-camera", class: "camera", muted: true, playsinline: true, hidden: true });
  const message = h("p", { class: "error", role: "alert", id: "pair-message", hidden: true });
  let camera = null;
  const stop = () => { camera?.stop(); camera = null; video.hidden = true; };
  const pair = async (payload) => {
    stop();
    try {
      await exchangePairingCode(payload);
      done();
    } catch (failure) {
      message.textContent = failure.message;
      message.hidden = false;
    }
  };
  const start = h("button", {
    type: "button", id: "pair-scan",
    onclick: async () => {
      message.hidden = true;
      if (camera) return;
      camera = new Camera(video, async (texts) => {
        const payload = texts.find((text) => text.startsWith("LWPAIR:"));
        if (payload && camera) await pair(payload);
      });
      video.hidden = false;
      app.leaveScreen = stop;
      camera.start().catch(() => {
        stop();
        message.textContent = _("The camera is not available ({reason}). Type codes, use a photo or a USB scanner.", { reason: "camera" });
        message.hidden = false;
      });
    },
  }, _("Scan the pairing QR code of your site lead"));
  // The workspace also shows the code as text ("Cannot scan? Type the code instead").
  const typed = h("input", { id: "pair-code", name: "pair-code", autocomplete: "off", autocapitalize: "none", spellcheck: "false" });
  const typedForm = h("form", {
    id: "pair-typed",
    onsubmit: async (event) => {
      event.preventDefault();
      message.hidden = true;
      const text = typed.value.replace(/\s+/g, "");
      if (text) await pair(text.startsWith("LWPAIR:") ? text : `LWPAIR:${text}`);
    },
  }, h("label", { for: "pair-code" }, _("Or type the pairing code")), typed,
  h("button", { type: "submit", id: "pair-submit" }, _("Pair")));
  return h("section", { class: "card pairing" }, h("h2", {}, _("Pair with a code")), start, video, typedForm, message);
}

async function exchangePairingCode(payload) {
  let response;
  try {
    response = await fetch("/api/v1/auth/pair", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code: payload, device_name: `lwpwa scanner (${navigator.platform || "phone"})` }),
    });
  } catch {
    throw new Error(_("No network. Signing in needs a connection once; scanning works offline afterwards."));
  }
  if (response.status === 401) throw new Error(_("This pairing code is unknown, expired or already used. Ask for a new one."));
  if (!response.ok) throw new Error(_("Signing in failed ({status}). Please try again.", { status: response.status }));
  await signedIn(await response.json());
}

async function signIn(username, password) {
  let response;
  try {
    response = await fetch("/api/v1/auth/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username, password, device_name: `lwpwa scanner (${navigator.platform || "phone"})` }),
    });
  } catch {
    throw new Error(_("No network. Signing in needs a connection once; scanning works offline afterwards."));
  }
  if (response.status === 401) throw new Error(_("Wrong username or password."));
  if (response.status === 429) throw new Error(_("Too many attempts. Please wait a few minutes."));
  if (!response.ok) throw new Error(_("Signing in failed ({status}). Please try again.", { status: response.status }));
  await signedIn(await response.json());
}

async function signedIn(body) {
  app.auth = { token: body.token, user: body.user, expired: false };
  await setMeta("auth", app.auth);
  if (navigator.storage?.persist) navigator.storage.persist().catch(() => {});
  runSync();
}
