// The unit dashboard's live counts: while the page is visible, its participations and volunteers
// are refreshed from /unit/live.json every 30 seconds (and at once when the tab comes back), so a
// site lead can watch an activity fill up without reloading. Without this script the page still
// shows the counts of its last load.
const REFRESH_MS = 30_000;
const list = document.querySelector("[data-live]");

async function refresh() {
  if (!list || document.visibilityState !== "visible") return;
  try {
    const response = await fetch(list.dataset.live, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) return;
    const counts = await response.json();
    for (const cell of list.querySelectorAll("[data-activity][data-kind]")) {
      const figures = counts.activities[cell.dataset.activity];
      if (figures && cell.dataset.kind in figures) cell.textContent = String(figures[cell.dataset.kind]);
    }
    list.dataset.updated = counts.generated_at;
  } catch {
    // Offline or signed out: keep the figures shown; the next round tries again.
  }
}

if (list) {
  setInterval(refresh, REFRESH_MS);
  document.addEventListener("visibilitychange", refresh);
}
