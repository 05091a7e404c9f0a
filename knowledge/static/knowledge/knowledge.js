/*
 * "Insert link" / "Insert summary" on a record's knowledge panel: the form's POST records the
 * article as used on the record and answers with the text, which goes into the reply box at the
 * cursor, and the panel's "Used on" line is redrawn from the answer. Without this script the
 * same form posts normally and the page (reloaded) shows the text and the line.
 */
(function () {
  "use strict";
  if (window.__kbInsertBound) return;
  window.__kbInsertBound = true;

  function insert(box, text) {
    var start = box.selectionStart || 0;
    var end = box.selectionEnd || 0;
    var before = box.value.slice(0, start);
    var gap = before && !/\n$/.test(before) ? "\n" : "";
    box.value = before + gap + text + box.value.slice(end);
    var caret = (before + gap + text).length;
    box.focus();
    box.setSelectionRange(caret, caret);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-kb-insert] form.kb-insert")) return;
    var box = document.querySelector("textarea[data-reply]");
    if (!box || !window.fetch) return;
    event.preventDefault();
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) data.set(event.submitter.name, event.submitter.value);
    var status = form.closest("[data-kb-insert]").querySelector(".kb-insert-status");
    fetch(form.action, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (answer) {
        if (answer.error) {
          status.textContent = answer.error;
          return;
        }
        insert(box, answer.text);
        status.textContent = answer.number + " inserted into the reply and recorded as used.";
        // The "Used on" line now names the article too (server-rendered, escaped).
        var used = form.closest("[data-kb-insert]").querySelector("[data-kb-used]");
        if (used && typeof answer.used_html === "string") used.outerHTML = answer.used_html;
      })
      .catch(function () {
        status.textContent = "Could not insert the article; try again.";
      });
  });
})();
