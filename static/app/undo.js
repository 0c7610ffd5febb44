// "Undo the last one": a void item in the outbox (API.md "Corrections"), offline too. A counted
// check-in is never deleted, on the phone either: the void goes to the server like any scan,
// which voids the target (or answers void_not_allowed). The phone's own counts and its
// "already scanned" key drop at once, so the person can be scanned again.
import { countKey, db, isoNow, nextSeq, STRICT } from "./store.js";
import { newId } from "./ids.js";

export const UNDO_WINDOW_MS = 15 * 60 * 1000;

function tappedAt(item) {
  return item.at_ms ?? Date.parse(item.scanned_at);
}

/** The newest check-in or tally of this activity made on this phone that may still be undone. */
export async function lastUndoable(activityId, now = Date.now()) {
  const database = await db();
  const [queued, answered] = await Promise.all([
    database.getAllFromIndex("outbox", "activity_id", activityId),
    database.getAllFromIndex("results", "activity_id", activityId),
  ]);
  let best = null;
  for (const item of [...queued, ...answered]) {
    if (item.kind === "void" || item.undone || item.imported || item.voided) continue;
    if (item.status && item.status !== "accepted" && item.status !== "held") continue;
    if (now - tappedAt(item) > UNDO_WINDOW_MS) continue;
    if (!best || item.seq > best.seq) best = item;
  }
  return best;
}

/** Queue a void of the last undoable item; returns the item undone, or null if there is none. */
export async function undoLast(activityId, date = new Date()) {
  const target = await lastUndoable(activityId, date.getTime());
  if (!target) return null;
  const database = await db();
  const tx = database.transaction(["outbox", "results", "seen", "counts"], "readwrite", STRICT);
  const home = tx.objectStore(target.status ? "results" : "outbox");
  const current = await home.get(target.id);
  if (!current || current.undone) {
    tx.abort();
    await tx.done.catch(() => {});
    return null;
  }
  const counts = tx.objectStore("counts");
  const key = countKey(target.activity_id, target.kind, target.day);
  const entry = await counts.get(key);
  if (entry) {
    if (target.code) entry.scanned = Math.max(0, entry.scanned - 1);
    else entry.headcount = Math.max(0, entry.headcount - target.headcount);
    await counts.put(entry);
  }
  if (target.code) await tx.objectStore("seen").delete(`${target.activity_id}|${target.kind}|${target.day}|${target.code}`);
  await home.put({ ...current, undone: true });
  await tx.objectStore("outbox").add({
    id: newId(), kind: "void", voids: target.id, activity_id: target.activity_id,
    scanned_at: isoNow(date), at_ms: date.getTime(), seq: nextSeq(), expect: "accepted",
  });
  await tx.done;
  return target;
}
