/* Known-error suggestions on the incident page: "Apply workaround" puts the workaround into the reply box. */
(function () {
  if (window.itsmProblems) { return; }
  window.itsmProblems = true;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-apply-workaround]");
    if (!button) { return; }
    var reply = document.querySelector("[data-reply]");
    if (!reply) { return; }
    var text = button.getAttribute("data-workaround") || "";
    reply.value = reply.value ? reply.value.replace(/\s*$/, "") + "\n\n" + text : text;
    reply.focus();
    reply.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
