// The service worker, served as /sw.js with `const BUILD = {version, precache}` written in front
// of this file by the server (lwpwa/pwa/assets.py). A module worker, so that Background Sync can
// send the outbox with the same code as the page.
//
// - install: precache every file of this version (awaited; a failure leaves the old version on);
// - activate: delete the caches of older versions (never IndexedDB: the outbox lives there);
// - fetch: the app shell and its files from this version's cache (they belong together),
//   everything else (the API) straight to the network;
// - a new version waits until the page says "reload" (SKIP_WAITING), so it never swaps files
//   under a volunteer in the middle of a queue.
/* global BUILD */
import { syncOutbox } from "/static/app/sync.js";

const PREFIX = "lwpwa-";
const CACHE = `${PREFIX}${BUILD.version}`;
const PRECACHE = new Set(BUILD.precache);

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // cache: "reload" skips the HTTP cache, so a new version never precaches stale files.
      await cache.addAll(BUILD.precache.map((url) => new Request(url, { cache: "reload" })));
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((name) => name.startsWith(PREFIX) && name !== CACHE).map((name) => caches.delete(name)));
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "SKIP_WAITING") self.skipWaiting();
  if (event.data?.type === "VERSION") event.source?.postMessage({ type: "VERSION", version: BUILD.version });
});

async function fromCache(request, key) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key);
  if (hit) return hit;
  return fetch(request);
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate" && url.pathname.startsWith("/app/")) {
    // /app/?activity=12 is the same shell as /app/.
    event.respondWith(fromCache(request, "/app/"));
    return;
  }
  if (PRECACHE.has(url.pathname)) event.respondWith(fromCache(request, url.pathname));
});

self.addEventListener("sync", (event) => {
  if (event.tag === "lwpwa-outbox") {
    event.waitUntil(
      syncOutbox().then((result) => {
        // Let the browser retry later on the failures worth retrying.
        if (["offline", "error", "rate_limited"].includes(result.status)) throw new Error(result.status);
      }),
    );
  }
});
