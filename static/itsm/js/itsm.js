/*
 * Small progressive enhancements; every page works without this file.
 *
 * - "/" focuses the page's search field (any input marked data-search), as in most web apps,
 *   unless the user is already typing somewhere.
 * - "Escape" in a search field leaves it, so keyboard users can get back to the page.
 */
(function () {
  "use strict";

  function isTyping(target) {
    if (!target) return false;
    var tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "/" && !isTyping(event.target)) {
      var search = document.querySelector("[data-search]");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    } else if (event.key === "Escape" && event.target.matches && event.target.matches("[data-search]")) {
      event.target.blur();
    }
  });
})();
