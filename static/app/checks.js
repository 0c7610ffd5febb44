// What the phone can know about a code and a moment before it queues a scan: whether the code
// can count (the campaign's code filter, filter.js) and whether the activity is on (the times
// beyond which the server holds a scan for the site lead). See docs/pwa.md "Green means counted".
import { classify } from "./filter.js";
import { getMeta } from "./store.js";

export const DEFAULT_HOLD_MARGIN_HOURS = 6; // the server's SYNC_HOLD_MARGIN_HOURS; the filter says its own

export async function loadFilter(campaignId) {
  return campaignId ? (await getMeta(`filter:${campaignId}`)) || null : null;
}

/** "known", "revoked", "unknown" (not issued, or issued after the filter) or "unchecked" (no filter yet). */
export function checkCode(filter, code) {
  return classify(filter, code);
}

/** "before", "after" or "on": where the server's clock now lies against the activity's time. */
export function timing(activity, filter, clockOffsetMs = 0, date = new Date()) {
  const now = date.getTime() + (clockOffsetMs || 0);
  const margin = (filter?.hold_margin_hours ?? DEFAULT_HOLD_MARGIN_HOURS) * 3600 * 1000;
  const start = Date.parse(activity.starts_at);
  const end = Date.parse(activity.ends_at);
  if (Number.isFinite(start) && now < start - margin) return "before";
  if (Number.isFinite(end) && now > end + margin) return "after";
  return "on";
}

/** "on", "ended" or "upcoming" for the activity list (the activity's own times, no margin). */
export function phase(activity, clockOffsetMs = 0, date = new Date()) {
  const now = date.getTime() + (clockOffsetMs || 0);
  if (now > Date.parse(activity.ends_at)) return "ended";
  if (now < Date.parse(activity.starts_at)) return "upcoming";
  return "on";
}
