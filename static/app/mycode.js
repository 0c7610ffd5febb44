// "My sign-in code": residents (not volunteers) register with consent, and their QR code is kept
// on the phone (IndexedDB, meta "residents": code, key, profile and the server's SVG) so that it
// shows offline. One phone can hold several people's codes. No volunteer sign-in is needed.
import { _, currentLocale, formatDateTime } from "./i18n.js";
import { h, mount } from "./dom.js";
import { getMeta, setMeta } from "./store.js";
import { leaveCurrent } from "./status.js";
import { languageSwitch } from "./login.js";

const STORE_KEY = "residents";
const ageGroups = () => [
  ["under_14", _("Under 14")],
  ["14_17", _("14–17")],
  ["18_59", _("18–59")],
  ["60_plus", _("60 and over")],
];

export async function storedResidents() {
  return (await getMeta(STORE_KEY)) || [];
}

async function saveResidents(list) {
  await setMeta(STORE_KEY, list);
}

async function updateResident(key, changes) {
  const list = await storedResidents();
  await saveResidents(list.map((person) => (person.key === key ? { ...person, ...changes } : person)));
}

// ---------------------------------------------------------------- server calls

class Offline extends Error {}

async function call(method, path, { key, body, accept } = {}) {
  const headers = { "Accept-Language": currentLocale() === "zh_Hans" ? "zh-CN" : "en" };
  if (key) headers.Authorization = `Resident ${key}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (accept) headers.Accept = accept;
  try {
    return await fetch(`/api/v1${path}?lang=${currentLocale()}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store",
    });
  } catch {
    throw new Offline(_("No network. This needs a connection; your saved codes still show offline."));
  }
}

/** The server's message in words (with the fields it names), or a generic one. */
async function errorText(response) {
  try {
    const { error } = await response.json();
    const fields = Object.values(error.fields || {}).filter((text) => typeof text === "string");
    // Each message once: the fields' own when there are some (the general "some fields are not
    // valid" adds nothing to them), else the general one.
    const parts = [...new Set(fields.length ? fields : [error.message])].filter(Boolean);
    if (parts.length) return parts.join(" ");
  } catch {
    // not JSON: fall through
  }
  return _("Something went wrong ({status}). Please try again.", { status: response.status });
}

async function fetchSvg(key) {
  const response = await call("GET", "/residents/me/qr.svg", { key, accept: "image/svg+xml" });
  if (!response.ok) throw new Error(await errorText(response));
  return response.text();
}

// ---------------------------------------------------------------- screens

/** The list of codes on this phone (or the registration form when there are none). */
export async function showMyCodes(back) {
  leaveCurrent();
  const people = await storedResidents();
  const header = h("header", { class: "top" },
    h("span", { class: "brand" }, _("My sign-in code")),
    languageSwitch(() => showMyCodes(back)),
    h("button", { type: "button", class: "small", id: "mycode-back", onclick: back }, _("Back")));
  if (!people.length) {
    mount(header, registerForm(back, false));
    return;
  }
  const list = h("div", { id: "people" }, ...people.map((person) => personCard(person, back)));
  mount(header, list,
    h("button", {
      type: "button", id: "add-person", class: "primary",
      onclick: () => mount(header, registerForm(back, true)),
    }, _("Add another person")));
  // Codes saved before their picture could be fetched: fetch it now if there is a network.
  for (const person of people.filter((p) => !p.svg)) {
    fetchSvg(person.key).then(async (svg) => {
      await updateResident(person.key, { svg });
      showMyCodes(back);
    }).catch(() => {});
  }
}

function registerForm(back, cancellable) {
  const error = h("p", { class: "error", role: "alert", id: "reg-error", hidden: true });
  const name = h("input", { id: "reg-name", name: "display_name", maxlength: 64, autocomplete: "off" });
  const age = h("select", { id: "reg-age", name: "age_group" },
    h("option", { value: "" }, _("Choose an age group")),
    ...ageGroups().map(([value, label]) => h("option", { value }, label)));
  const community = h("input", { id: "reg-community", name: "community", maxlength: 100, autocomplete: "off" });
  const consent = h("input", { type: "checkbox", id: "reg-consent", name: "consent" });
  const guardian = h("input", { type: "checkbox", id: "reg-guardian", name: "guardian_consent" });
  const guardianRow = h("label", { class: "check", id: "reg-guardian-row", hidden: true }, guardian,
    h("span", {}, _("I am the child's parent or guardian, or have their consent.")));
  age.addEventListener("change", () => { guardianRow.hidden = age.value !== "under_14"; });
  const submit = h("button", { type: "submit", class: "primary", id: "reg-submit" }, _("Get my sign-in code"));
  return h("form", {
    id: "register", class: "card", novalidate: true,
    onsubmit: async (event) => {
      event.preventDefault();
      error.hidden = true;
      submit.disabled = true;
      try {
        await register({
          display_name: name.value.trim() || null,
          age_group: age.value || null,
          community: community.value.trim() || null,
          consent: consent.checked,
          guardian_consent: age.value === "under_14" ? guardian.checked : false,
        });
        await showMyCodes(back);
      } catch (failure) {
        error.textContent = failure.message;
        error.hidden = false;
        submit.disabled = false;
      }
    },
  },
  h("h1", {}, _("Get a sign-in code")),
  h("section", { class: "notice", id: "notice", "aria-labelledby": "notice-title" },
    h("h2", { id: "notice-title" }, _("Please read before you agree")),
    h("p", {}, h("strong", {}, _("Purpose:")), " ",
      _("the code lets you sign in at Lifelong Learning Week activities, so that attendance can be counted.")),
    h("p", {}, h("strong", {}, _("Data kept:")), " ",
      _("only what you enter here (a name or nickname, your age group, your community) and the activities you sign in at. No ID number, no phone number.")),
    h("p", {}, h("strong", {}, _("How long:")), " ",
      _("until you delete it, or at the latest until your details are anonymised after the campaign's report is due.")),
    h("p", {}, h("strong", {}, _("Your rights:")), " ",
      _("you can see, change or delete your details at any time on this screen."))),
  h("label", { for: "reg-name" }, _("Name or nickname (optional)")), name,
  h("label", { for: "reg-age" }, _("Age group")), age,
  h("label", { for: "reg-community" }, _("Community (optional)")), community,
  h("label", { class: "check" }, consent, h("span", {}, _("I have read the notice above and agree."))),
  guardianRow,
  error, submit,
  cancellable ? h("button", { type: "button", id: "reg-cancel", onclick: () => showMyCodes(back) }, _("Cancel")) : null);
}

async function register(body) {
  const response = await call("POST", "/residents", { body });
  if (response.status !== 201) throw new Error(await errorText(response));
  const data = await response.json();
  let svg = null;
  try {
    svg = await fetchSvg(data.resident_key);
  } catch {
    // shown as text now; the picture is fetched the next time the screen opens online
  }
  const list = await storedResidents();
  list.push({
    key: data.resident_key, code: data.code, code_display: data.code_display,
    profile: data.resident, svg, added_at: new Date().toISOString(),
  });
  await saveResidents(list);
}

/** The server's SVG as an image (never inserted as markup): a blob: URL, which the CSP allows. */
function qrImage(person) {
  if (!person.svg) return h("p", { class: "note qr-missing" }, _("The QR picture will appear when the phone is online. The code below works too."));
  const url = URL.createObjectURL(new Blob([person.svg], { type: "image/svg+xml" }));
  const img = h("img", { class: "qr-image", src: url, alt: _("QR code of {code}", { code: person.code_display }) });
  img.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
  return img;
}

function personCard(person, back) {
  const message = h("p", { class: "error", role: "alert", hidden: true });
  const extra = h("div", { class: "extra" });
  const say = (text) => { message.textContent = text; message.hidden = !text; };
  const guarded = (action) => async () => {
    say("");
    try {
      await action();
    } catch (failure) {
      say(failure.message);
    }
  };
  const name = person.profile?.display_name || _("(no name)");

  const rename = () => {
    const input = h("input", { class: "rename-input", maxlength: 64, value: person.profile?.display_name || "", "aria-label": _("New name") });
    const form = h("form", {
      class: "rename",
      onsubmit: async (event) => {
        event.preventDefault();
        await guarded(async () => {
          const response = await call("PATCH", "/residents/me", { key: person.key, body: { display_name: input.value.trim() || null } });
          if (!response.ok) throw new Error(await errorText(response));
          await updateResident(person.key, { profile: await response.json() });
          await showMyCodes(back);
        })();
      },
    }, h("label", {}, _("New name"), input), h("button", { type: "submit", class: "rename-save" }, _("Save")));
    extra.replaceChildren(form);
    input.focus();
  };

  const replace = guarded(async () => {
    if (!confirm(_("Replace the code of {name}? The old code stops working.", { name }))) return;
    const response = await call("POST", "/residents/me/code", { key: person.key });
    if (response.status !== 201) throw new Error(await errorText(response));
    const data = await response.json();
    let svg = null;
    try { svg = await fetchSvg(person.key); } catch { /* fetched later */ }
    await updateResident(person.key, { code: data.code, code_display: data.code_display, profile: data.resident, svg });
    await showMyCodes(back);
  });

  const history = guarded(async () => {
    const response = await call("GET", "/residents/me/checkins", { key: person.key });
    if (!response.ok) throw new Error(await errorText(response));
    const { checkins } = await response.json();
    extra.replaceChildren(h("section", { class: "history" },
      h("h2", {}, _("Attendance history")),
      checkins.length
        ? h("ul", {}, ...checkins.map((row) => h("li", {},
          h("strong", {}, row.activity_name || ""), " ", row.org_name ? `· ${row.org_name} ` : "",
          h("span", { class: "when" }, row.scanned_at ? formatDateTime(row.scanned_at) : row.date || ""))))
        : h("p", { class: "empty" }, _("No sign-ins yet."))));
  });

  const remove = guarded(async () => {
    if (!confirm(_("Delete {name} and their sign-in code? Their details are removed from the server and from this phone. This cannot be undone.", { name }))) return;
    const response = await call("DELETE", "/residents/me", { key: person.key });
    // 401: the server no longer knows this key (deleted or anonymised): remove it here too.
    if (response.status !== 204 && response.status !== 401) throw new Error(await errorText(response));
    await saveResidents((await storedResidents()).filter((p) => p.key !== person.key));
    await showMyCodes(back);
  });

  return h("section", { class: "card person", "data-code": person.code },
    h("h2", { class: "person-name" }, name),
    h("div", { class: "qr-box" }, qrImage(person)),
    h("p", { class: "code-text", lang: "en" }, person.code_display),
    h("div", { class: "row actions" },
      h("button", { type: "button", class: "rename-open", onclick: rename }, _("Rename")),
      h("button", { type: "button", class: "replace", onclick: replace }, _("Replace the code")),
      h("button", { type: "button", class: "history-open", onclick: history }, _("History")),
      h("button", { type: "button", class: "delete", onclick: remove }, _("Delete"))),
    message, extra);
}
