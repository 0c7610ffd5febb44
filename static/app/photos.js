// Activity photos as evidence (佐证材料), taken at the door with no network: each photo is
// resized on the phone to at most 1600 px and re-encoded through a canvas (which drops EXIF and
// GPS), queued in IndexedDB (store "photos") with an id of its own, and uploaded in its own
// request, one at a time. The server keeps the id: a resend (an answer lost on the way back)
// stores nothing twice and answers 200. A photo leaves the queue only on a final answer.
import { _ } from "./i18n.js";
import { fill, h, mount } from "./dom.js";
import { db, getMeta, isoNow } from "./store.js";
import { newId } from "./ids.js";

export const MAX_SIDE = 1600;
const QUALITY = 0.85;
const STRICT = { durability: "strict" };
const FINAL_REFUSALS = new Set([400, 403, 404, 409, 413, 415]);

/** A JPEG Blob of the picture, upright, at most MAX_SIDE px, without any metadata. */
export async function shrink(file) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  // OffscreenCanvas where the browser has it (older Safari does not: a page canvas then).
  const canvas = globalThis.OffscreenCanvas ? new OffscreenCanvas(width, height)
    : Object.assign(document.createElement("canvas"), { width, height });
  canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = canvas.convertToBlob ? await canvas.convertToBlob({ type: "image/jpeg", quality: QUALITY })
    : await new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error("encode"))), "image/jpeg", QUALITY));
  return { blob, width, height };
}

export async function queuePhoto(activity, file) {
  const { blob, width, height } = await shrink(file);
  const photo = { id: newId(), activity_id: activity.id, blob, width, height, taken_at: isoNow(), status: "pending" };
  const tx = (await db()).transaction("photos", "readwrite", STRICT);
  await tx.store.add(photo);
  await tx.done;
  return photo;
}

export async function activityPhotos(activityId) {
  return (await db()).getAllFromIndex("photos", "activity_id", activityId);
}

async function update(id, changes) {
  const tx = (await db()).transaction("photos", "readwrite", STRICT);
  const photo = await tx.store.get(id);
  if (photo) await tx.store.put({ ...photo, ...changes });
  await tx.done;
}

export async function pendingPhotos() {
  return (await (await db()).getAll("photos")).filter((photo) => photo.status === "pending");
}

/** Upload every pending photo, oldest first. Returns {status, uploaded}. */
export async function uploadPhotos() {
  const run = async () => {
    const auth = await getMeta("auth");
    if (!auth?.token || auth.expired) return { status: "no_auth", uploaded: 0 };
    let uploaded = 0;
    for (const photo of (await pendingPhotos()).sort((a, b) => a.id.localeCompare(b.id))) {
      const form = new FormData();
      form.append("id", photo.id);
      form.append("taken_at", photo.taken_at);
      form.append("file", photo.blob, `${photo.id}.jpg`);
      let response;
      try {
        response = await fetch(`/api/v1/activities/${photo.activity_id}/photos`, {
          method: "POST", headers: { Authorization: `Bearer ${auth.token}` }, body: form,
        });
      } catch {
        return { status: "offline", uploaded };
      }
      if (response.ok) {
        // Stored (201) or already stored before (200): the picture may leave the phone.
        await update(photo.id, { status: "uploaded", blob: null, uploaded_at: isoNow() });
        uploaded += 1;
      } else if (FINAL_REFUSALS.has(response.status)) {
        const body = await response.json().catch(() => ({}));
        await update(photo.id, { status: "refused", reason: body?.error?.message || String(response.status) });
      } else {
        return { status: "error", uploaded }; // 401, 429, 5xx: keep it queued, try later
      }
    }
    return { status: "ok", uploaded };
  };
  const result = navigator.locks
    ? await navigator.locks.request("lwpwa-photos", { ifAvailable: true }, (lock) => (lock ? run() : { status: "busy", uploaded: 0 }))
    : await run();
  document.dispatchEvent(new CustomEvent("lwpwa:photos", { detail: result }));
  return result;
}

/** Upload when the network returns, after every check-in sync and when the app is shown. */
export function installPhotoUploads() {
  const go = () => { uploadPhotos().catch((error) => console.error("photos", error)); };
  window.addEventListener("online", go);
  document.addEventListener("lwpwa:synced", go);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") go(); });
  go();
}

/** A link to an activity's photo screen, for the scan screen's header. */
export function photosLink(activity) {
  return h("a", { class: "button small", id: "photos-link", href: `/app/?activity=${activity.id}&photos=1` }, _("Photos"));
}

export async function showPhotos(activity, { back }) {
  const list = h("ul", { class: "photo-list", id: "photo-list" });
  const message = h("p", { class: "note", id: "photo-message", role: "status" });
  const input = h("input", {
    type: "file", accept: "image/*", capture: "environment", id: "photo-capture", class: "visually-hidden",
    onchange: async () => {
      const files = [...input.files];
      input.value = "";
      for (const file of files) {
        try {
          await queuePhoto(activity, file);
          message.textContent = _("Photo saved on this phone; it is sent when there is a network.");
        } catch {
          message.textContent = _("This file is not a photo that can be read.");
        }
      }
      await render();
      uploadPhotos().catch(() => {});
    },
  });
  const urls = [];
  async function render() {
    for (const url of urls.splice(0)) URL.revokeObjectURL(url);
    const photos = await activityPhotos(activity.id);
    const waiting = photos.filter((p) => p.status === "pending").length;
    list.dataset.pending = String(waiting);
    list.dataset.uploaded = String(photos.filter((p) => p.status === "uploaded").length);
    fill(list, photos.length ? photos.map((photo, index) => {
      let thumb = null;
      if (photo.blob) {
        const url = URL.createObjectURL(photo.blob);
        urls.push(url);
        thumb = h("img", { src: url, alt: _("Photo {n}", { n: index + 1 }), width: "120" });
      }
      const state = { pending: _("Waiting to be sent"), uploaded: _("Sent"), refused: _("Refused: {reason}", { reason: photo.reason || "" }) }[photo.status];
      return h("li", { class: `photo ${photo.status}`, "data-status": photo.status }, thumb, h("span", {}, state));
    }) : [h("li", { class: "empty" }, _("No photos yet."))]);
  }
  const onChange = () => render();
  document.addEventListener("lwpwa:photos", onChange);
  mount(
    h("header", { class: "top" },
      h("button", { type: "button", class: "small", id: "back", onclick: back }, _("Back to scanning")),
      h("span", { class: "brand" }, activity.name)),
    h("h1", {}, _("Photos of the activity")),
    h("p", {}, _("Photos are evidence for the site lead (at most 20 per activity). Location and camera data are removed on this phone before sending.")),
    input, h("label", { for: "photo-capture", class: "button big", id: "photo-capture-label" }, _("Take or choose a photo")),
    message, list,
  );
  await render();
  return () => {
    document.removeEventListener("lwpwa:photos", onChange);
    for (const url of urls) URL.revokeObjectURL(url);
  };
}
