// Allocation page: when a booth's panel arrives, mark the booth on the plan and bring the panel into view.
document.addEventListener("htmx:afterSwap", function (event) {
  var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (!trigger || !trigger.closest || !trigger.closest(".alloc-plan")) { return; }
  document.querySelectorAll(".alloc-plan .plan-booth.selected").forEach(function (a) { a.classList.remove("selected"); });
  trigger.classList.add("selected");
  var panel = document.getElementById("booth-detail");
  if (panel) { panel.scrollIntoView({ behavior: "smooth", block: "start" }); }
});
