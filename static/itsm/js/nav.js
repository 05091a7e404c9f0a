/*
 * Header menus (templates/includes/nav.html): each is a <details> element, so it already opens
 * and closes with Enter/Space and by touch without this file. This adds what people expect of
 * a menu bar:
 *
 * - opening one menu closes the others;
 * - a click or tap outside an open menu closes it;
 * - Escape closes the open menu and puts the focus back on its name;
 * - moving the focus out of a menu (Tab past its last link) closes it.
 */
(function () {
  "use strict";

  var MENUS = ".nav-menu > details";

  function openMenus() {
    return Array.prototype.slice.call(document.querySelectorAll(MENUS + "[open]"));
  }

  function closeAll(except) {
    openMenus().forEach(function (menu) {
      if (menu !== except) menu.open = false;
    });
  }

  document.addEventListener(
    "toggle",
    function (event) {
      var menu = event.target;
      if (menu.matches && menu.matches(MENUS) && menu.open) closeAll(menu);
    },
    true
  );

  document.addEventListener("click", function (event) {
    var inside = event.target.closest && event.target.closest(MENUS);
    closeAll(inside || null);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var menu = event.target.closest && event.target.closest(MENUS + "[open]");
    if (!menu) return;
    menu.open = false;
    menu.querySelector("summary").focus();
  });

  document.addEventListener("focusout", function (event) {
    var menu = event.target.closest && event.target.closest(MENUS + "[open]");
    if (menu && event.relatedTarget && !menu.contains(event.relatedTarget)) menu.open = false;
  });
})();
