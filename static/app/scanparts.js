// The scan screen's panels: this phone's counts, the server's totals for every phone, the
// receipt (in people, 人次), the alert of what the server did not count, and the undo button.
import { _, formatDateTime, formatTime } from "./i18n.js";
import { fill, h } from "./dom.js";
import { grouped } from "./code.js";
import { deviceCounts, getMeta, people, receipt, refusedFor, setMeta } from "./store.js";

const REASONS = {
  invalid: () => _("not a valid sign-in code"),
  unknown_code: () => _("this code is not registered"),
  revoked_code: () => _("this code has been withdrawn"),
  unknown_activity: () => _("the activity does not exist"),
  forbidden_activity: () => _("your unit may not record check-ins for this activity"),
  void_not_allowed: () => _("could not be undone (more than 15 minutes, another account's, not counted, or the table is already accepted)"),
};

export function reasonText(reason) {
  return (REASONS[reason] || (() => reason || _("unknown reason")))();
}

/** Why an item was not counted, in words. */
export function outcomeText(row) {
  if (row.kind === "void") return REASONS.void_not_allowed();
  if (row.status === "duplicate") return _("already counted today (another phone or an earlier scan)");
  if (row.status === "held") return _("outside the activity's time: waits for the site lead");
  return reasonText(row.reason);
}

/** A code in groups that never break inside a group; the check character stays with the last group. */
export function codeText(code) {
  const groups = grouped(code).split("-");
  const last = groups.length > 1 ? `${groups.splice(-2).join("-")}` : groups.pop();
  const parts = [...groups.map((g) => `${g}-`), last];
  return h("span", { class: "code" }, parts.flatMap((part, i) => [h("span", { class: "group" }, part), i < parts.length - 1 ? h("wbr") : null]));
}

function what(row) {
  if (row.kind === "void") return _("Undo of an earlier scan");
  if (row.code) return grouped(row.code);
  return row.kind === "volunteer" ? _("{n} volunteers without a code", { n: row.headcount }) : _("{n} walk-ins", { n: row.headcount });
}

export async function renderCounts(box, activity) {
  const c = await deviceCounts(activity);
  fill(box,
    h("div", { class: "count main" }, h("span", { class: "label" }, _("This phone: signed in with a code today")),
      h("span", { class: "value", id: "count-scanned" }, String(c.attendee.scanned))),
    h("div", { class: "count" }, h("span", { class: "label" }, _("This phone: walk-ins counted by hand")),
      h("span", { class: "value", id: "count-walkins" }, String(c.attendee.headcount))),
    h("div", { class: "count" }, h("span", { class: "label" }, _("This phone: volunteers on duty")),
      h("span", { class: "value", id: "count-volunteers" }, String(c.volunteer.scanned + c.volunteer.headcount))));
}

/** The activity's totals from the server, for every phone; the last known ones when offline. */
export async function renderServerTotals(box, activity, token) {
  const key = `stats:${activity.id}`;
  let known = await getMeta(key);
  if (navigator.onLine && token) {
    try {
      const response = await fetch(`/api/v1/activities/${activity.id}/stats`, { headers: { Authorization: `Bearer ${token}` } });
      if (response.ok) {
        known = { stats: await response.json(), at: new Date().toISOString() };
        await setMeta(key, known);
      }
    } catch {
      // offline after all: keep the last known figures
    }
  }
  if (!known) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  box.dataset.attendance = String(known.stats.attendance);
  fill(box,
    h("span", { class: "label" }, _("All phones, on the server ({time}):", { time: formatTime(known.at) })),
    h("span", { class: "figure", id: "server-attendance" }, _("{n} participations", { n: known.stats.attendance })),
    h("span", { class: "figure", id: "server-volunteers" }, _("{n} volunteers", { n: known.stats.volunteers })));
}

export async function renderReceipt(box, activity) {
  const r = await receipt(activity.id);
  box.dataset.accepted = String(r.summary.accepted);
  box.dataset.pending = String(r.pending);
  fill(box,
    h("h2", {}, _("Receipt from the server (people)")),
    h("ul", { class: "summary" },
      h("li", { class: "accepted" }, _("Counted: {n} people", { n: r.summary.accepted })),
      h("li", { class: "duplicate" }, _("Already counted: {n} people", { n: r.summary.duplicate })),
      h("li", { class: "held" }, _("Held for the site lead: {n} people", { n: r.summary.held })),
      h("li", { class: "rejected" }, _("Refused: {n} people", { n: r.summary.rejected })),
      r.summary.voided ? h("li", { class: "voided" }, _("Undone: {n} people", { n: r.summary.voided })) : null,
      h("li", { class: "pending" }, _("Not sent yet: {n} items", { n: r.pending }))),
    r.rejected.length ? h("ul", { class: "rejected-list" }, r.rejected.map((row) => h("li", {},
      [what(row), formatDateTime(row.scanned_at), outcomeText(row)].join(" · ")))) : null);
}

/** The alert after a sync: what the server did not count, until dismissed. Returns how many. */
export async function renderRefused(box, activity, onDismiss) {
  const rows = await refusedFor(activity.id);
  box.hidden = rows.length === 0;
  box.dataset.count = String(rows.length);
  if (!rows.length) {
    box.replaceChildren();
    return 0;
  }
  const total = rows.reduce((sum, row) => sum + (row.kind === "void" ? 0 : people(row)), 0);
  fill(box,
    h("h2", {}, h("span", { class: "icon", "aria-hidden": "true" }, "✗ "),
      _("{n} check-ins were not counted", { n: rows.length }),
      total !== rows.length ? h("span", { class: "detail" }, _(" ({n} people)", { n: total })) : null),
    h("ul", {}, rows.map((row) => h("li", { "data-id": row.id },
      h("strong", {}, what(row)), " · ", formatDateTime(row.scanned_at), " · ", outcomeText(row)))),
    h("button", { type: "button", id: "refused-dismiss", onclick: onDismiss }, _("Understood")));
  return rows.length;
}

/** What "undo the last one" would undo, in a few words ("" if nothing). */
export function undoDetail(target) {
  if (!target) return _("nothing to undo in the last 15 minutes");
  const what = target.code ? grouped(target.code) : `+${target.headcount}`;
  return `${what} · ${formatTime(target.scanned_at)}`;
}
