// "Select all" boxes. <input type="checkbox" data-select-all="NAME" hidden> ticks or clears every box
// named NAME in its form, and shows when only some are ticked. The page keeps it hidden because it
// needs this script; without the script the list still works, one box at a time.
(function () {
  function boxes(all) {
    var form = all.form;
    if (!form) { return []; }
    var named = form.querySelectorAll('input[type="checkbox"]');
    return Array.prototype.filter.call(named, function (box) { return box.name === all.dataset.selectAll; });
  }

  function sync(all) {
    var list = boxes(all);
    var ticked = list.filter(function (box) { return box.checked; }).length;
    all.checked = list.length > 0 && ticked === list.length;
    all.indeterminate = ticked > 0 && ticked < list.length;
  }

  function show(root) {
    if (!root || !root.querySelectorAll) { return; }
    root.querySelectorAll("input[data-select-all]").forEach(function (all) {
      all.hidden = false;
      sync(all);
    });
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox" || !box.form) { return; }
    if (box.dataset.selectAll) {
      boxes(box).forEach(function (other) { other.checked = box.checked; });
      box.indeterminate = false;
      return;
    }
    box.form.querySelectorAll("input[data-select-all]").forEach(function (all) {
      if (all.dataset.selectAll === box.name) { sync(all); }
    });
  });
  document.addEventListener("DOMContentLoaded", function () { show(document); });
  // Rows that htmx brings in (a filter, a bulk action) come with a hidden box of their own.
  document.addEventListener("htmx:load", function (event) { show(event.target); });
})();
