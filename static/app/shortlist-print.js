// The shortlist's print page: shows the "Print this page" button, which only works with
// JavaScript (without it, the page says how to print from the browser's menu).
const button = document.querySelector(".app-print-button");
if (button) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
