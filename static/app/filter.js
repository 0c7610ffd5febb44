// The campaign's code filter (GET /api/v1/campaigns/<id>/code-filter, lwpwa/pwa/codefilter.py):
// two Bloom filters of SHA-256(salt ‖ code), so that offline the phone tells a code that can
// count from an unregistered or a withdrawn one. No DOM and no imports: node tests it too.

function fromBase64(text) {
  const raw = atob(text || "");
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) out[i] = raw.charCodeAt(i);
  return out;
}

function hexBytes(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The 8 bytes a code is known by: SHA-256(salt ‖ code)[0:8]. */
export async function keyOf(saltHex, code) {
  const salt = hexBytes(saltHex);
  const text = new TextEncoder().encode(code);
  const input = new Uint8Array(salt.length + text.length);
  input.set(salt);
  input.set(text, salt.length);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", input), 0, 8);
}

function positions(key, bits, hashes) {
  const h1 = ((key[0] << 24) | (key[1] << 16) | (key[2] << 8) | key[3]) >>> 0;
  const h2 = (((key[4] << 24) | (key[5] << 16) | (key[6] << 8) | key[7]) | 1) >>> 0;
  const out = [];
  // h1 + i·h2 < 2^37: exact in a double.
  for (let i = 0; i < hashes; i += 1) out.push((h1 + i * h2) % bits);
  return out;
}

export function has(part, key) {
  if (!part?.data) return false;
  return positions(key, part.bits, part.hashes).every((p) => part.data[p >> 3] & (1 << (p & 7)));
}

function addKey(part, key) {
  for (const p of positions(key, part.bits, part.hashes)) part.data[p >> 3] |= 1 << (p & 7);
}

/** The phone's copy of one filter updated by one part of the server's answer. */
export function applyPart(previous, incoming) {
  const geometry = { bits: incoming.bits, hashes: incoming.hashes, count: incoming.count, generation: incoming.generation };
  if (incoming.full) return { ...geometry, data: fromBase64(incoming.data) };
  if (!previous?.data || previous.bits !== incoming.bits || previous.hashes !== incoming.hashes) return null;
  const part = { ...geometry, data: previous.data };
  const keys = fromBase64(incoming.add);
  for (let i = 0; i + 8 <= keys.length; i += 8) addKey(part, keys.subarray(i, i + 8));
  return part;
}

/** The stored filter after an answer; null if a delta does not fit (then ask again without `since`). */
export function applyAnswer(previous, answer) {
  const sameSalt = previous && previous.salt === answer.salt;
  const codes = applyPart(sameSalt ? previous.codes : null, answer.codes);
  const revoked = applyPart(sameSalt ? previous.revoked : null, answer.revoked);
  if (!codes || !revoked) return null;
  return {
    campaign_id: answer.campaign_id, cursor: answer.cursor, salt: answer.salt,
    generated_at: answer.generated_at, hold_margin_hours: answer.hold_margin_hours, codes, revoked,
  };
}

/** "known" (can count), "revoked", "unknown" (not issued, or issued after the filter), or "unchecked" (no filter). */
export async function classify(filter, code) {
  if (!filter?.codes?.data) return "unchecked";
  const key = await keyOf(filter.salt, code);
  if (has(filter.revoked, key)) return "revoked";
  return has(filter.codes, key) ? "known" : "unknown";
}
