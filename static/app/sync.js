// Sending the outbox to POST /api/v1/sync. Used by the page and by the service worker's
// Background Sync, one at a time (Web Locks). An item leaves the outbox only on a final answer
// (accepted, duplicate, held, rejected); network errors, 5xx, 429 and 401 keep everything queued.
import { cachedActivities, deviceId, getMeta, isoNow, pendingBatch, setMeta, settle, wireItem } from "./store.js";
import { applyAnswer } from "./filter.js";

export const BATCH_SIZE = 500;
export const CHANNEL = "lwpwa";

function announce(message) {
  try {
    const channel = new BroadcastChannel(CHANNEL);
    channel.postMessage(message);
    channel.close();
  } catch {
    // no BroadcastChannel: pages refresh on their own timer
  }
}

async function withLock(fn) {
  if (globalThis.navigator?.locks) {
    return navigator.locks.request("lwpwa-sync", { ifAvailable: true }, (lock) => (lock ? fn() : { status: "busy" }));
  }
  return fn();
}

/**
 * Send everything queued, in batches of at most BATCH_SIZE. Returns {status, settled, retryAfter?}
 * where status is ok, idle (nothing to send), no_auth, unauthorized, rate_limited, offline,
 * error or busy (another sync is running).
 */
export function syncOutbox() {
  return withLock(async () => {
    const auth = await getMeta("auth");
    if (!auth?.token) return { status: "no_auth", settled: 0 };
    if (auth.expired) return { status: "unauthorized", settled: 0 };
    const device = await deviceId();
    let settled = 0;
    // "Last sync" moves only when the server answered (a sync or a filter request), never on
    // an attempt that reached nobody.
    let answered = false;
    let size = BATCH_SIZE;
    for (;;) {
      const batch = await pendingBatch(size);
      if (!batch.length) break;
      let response;
      try {
        response = await fetch("/api/v1/sync", {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: `Bearer ${auth.token}` },
          body: JSON.stringify({
            device_id: device,
            sent_at: isoNow(),
            checkins: batch.map(wireItem),
          }),
        });
      } catch {
        return finish({ status: "offline", settled, answered });
      }
      if (response.status === 401) {
        await setMeta("auth", { ...auth, expired: true });
        return finish({ status: "unauthorized", settled, answered });
      }
      if (response.status === 413 && size > 1) {
        size = Math.max(1, Math.floor(size / 2));
        continue;
      }
      if (response.status === 429) {
        const retryAfter = Number(response.headers.get("Retry-After")) || 60;
        return finish({ status: "rate_limited", settled, answered, retryAfter });
      }
      if (!response.ok) return finish({ status: "error", settled, answered, httpStatus: response.status });
      let body;
      try {
        body = await response.json();
      } catch {
        return finish({ status: "error", settled, answered });
      }
      answered = true;
      await noteClock(body.server_time);
      const done = await settle(body.results || [], body.server_time);
      settled += done;
      if (done === 0) return finish({ status: "error", settled, answered }); // nothing decided: don't loop
    }
    const filters = await refreshFilters(auth.token);
    if (filters === "unauthorized") {
      await setMeta("auth", { ...auth, expired: true });
      return finish({ status: "unauthorized", settled, answered });
    }
    answered = answered || filters === "answered";
    if (!answered && filters === "offline") return finish({ status: "offline", settled, answered });
    return finish({ status: settled ? "ok" : "idle", settled, answered });
  });
}

/** The phone's clock error, as the server sees it (used to tell whether an activity is on). */
async function noteClock(serverTime) {
  const at = Date.parse(serverTime);
  if (Number.isFinite(at)) await setMeta("clock_offset_ms", at - Date.now());
}

/**
 * Bring the code filter of every campaign the phone scans for up to date (a delta since its
 * cursor). Returns "answered", "offline", "unauthorized" or "none" (nothing to refresh).
 */
export async function refreshFilters(token, campaignIds = null) {
  const ids = campaignIds || [...new Set((await cachedActivities()).map((a) => a.campaign_id).filter(Boolean))];
  let outcome = "none";
  for (const id of ids) {
    const result = await refreshFilter(token, id);
    if (result === "unauthorized") return result;
    if (result === "answered") outcome = "answered";
    else if (outcome === "none") outcome = result;
  }
  return outcome;
}

async function refreshFilter(token, campaignId, again = false) {
  const key = `filter:${campaignId}`;
  const previous = again ? null : await getMeta(key);
  const since = previous?.cursor ? `?since=${encodeURIComponent(previous.cursor)}` : "";
  let response;
  try {
    response = await fetch(`/api/v1/campaigns/${campaignId}/code-filter${since}`, {
      headers: { Authorization: `Bearer ${token}` }, cache: "no-store",
    });
  } catch {
    return "offline";
  }
  if (response.status === 401) return "unauthorized";
  if (!response.ok) return "error";
  let answer;
  try {
    answer = await response.json();
  } catch {
    return "error";
  }
  const filter = applyAnswer(previous, answer);
  if (!filter) return again ? "error" : refreshFilter(token, campaignId, true); // a delta that did not fit
  await setMeta(key, { ...filter, fetched_at: isoNow() });
  await noteClock(answer.generated_at);
  return "answered";
}

async function finish(result) {
  const previous = (await getMeta("last_sync")) || {};
  const record = { ...previous, attempt_at: isoNow(), status: result.status };
  if (result.answered && (result.status === "ok" || result.status === "idle")) record.ok_at = record.attempt_at;
  await setMeta("last_sync", record);
  announce({ type: "synced", result });
  return result;
}
