// Time on the device: ISO 8601 with the device's offset, the activity's calendar day, and how
// long to wait before the next sync attempt. No imports, so node can test it too.

export const FIRST_BACKOFF = 5 * 1000;
export const MAX_BACKOFF = 5 * 60 * 1000;

/** Now, as ISO 8601 with the device's own offset (the server corrects the clock error). */
export function isoNow(date = new Date()) {
  const pad = (n) => String(Math.abs(n)).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`
  );
}

/** The activity's calendar day now, in the time zone of its own start time (e.g. +08:00). */
export function activityDay(activity, date = new Date()) {
  const startsAt = activity?.starts_at || "";
  const match = /([+-])(\d\d):?(\d\d)$/.exec(startsAt);
  let offsetMinutes = -date.getTimezoneOffset();
  if (match) offsetMinutes = (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
  else if (startsAt.endsWith("Z")) offsetMinutes = 0;
  return new Date(date.getTime() + offsetMinutes * 60000).toISOString().slice(0, 10);
}

/** The wait before retrying a failed sync: 5 s, doubling, at most 5 minutes. */
export function nextBackoff(previous) {
  return Math.min(previous ? previous * 2 : FIRST_BACKOFF, MAX_BACKOFF);
}
