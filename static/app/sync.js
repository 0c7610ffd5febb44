// Sending the outbox to POST /api/v1/sync. Used by the page and by the service worker's
// Background Sync, one at a time (Web Locks). An item leaves the outbox only on a final answer
// (accepted, duplicate, held, rejected); network errors, 5xx, 429 and 401 keep everything queued.
import { deviceId, getMeta, isoNow, pendingBatch, setMeta, settle } from "./store.js";

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
            checkins: batch.map(({ id, activity_id, kind, code, headcount, scanned_at }) => ({
              id, activity_id, kind, code, headcount, scanned_at,
            })),
          }),
        });
      } catch {
        return finish({ status: "offline", settled });
      }
      if (response.status === 401) {
        await setMeta("auth", { ...auth, expired: true });
        return finish({ status: "unauthorized", settled });
      }
      if (response.status === 413 && size > 1) {
        size = Math.max(1, Math.floor(size / 2));
        continue;
      }
      if (response.status === 429) {
        const retryAfter = Number(response.headers.get("Retry-After")) || 60;
        return finish({ status: "rate_limited", settled, retryAfter });
      }
      if (!response.ok) return finish({ status: "error", settled, httpStatus: response.status });
      let body;
      try {
        body = await response.json();
      } catch {
        return finish({ status: "error", settled });
      }
      const done = await settle(body.results || [], body.server_time);
      settled += done;
      if (done === 0) return finish({ status: "error", settled }); // nothing decided: don't loop
    }
    return finish({ status: settled ? "ok" : "idle", settled });
  });
}

async function finish(result) {
  const previous = (await getMeta("last_sync")) || {};
  const record = { ...previous, attempt_at: isoNow(), status: result.status };
  if (result.status === "ok" || result.status === "idle") record.ok_at = record.attempt_at;
  await setMeta("last_sync", record);
  announce({ type: "synced", result });
  return result;
}
