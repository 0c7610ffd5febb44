// "My volunteer code": the signed-in volunteer's own sign-in code (every account has one, so a
// volunteer on duty is scanned like anyone else), kept on the phone to show offline.
import { _ } from "./i18n.js";
import { h, mount } from "./dom.js";
import { getMeta, setMeta } from "./store.js";
import { app } from "./status.js";
import { codeText } from "./scanparts.js";

async function fetchCode() {
  const response = await fetch("/api/v1/me/code", { headers: { Authorization: `Bearer ${app.auth.token}` } });
  if (!response.ok) throw new Error(String(response.status));
  return response.json();
}

export async function showVolunteerCode(back) {
  const key = `volunteer_code:${app.auth?.user?.id}`;
  let mine = await getMeta(key);
  const note = h("p", { class: "note", role: "status" });
  try {
    mine = await fetchCode();
    await setMeta(key, mine);
  } catch {
    note.textContent = mine ? _("Offline: the code saved on this phone.") : _("Your code could not be loaded. Try again online.");
  }
  let image = null;
  if (mine) {
    // The server's SVG as an image, never inserted as markup.
    const url = URL.createObjectURL(new Blob([mine.qr_svg], { type: "image/svg+xml" }));
    image = h("img", { class: "qr-image", id: "volunteer-qr", src: url, alt: _("QR code of {code}", { code: mine.code_display }) });
  }
  mount(
    h("header", { class: "top" },
      h("button", { type: "button", class: "small", id: "back", onclick: back }, _("All activities")),
      h("span", { class: "brand" }, app.auth?.user?.username || "")),
    h("h1", {}, _("My volunteer code")),
    h("p", {}, _("Show this to the volunteer who records the volunteers on duty.")),
    mine ? h("section", { class: "card person" },
      h("div", { class: "qr-box" }, image),
      h("p", { class: "code-text", id: "volunteer-code-text" }, codeText(mine.code))) : null,
    note,
  );
}
