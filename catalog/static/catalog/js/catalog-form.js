// Conditional fields on catalog forms, without a page reload. The server applies the same
// rules (catalog/forms_engine.py); this only shows, hides and marks fields as the user types.
(function () {
  "use strict";
  var form = document.getElementById("catalog-form");
  if (!form) return;

  function valuesOf(name) {
    var found = [];
    form.querySelectorAll('[name="' + CSS.escape(name) + '"]').forEach(function (input) {
      if (input.type === "checkbox") {
        if (input.checked) found.push(input.value);
        else if (input.closest('[data-name]') && input.closest('[data-name]').querySelectorAll('input[type=checkbox]').length === 1) found.push("no");
      } else if (input.type === "radio") {
        if (input.checked) found.push(input.value);
      } else if (input.value !== "") {
        found.push(input.value);
      }
    });
    return found.map(function (v) { return String(v).toLowerCase(); });
  }

  function refresh() {
    form.querySelectorAll("[data-condition-variable]").forEach(function (field) {
      var wanted = (field.dataset.conditionValue || "").toLowerCase();
      var met = valuesOf(field.dataset.conditionVariable).indexOf(wanted) !== -1;
      if (field.dataset.conditionEffect === "show") {
        field.hidden = !met;
        field.style.display = met ? "" : "none";  // the stylesheet gives .field a display of its own
        field.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !met; });
      } else {
        var required = met || field.dataset.required === "1";
        var mark = field.querySelector(".required-mark");
        if (mark) mark.hidden = !required;
        field.querySelectorAll("input, select, textarea").forEach(function (el) {
          el.setAttribute("aria-required", required ? "true" : "false");
        });
      }
    });
  }

  // Enter in a person/CI search box searches at once instead of submitting the order.
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches("[data-lookup]")) return;
    event.preventDefault();
    if (window.htmx) window.htmx.trigger(event.target, "lookup");
  });

  // Person/CI lookups: an answer to a search sent before the user picked from the list on
  // screen must not redraw that list (the pick would vanish). Every search sent and every pick
  // takes the next number; an answer older than the last pick in its list is dropped.
  // (hx-sync only orders searches among themselves; aborting the search instead would make
  // htmx log an error.)
  var sequence = 0;
  form.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.matches("[data-lookup]")) event.detail.elt.dataset.sentAt = String(++sequence);
  });
  form.addEventListener("change", function (event) {
    var list = event.target.closest(".lookup-options");
    if (!list || event.target.type !== "radio") return;
    list.dataset.pickedAt = String(++sequence);
  });
  form.addEventListener("htmx:beforeSwap", function (event) {
    var list = event.detail.target, search = event.detail.elt;
    if (!list || !list.classList.contains("lookup-options") || !search.dataset) return;
    if (Number(list.dataset.pickedAt || 0) > Number(search.dataset.sentAt || 0)) event.detail.shouldSwap = false;
  });

  form.addEventListener("change", refresh);
  form.addEventListener("input", refresh);
  refresh();
})();
