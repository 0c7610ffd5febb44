// The client's share of the gettext catalogs, served as /app/i18n/<locale>.json and precached.
// Strings are written in English inside _() calls so that `make messages` extracts them with the rest.
export const LOCALES = ["zh_Hans", "en"];
export const DEFAULT_LOCALE = "zh_Hans";

let messages = {};
let current = DEFAULT_LOCALE;

/** Translate `text`, then fill {name} placeholders from `params`. */
export function _(text, params) {
  let out = messages[text] || text;
  if (params) out = out.replace(/\{(\w+)\}/g, (match, key) => (key in params ? String(params[key]) : match));
  return out;
}

export function currentLocale() {
  return current;
}

/** The saved choice, else the browser's languages, else Chinese. */
export function chooseLocale(saved) {
  if (LOCALES.includes(saved)) return saved;
  for (const language of navigator.languages || [navigator.language]) {
    const lower = String(language).toLowerCase();
    if (lower.startsWith("zh")) return "zh_Hans";
    if (lower.startsWith("en")) return "en";
  }
  return DEFAULT_LOCALE;
}

export async function loadLocale(locale) {
  const response = await fetch(`/app/i18n/${locale}.json`);
  if (!response.ok) throw new Error(`catalog ${locale}: ${response.status}`);
  messages = (await response.json()).messages || {};
  current = locale;
  document.documentElement.lang = locale === "zh_Hans" ? "zh-Hans" : "en";
}

export function formatTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return date.toLocaleTimeString(current === "zh_Hans" ? "zh-CN" : "en-GB", { hour: "2-digit", minute: "2-digit" });
}

export function formatDateTime(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return date.toLocaleString(current === "zh_Hans" ? "zh-CN" : "en-GB", {
    month: "numeric", day: "numeric", weekday: "short", hour: "2-digit", minute: "2-digit",
  });
}

/** "11/22 Sun 14:00–16:00": when an activity takes place, in the phone's local time. */
export function formatSpan(startsAt, endsAt) {
  const start = formatDateTime(startsAt);
  if (!endsAt) return start;
  const sameDay = String(startsAt).slice(0, 10) === String(endsAt).slice(0, 10);
  return `${start}–${sameDay ? formatTime(endsAt) : formatDateTime(endsAt)}`;
}
