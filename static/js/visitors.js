// Visitors' pages: keep the chosen chip of a sideways-scrolling row in view, also after an htmx swap.
(function () {
  function showActiveChips(root) {
    root.querySelectorAll(".chips .chip.active").forEach(function (chip) {
      var row = chip.parentElement;
      if (row.scrollWidth <= row.clientWidth) return;
      var rowBox = row.getBoundingClientRect();
      var chipBox = chip.getBoundingClientRect();
      row.scrollLeft += chipBox.left + chipBox.width / 2 - (rowBox.left + rowBox.width / 2);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { showActiveChips(document); });
  document.addEventListener("htmx:afterSettle", function (event) { showActiveChips(event.target); });
})();
