// The tagging screen: filters the lists of terms as you type in the search box. Without
// JavaScript the same box searches on the server ("Search" button), so this only saves a trip.
// A ticked box is never hidden: what is chosen stays in view.
const input = document.querySelector("[data-tag-filter]");
const count = document.querySelector("[data-tag-count]");
const items = Array.from(document.querySelectorAll("[data-tag-item]"));

function filter() {
  const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const item of items) {
    const text = item.dataset.tagSearch || "";
    const ticked = item.querySelector("input").checked;
    const match = ticked || words.every((word) => text.includes(word));
    item.hidden = !match;
    if (match) shown += 1;
  }
  for (const group of document.querySelectorAll("[data-tag-group]")) {
    group.hidden = !group.querySelector("[data-tag-item]:not([hidden])");
  }
  if (count) {
    count.textContent = words.length
      ? `${shown} ${shown === 1 ? "term matches" : "terms match"} “${input.value.trim()}” (with what you have chosen)`
      : "";
  }
}

if (input && items.length) {
  input.addEventListener("input", filter);
}
