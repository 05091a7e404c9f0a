/*
 * Incident pages: keyboard shortcuts, the bulk bar, versions after in-place saves, presence.
 * Every page works without this file; it only saves keystrokes and round trips.
 *
 * Queue:  j / k move between rows (the row's link takes focus, so screen readers follow),
 *         Enter or o opens, x ticks the row for a bulk action, a assigns it to me.
 * Record: r jumps to the reply box, a assigns the incident to me.
 * Both:   n opens the desk form to log a new incident for a caller.
 * Both:   ? shows the list of shortcuts ("/" to search lives in itsm.js).
 */
(function () {
  "use strict";

  function isTyping(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function postForm(url, fields) {
    var form = document.createElement("form");
    form.method = "post";
    form.action = url;
    fields.csrfmiddlewaretoken = csrfToken();
    Object.keys(fields).forEach(function (name) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = fields[name];
      form.appendChild(input);
    });
    document.body.appendChild(form);
    form.submit();
  }

  /* --- queue rows -------------------------------------------------------------------- */

  var current = -1;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-row]"));
  }

  function select(index) {
    var all = rows();
    if (!all.length) return null;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row, i) {
      row.classList.toggle("is-current", i === current);
    });
    var link = all[current].querySelector("[data-row-link]");
    if (link) link.focus();
    return all[current];
  }

  function currentRow() {
    var all = rows();
    var focused = document.activeElement && document.activeElement.closest("[data-row]");
    if (focused) current = all.indexOf(focused);
    return current >= 0 ? all[current] : null;
  }

  function queueKey(key) {
    var row = currentRow();
    if (key === "j" || key === "k") {
      select(key === "j" ? current + 1 : Math.max(current - 1, 0));
      return true;
    }
    if (!row) return false;
    if (key === "o" || key === "Enter") {
      window.location.assign(row.getAttribute("data-href"));
      return true;
    }
    if (key === "x") {
      var box = row.querySelector("input[type=checkbox]");
      if (box) {
        box.checked = !box.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      }
      return true;
    }
    if (key === "a") {
      postForm(row.getAttribute("data-assign-url"), {
        expected_version: row.getAttribute("data-version"),
        next: window.location.pathname + window.location.search,
      });
      return true;
    }
    return false;
  }

  /* --- record page ------------------------------------------------------------------- */

  function recordKey(key) {
    if (key === "r") {
      var reply = document.querySelector("[data-reply]");
      if (reply) {
        reply.focus();
        reply.scrollIntoView({ block: "center" });
        return true;
      }
    }
    if (key === "a") {
      var assign = document.querySelector("form[data-assign-me]");
      if (assign) {
        assign.requestSubmit();
        return true;
      }
    }
    return false;
  }

  /* --- the "?" overlay --------------------------------------------------------------- */

  function showShortcuts() {
    var dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open && dialog.showModal) dialog.showModal();
    return Boolean(dialog);
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-shortcuts-open]")) showShortcuts();
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target) || document.querySelector("dialog[open]")) return;
    var handled = false;
    if (event.key === "?") handled = showShortcuts();
    else if (event.key === "n" && document.querySelector("[data-new-incident]")) {
      window.location.assign(document.querySelector("[data-new-incident]").getAttribute("href"));
      handled = true;
    }
    else if (document.querySelector("[data-queue]") || rows().length) handled = queueKey(event.key);
    else if (document.querySelector("[data-record]")) handled = recordKey(event.key);
    if (handled) event.preventDefault();
  });

  /* --- bulk bar ---------------------------------------------------------------------- */

  function updateBulk() {
    var form = document.querySelector("[data-bulk-form]");
    if (!form) return;
    var action = form.querySelector("select[name=action]").value;
    form.querySelectorAll("[data-for-action]").forEach(function (field) {
      field.hidden = field.getAttribute("data-for-action") !== action;
    });
    var ticked = document.querySelectorAll("input[name=rows][form=bulk-form]:checked").length;
    var label = form.querySelector("[data-selected-count]");
    if (label) label.textContent = ticked === 1 ? "1 selected" : ticked + " selected";
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-select-all]")) {
      document.querySelectorAll("input[name=rows][form=bulk-form]").forEach(function (box) {
        box.checked = target.checked;
      });
    }
    if (target.matches("[data-select-all], input[name=rows], [data-bulk-form] select[name=action]")) updateBulk();
  });

  document.addEventListener("submit", function (event) {
    var next = event.target.querySelector && event.target.querySelector("[data-bulk-next]");
    if (next) next.value = window.location.pathname + window.location.search;
  });

  document.addEventListener("DOMContentLoaded", updateBulk);
  document.addEventListener("htmx:afterSettle", function () {
    current = -1;
    updateBulk();
  });

  /* --- htmx: forms that answer 4xx with the form and its errors ----------------------- */

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var elt = event.detail.elt;
    if ((status === 400 || status === 403 || status === 409) && elt.closest && elt.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  /* After an in-place save every form on the page must carry the record's new version. */
  document.addEventListener("itsm:version", function (event) {
    var value = String(event.detail.value);
    document.querySelectorAll("input[name=expected_version]").forEach(function (input) {
      input.value = value;
    });
  });

  /* --- presence ---------------------------------------------------------------------- */

  function editing() {
    var reply = document.querySelector("[data-reply]");
    return Boolean(document.querySelector("[data-editing]") || (reply && reply.value.trim()));
  }

  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.id === "presence") event.detail.parameters.editing = editing() ? "1" : "0";
  });

  window.addEventListener("pagehide", function () {
    var presence = document.getElementById("presence");
    if (!presence || !navigator.sendBeacon) return;
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrfToken());
    data.append("leave", "1");
    navigator.sendBeacon(presence.getAttribute("data-presence-url"), data);
  });
})();
