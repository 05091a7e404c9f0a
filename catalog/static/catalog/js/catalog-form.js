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

  form.addEventListener("change", refresh);
  form.addEventListener("input", refresh);
  refresh();
})();
