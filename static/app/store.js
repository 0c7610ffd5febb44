// Everything the scanner knows lives in IndexedDB, written with strict durability before any
// network call: the outbox of unsynced check-ins, what was already scanned today (one scan per
// code, activity, kind and day), the server's answers, the cached activities and the session.
// Works in the page and in the service worker (no DOM here).
import { openDB } from "/static/vendor/idb/index.js";
import { activityDay, isoNow } from "./clock.js";
import { newId } from "./ids.js";

export { activityDay, isoNow, STRICT };

const DB_NAME = "lwpwa";
const DB_VERSION = 2;
const STRICT = { durability: "strict" };

let dbPromise = null;

export function db() {
  if (!dbPromise) {
    dbPromise = openDB(DB_NAME, DB_VERSION, {
      upgrade(database, oldVersion) {
        // Migrations, keyed by the version the device had; never drop the outbox.
        if (oldVersion < 1) {
          database.createObjectStore("meta");
          const outbox = database.createObjectStore("outbox", { keyPath: "id" });
          outbox.createIndex("seq", "seq");
          outbox.createIndex("activity_id", "activity_id");
          database.createObjectStore("seen", { keyPath: "key" });
          database.createObjectStore("counts", { keyPath: "key" });
          const results = database.createObjectStore("results", { keyPath: "id" });
          results.createIndex("activity_id", "activity_id");
          database.createObjectStore("activities", { keyPath: "id" });
        }
        if (oldVersion < 2) {
          // Activity photos waiting to be uploaded, and what became of them (photos.js).
          database.createObjectStore("photos", { keyPath: "id" }).createIndex("activity_id", "activity_id");
        }
      },
      blocking() {
        // A newer version of the app wants to upgrade the schema: let it.
        dbPromise?.then((database) => database.close());
        dbPromise = null;
      },
    });
  }
  return dbPromise;
}

export async function getMeta(key) {
  return (await db()).get("meta", key);
}

export async function setMeta(key, value) {
  const database = await db();
  const tx = database.transaction("meta", "readwrite", STRICT);
  await tx.store.put(value, key);
  await tx.done;
}

export async function deviceId() {
  let id = await getMeta("device_id");
  if (!id) {
    id = newId();
    await setMeta("device_id", id);
  }
  return id;
}

export const countKey = (activityId, kind, day) => `${activityId}|${kind}|${day}`;

export function bump(counts, previous, activityId, kind, day, field, amount) {
  const entry = previous || { key: countKey(activityId, kind, day), activity_id: activityId, kind, day, scanned: 0, headcount: 0 };
  entry[field] += amount;
  return counts.put(entry);
}

let seq = Date.now() * 1000;
export const nextSeq = () => (seq += 1);

/**
 * Queue one scanned code. Returns "new" if it was queued, "duplicate" if this code was already
 * recorded for this activity, kind and day on this device (nothing is queued then).
 */
export async function enqueueCode(activity, kind, code, date = new Date(), { expect = "accepted" } = {}) {
  const day = activityDay(activity, date);
  const database = await db();
  const tx = database.transaction(["outbox", "seen", "counts"], "readwrite", STRICT);
  const seenKey = `${activity.id}|${kind}|${day}|${code}`;
  const seen = tx.objectStore("seen");
  if (await seen.get(seenKey)) {
    tx.abort();
    await tx.done.catch(() => {});
    return { status: "duplicate" };
  }
  // `expect`: what the phone told the volunteer (accepted: green or "to be confirmed"; held:
  // amber, outside the activity's time). A final answer other than that is shown in the alert.
  const item = {
    id: newId(), activity_id: activity.id, kind, code, headcount: null,
    scanned_at: isoNow(date), at_ms: date.getTime(), day, seq: nextSeq(), expect,
  };
  const counts = tx.objectStore("counts");
  await Promise.all([
    seen.add({ key: seenKey, activity_id: activity.id, kind, day, code, id: item.id }),
    tx.objectStore("outbox").add(item),
    counts.get(countKey(activity.id, kind, day)).then((prev) => bump(counts, prev, activity.id, kind, day, "scanned", 1)),
  ]);
  await tx.done;
  return { status: "new", item };
}

/** Queue a tally of `n` people without a code. */
export async function enqueueHeadcount(activity, kind, n, date = new Date(), { expect = "accepted" } = {}) {
  const day = activityDay(activity, date);
  const database = await db();
  const tx = database.transaction(["outbox", "counts"], "readwrite", STRICT);
  const item = {
    id: newId(), activity_id: activity.id, kind, code: null, headcount: n,
    scanned_at: isoNow(date), at_ms: date.getTime(), day, seq: nextSeq(), expect,
  };
  const counts = tx.objectStore("counts");
  await Promise.all([
    tx.objectStore("outbox").add(item),
    counts.get(countKey(activity.id, kind, day)).then((prev) => bump(counts, prev, activity.id, kind, day, "headcount", n)),
  ]);
  await tx.done;
  return { status: "new", item };
}

/** Today's counts on this device for one activity: {attendee: {scanned, headcount}, volunteer: {...}}. */
export async function deviceCounts(activity, date = new Date()) {
  const database = await db();
  const day = activityDay(activity, date);
  const out = {};
  for (const kind of ["attendee", "volunteer"]) {
    const entry = await database.get("counts", countKey(activity.id, kind, day));
    out[kind] = { scanned: entry?.scanned || 0, headcount: entry?.headcount || 0 };
  }
  return out;
}

export async function pendingCount(activityId) {
  const database = await db();
  if (activityId === undefined) return database.count("outbox");
  return database.countFromIndex("outbox", "activity_id", activityId);
}

/** The oldest `limit` queued items, in the order they were scanned. */
export async function pendingBatch(limit) {
  const database = await db();
  const items = [];
  let cursor = await database.transaction("outbox").store.index("seq").openCursor();
  while (cursor && items.length < limit) {
    items.push(cursor.value);
    cursor = await cursor.continue();
  }
  return items;
}

export async function allPending() {
  const database = await db();
  return database.getAllFromIndex("outbox", "seq");
}

const FINAL = new Set(["accepted", "duplicate", "held", "rejected"]);

/**
 * Record the server's final answers; only those items leave the outbox. Returns how many.
 * An answer other than what the phone showed (a green scan not counted, a void refused) is
 * added to meta "refused", which the scan screen shows in its alert until dismissed.
 */
export async function settle(results, serverTime) {
  const database = await db();
  const tx = database.transaction(["outbox", "results", "meta"], "readwrite", STRICT);
  const outbox = tx.objectStore("outbox");
  const store = tx.objectStore("results");
  const meta = tx.objectStore("meta");
  const refused = (await meta.get("refused")) || [];
  const before = refused.length;
  let settled = 0;
  for (const result of results) {
    if (!result || !FINAL.has(result.status)) continue;
    const item = await outbox.get(result.id);
    if (!item) continue;
    await store.put({ ...item, status: result.status, reason: result.reason || null, synced_at: serverTime || isoNow() });
    await outbox.delete(result.id);
    settled += 1;
    if (item.kind === "void") {
      const target = await store.get(item.voids);
      if (result.status === "accepted" && target) await store.put({ ...target, voided: true });
      // A void of something never counted changes nothing: no news worth an alert.
      if (result.status === "rejected" && target?.status === "accepted") refused.push(refusal(item, result));
    } else if (!item.undone && !item.imported && result.status !== (item.expect || "accepted")) {
      refused.push(refusal(item, result));
    }
  }
  if (refused.length !== before) await meta.put(refused, "refused");
  await tx.done;
  return settled;
}

function refusal(item, result) {
  const { id, activity_id, kind, code, headcount, voids, scanned_at } = item;
  return { id, activity_id, kind, code, headcount, voids, scanned_at, status: result.status, reason: result.reason || null };
}

/** What the server did not count of an activity, since the volunteer last dismissed the alert. */
export async function refusedFor(activityId) {
  return ((await getMeta("refused")) || []).filter((row) => row.activity_id === activityId);
}

export async function dismissRefused(activityId) {
  const database = await db();
  const tx = database.transaction("meta", "readwrite", STRICT);
  const rest = ((await tx.store.get("refused")) || []).filter((row) => row.activity_id !== activityId);
  await tx.store.put(rest, "refused");
  await tx.done;
}

/** People an item stands for: a code is one person, a tally of 3 is three (人次). */
export const people = (row) => (row.code ? 1 : row.headcount || 0);

/** The receipt of one activity, in people: by final status, voided ones apart, and the refused items. */
export async function receipt(activityId) {
  const database = await db();
  const rows = await database.getAllFromIndex("results", "activity_id", activityId);
  const summary = { accepted: 0, duplicate: 0, held: 0, rejected: 0, voided: 0 };
  for (const row of rows) {
    if (row.kind === "void") continue;
    if (row.status === "accepted" && row.voided) summary.voided += people(row);
    else summary[row.status] = (summary[row.status] || 0) + people(row);
  }
  const rejected = rows.filter((row) => row.status === "rejected");
  return { summary, rejected, pending: await pendingCount(activityId) };
}

export async function cacheActivities(activities) {
  const database = await db();
  const tx = database.transaction("activities", "readwrite");
  await tx.store.clear();
  for (const activity of activities) await tx.store.put(activity);
  await tx.done;
}

export async function cachedActivities() {
  return (await db()).getAll("activities");
}

export async function cachedActivity(id) {
  return (await db()).get("activities", id);
}

export async function putActivity(activity) {
  return (await db()).put("activities", activity);
}

/** An outbox item as POST /api/v1/sync takes it (a void: API.md "Corrections"). */
export function wireItem({ id, activity_id, kind, code, headcount, scanned_at, voids }) {
  if (kind === "void") return { id, kind, voids, scanned_at };
  return { id, activity_id, kind, code, headcount, scanned_at };
}

/** Rescue file: everything unsynced, with what is needed to send it from another device. */
export async function exportPending() {
  return {
    format: "lwpwa-outbox", version: 1, exported_at: isoNow(), device_id: await deviceId(),
    // Voids keep their activity_id in the file so that the importing phone files them by activity.
    checkins: (await allPending()).map((item) => ({ ...wireItem(item), ...(item.kind === "void" ? { activity_id: item.activity_id } : {}) })),
  };
}

/**
 * Take a rescue file's check-ins into this device's outbox. Items already queued or already
 * answered here are skipped (the server would answer them the same way by their id anyway).
 */
export async function importPending(data, isValidCode) {
  if (!data || data.format !== "lwpwa-outbox" || !Array.isArray(data.checkins)) throw new Error("format");
  const database = await db();
  const tx = database.transaction(["outbox", "results"], "readwrite", STRICT);
  let added = 0;
  let skipped = 0;
  for (const raw of data.checkins) {
    const isVoid = raw?.kind === "void" && typeof raw.voids === "string";
    const ok = raw && typeof raw.id === "string" && typeof raw.scanned_at === "string" && (isVoid || (
      Number.isInteger(raw.activity_id) && ["attendee", "volunteer"].includes(raw.kind) &&
      ((typeof raw.code === "string" && isValidCode(raw.code) && raw.headcount == null) ||
       (raw.code == null && Number.isInteger(raw.headcount) && raw.headcount >= 1))));
    if (!ok || (await tx.objectStore("outbox").get(raw.id)) || (await tx.objectStore("results").get(raw.id))) {
      skipped += 1;
      continue;
    }
    await tx.objectStore("outbox").add({
      id: raw.id, activity_id: Number.isInteger(raw.activity_id) ? raw.activity_id : 0, kind: raw.kind,
      code: raw.code ?? null, headcount: raw.headcount ?? null, voids: isVoid ? raw.voids : undefined,
      scanned_at: raw.scanned_at, day: raw.scanned_at.slice(0, 10), seq: nextSeq(), imported: true,
    });
    added += 1;
  }
  await tx.done;
  return { added, skipped };
}
