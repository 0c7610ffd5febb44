// Sign-in codes, exactly as lwpwa/residents/codes.py: 16 Crockford base32 characters (80 random
// bits) and one Luhn mod 32 check character. Checked on the device so that a mistyped or damaged
// code is refused before anything is queued.
export const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; // Crockford: no I, L, O, U
export const BODY_LENGTH = 16;
export const CODE_LENGTH = BODY_LENGTH + 1;
const VALUE = new Map([...ALPHABET].map((ch, i) => [ch, i]));
const CONFUSABLE = { O: "0", I: "1", L: "1" };
const SEPARATORS = /[\s\-_.]+/g;

export function checkCharacter(body) {
  const n = ALPHABET.length;
  let factor = 2;
  let total = 0;
  for (let i = body.length - 1; i >= 0; i -= 1) {
    const addend = factor * VALUE.get(body[i]);
    factor = factor === 2 ? 1 : 2;
    total += Math.floor(addend / n) + (addend % n);
  }
  return ALPHABET[(n - (total % n)) % n];
}

/** The canonical form of what was scanned or typed, or null if it cannot be a code. */
export function normalize(text) {
  if (typeof text !== "string" || text.length > 64) return null;
  const candidate = text
    .replace(SEPARATORS, "")
    .toUpperCase()
    .replace(/[OIL]/g, (ch) => CONFUSABLE[ch]);
  if (candidate.length !== CODE_LENGTH) return null;
  for (const ch of candidate) if (!VALUE.has(ch)) return null;
  return candidate;
}

/** The canonical code if `text` is a well-formed code with a correct check character, else null. */
export function parse(text) {
  const code = normalize(text);
  if (code === null || checkCharacter(code.slice(0, -1)) !== code.slice(-1)) return null;
  return code;
}

export function isValid(text) {
  return parse(text) !== null;
}

/** ABCD-EFGH-JKMN-PQRS-T: easier to read aloud and to type by hand. */
export function grouped(code) {
  return code.match(/.{1,4}/g).join("-");
}
