// Check-in and device ids, made on the device (the server's idempotency key).
//
// Version 7 UUIDs (RFC 9562): the first 48 bits are the Unix time in milliseconds, the other 74
// random. The server keeps every id in a unique index; ids that grow with time land at the
// index's end, a few pages per batch, where random (version 4) ids touch one page each and made
// every sync commit write hundreds of pages (bench/sync_ingest.py). A wrong phone clock only
// moves its ids elsewhere in the index: ids stay unique by their 74 random bits.
// getRandomValues exists outside secure contexts too (plain http on a local network).
export function newId(source = globalThis.crypto, now = Date.now()) {
  const bytes = source.getRandomValues(new Uint8Array(16));
  let ms = Math.max(0, Math.floor(now));
  for (let i = 5; i >= 0; i--) {
    bytes[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
