// The "Print" button of the card sheet (a file, not inline: the page's CSP forbids inline script).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
