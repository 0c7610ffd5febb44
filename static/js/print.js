// The print views' one script: the print button (no inline script: the CSP forbids it).
for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
